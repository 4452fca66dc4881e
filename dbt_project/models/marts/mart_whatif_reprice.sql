{#-
    Repricing what-ifs (DESIGN §6): for each scenario of finops.yaml's `whatif` section
    (stg_config__whatif_scenarios) x month x provider x actual model, the list cost of the actual usage in the
    scenario's scope and what the same usage would have cost under the scenario. One row per scenario, month,
    provider and actual model_id with usage in scope; months add up to any range.

    Actual: int_usage_priced (every bucket of int_usage_unioned, priced by macro price_usage). Only priced
    rows enter, on both sides; unpriced actual rows are counted in caveats and left out.

    Counterfactual, from each priced actual row, in this order:
      1. model: to_model resolved at the price date (macro resolve_model_id: aliases, book ids, genai-prices
         match rules), else the actual model_id as it was resolved on the usage date;
      2. cache_hit_rate r: the prompt buckets are disjoint (pricing_seeds/usage_types.csv), so per row key the
         prompt tokens of a modality are its uncached input plus its cache reads (text: input_tokens +
         cache_read_tokens; audio: input_audio_tokens + cache_audio_read_tokens; image: input_image_tokens +
         cache_image_read_tokens); they become r x prompt cache reads and (1 - r) x prompt uncached input. Cache
         writes (cache_write_tokens, cache_write_1h_tokens) are kept as they were: a higher hit rate would need
         fewer writes, which this cannot know (a caveat says so). Output, requests and the rest are unchanged;
      3. service tier: to_service_tier, else the actual tier (every bucket: a tool call or storage the book has
         no price for at that tier leaves the row unpriced); batch_share s splits each standard-tier token
         bucket into (1 - s) at standard and s at batch (other tiers, and requests, searches and storage, stay:
         the Batch API discounts tokens);
      4. the price date: the usage date (rule usage_date), today (current_date at build) or a fixed date.
    Quantities become fractional (a share of the tokens) and stay exact: decimal(38,8), since each rate has at
    most 4 places. The prices come from macro price_usage - the rules of int_usage_priced, not a copy: fallback
    chains, tiers and modifiers, long-context tiers (the row's prompt_tokens_gt), the geo uplift (the row's
    inference_geo) - over the distinct price keys, each with usage_date = its price date, joined back to the
    rows, which keep their own month. A bucket priced by fallback (e.g. cache reads at the input price on a
    model with no cache price) is priced so and counted in fallback_quantity with a caveat. A bucket with no
    price makes counterfactual_cost_usd and savings_usd NULL for its mart row (never a partial sum that looks
    complete), with the reason in caveats.

    The scope is int_whatif_reprice_scope; the counterfactual line items, priced, are int_whatif_reprice_lines
    (steps 1 to 4), which this mart sums per scenario, month, provider and model.
-#}

{%- set mart_key = ['scenario', 'month', 'provider', 'model_id'] -%}
{%- set quantity_type = 'decimal(38,8)' -%}

with

scenarios as (

    select * from {{ ref('stg_config__whatif_scenarios') }}

),

in_scope as (

    select * from {{ ref('int_whatif_reprice_scope') }}

),

lines as (

    select * from {{ ref('int_whatif_reprice_lines') }}

),

-- the counterfactual lines that hold usage (a share of 0 adds nothing, priced or not)
counterfactual_priced as (

    select * from lines
    where quantity <> 0

),

actual_totals as (

    select
        {{ mart_key | join(', ') }},
        sum(case when is_priced then list_cost_usd end) as actual_cost_usd,
        sum(case when is_priced then 0 else 1 end) as unpriced_actual_rows
    from in_scope
    group by {{ mart_key | join(', ') }}

),

counterfactual_totals as (

    select
        {{ mart_key | join(', ') }},
        -- NULL as soon as one bucket has no price: a partial sum would understate the cost
        case when bool_and(is_priced) then sum(cost_usd) end as counterfactual_cost_usd,
        sum(case when price_source = 'fallback' then quantity else 0 end) as fallback_quantity,
        sum(case when is_priced then 0 else quantity end) as unpriced_quantity,
        max(case when usage_type like 'cache_write%' then 1 else 0 end) as has_cache_writes
    from counterfactual_priced
    group by {{ mart_key | join(', ') }}

),

target_models as (

    select
        {{ mart_key | join(', ') }},
        {{ sorted_string_agg('target_model_id', "', '") }} as target_model_id
    from (select distinct {{ mart_key | join(', ') }}, target_model_id from lines) as targets_used
    group by {{ mart_key | join(', ') }}

),

caveat_lines as (

    select distinct
        {{ mart_key | join(', ') }},
        {{ dbt.concat([
            'usage_type', "' priced at '", 'priced_usage_type', "' (fallback): '", 'target_model_id',
            "' has no '", 'usage_type', "' price at '", 'service_tier', "' tier'",
        ]) }} as caveat
    from counterfactual_priced
    where price_source = 'fallback'

    union all

    select distinct
        {{ mart_key | join(', ') }},
        {{ dbt.concat([
            "'no price for '", 'target_model_id', "' '", 'usage_type', "' at '", 'service_tier',
            "' tier: counterfactual and savings left NULL'",
        ]) }} as caveat
    from counterfactual_priced
    where not is_priced

    union all

    select
        {{ mart_key | join(', ') }},
        {{ dbt.concat([
            'cast(unpriced_actual_rows as string)', "' rows of actual usage unpriced, left out'",
        ]) }} as caveat
    from actual_totals
    where unpriced_actual_rows > 0

    union all

    select
        {% for column in mart_key %}counterfactual_totals.{{ column }},
        {% endfor %}
        'cache writes kept as used (a higher hit rate may need fewer)' as caveat
    from counterfactual_totals
    inner join scenarios
        on counterfactual_totals.scenario = scenarios.scenario
    where counterfactual_totals.has_cache_writes = 1 and scenarios.cache_hit_rate is not null

),

caveats as (

    select
        {{ mart_key | join(', ') }},
        {{ sorted_string_agg('caveat', "' | '") }} as caveats
    from caveat_lines
    group by {{ mart_key | join(', ') }}

),

final as (

    select
        ----------  ids
        actual_totals.scenario,
        {{ dbt.concat(['actual_totals.provider', "'/'", 'actual_totals.model_id']) }} as scope,
        actual_totals.provider,
        actual_totals.model_id,
        target_models.target_model_id,

        ----------  strings
        scenarios.to_service_tier as target_service_tier,
        scenarios.price_date_rule,
        caveats.caveats,

        ----------  numerics
        scenarios.cache_hit_rate,
        scenarios.batch_share,
        {{ to_usd_decimal('actual_totals.actual_cost_usd') }} as actual_cost_usd,
        {{ to_usd_decimal('counterfactual_totals.counterfactual_cost_usd') }} as counterfactual_cost_usd,
        {{ to_usd_decimal('actual_totals.actual_cost_usd - counterfactual_totals.counterfactual_cost_usd') }}
            as savings_usd,
        cast(coalesce(counterfactual_totals.fallback_quantity, 0) as {{ quantity_type }}) as fallback_quantity,
        cast(coalesce(counterfactual_totals.unpriced_quantity, 0) as {{ quantity_type }}) as unpriced_quantity,
        cast(actual_totals.unpriced_actual_rows as bigint) as unpriced_actual_rows,

        ----------  dates
        actual_totals.month,
        case scenarios.price_date_rule
            when 'today' then cast({{ dbt.current_timestamp() }} as date)
            when 'fixed' then scenarios.price_date
        end as price_date

    from actual_totals
    inner join scenarios
        on actual_totals.scenario = scenarios.scenario
    left join counterfactual_totals
        on {{ join_on_columns('actual_totals', 'counterfactual_totals', mart_key) }}
    left join target_models
        on {{ join_on_columns('actual_totals', 'target_models', mart_key) }}
    left join caveats
        on {{ join_on_columns('actual_totals', 'caveats', mart_key) }}

)

select * from final
