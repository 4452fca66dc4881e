{#-
    Routing what-ifs (issue 11 item 7): for each routing rule of finops.yaml's `whatif.routing`
    (stg_config__whatif_routing) x month x provider x actual model x size class, the successful requests of the
    request logs (fct_request_cost) in the rule's scope, split into 'simple' (prompt_tokens <= max_input_tokens
    and output_tokens <= max_output_tokens) and 'other', with their tokens and list cost; for the simple class,
    what the same token buckets would have cost under the rule's to_model. Months add up to any range; the two
    classes of a rule add up to the requests in its scope.

    Actual: fct_request_cost.list_cost_usd of the priced requests; an unpriced request (a model the book lacks)
    is counted in unpriced_requests and left out of both costs, never $0.

    Counterfactual, simple class only: every priced simple request's disjoint token buckets (macro
    request_token_buckets: uncached input, cache reads, both cache writes, output) at its own usage date,
    service tier and prompt-size tier, under to_model resolved at the usage date (macro resolve_model_id) and
    priced by macro price_usage - the rules of int_usage_priced and fct_request_cost, not a copy - over the
    distinct price keys, joined back. Token counts are kept as used (a caveat says so on every simple row): a
    cheaper model may answer with more or fewer tokens, or not as well. A bucket priced by fallback is priced so,
    with a caveat; a bucket with no price leaves counterfactual_cost_usd and savings_usd NULL for its row.

    The requests in scope, rolled up by day, are int_whatif_routing_daily; the counterfactual line items, priced,
    int_whatif_routing_lines. This mart sums both.
-#}

{%- set mart_key = ['rule', 'month', 'provider', 'model_id', 'size_class'] -%}

with

in_scope as (

    select * from {{ ref('int_whatif_routing_daily') }}

),

counterfactual_priced as (

    select * from {{ ref('int_whatif_routing_lines') }}

),

actual_totals as (

    select
        {{ mart_key | join(', ') }},
        any_value(to_model) as to_model,
        any_value(max_input_tokens) as max_input_tokens,
        any_value(max_output_tokens) as max_output_tokens,
        sum(requests) as requests,
        sum(case when is_priced then 0 else requests end) as unpriced_requests,
        sum(prompt_tokens) as prompt_tokens,
        sum(output_tokens) as output_tokens,
        sum(case when is_priced then list_cost_usd end) as actual_cost_usd
    from in_scope
    group by {{ mart_key | join(', ') }}

),

counterfactual_totals as (

    select
        rule,
        month,
        provider,
        model_id,
        'simple' as size_class,
        -- NULL as soon as one bucket has no price: a partial sum would understate the cost
        case when bool_and(is_priced) then sum(cost_usd) end as counterfactual_cost_usd,
        sum(case when price_source = 'fallback' then quantity else 0 end) as fallback_tokens,
        sum(case when is_priced then 0 else quantity end) as unpriced_tokens,
        {{ sorted_string_agg('target_model_id', "', '", distinct=true) }} as target_model_id
    from counterfactual_priced
    group by rule, month, provider, model_id

),

-- the simple rows' counterfactual: 0 when their priced requests have no tokens at all (no bucket to price)
compared as (

    select
        {% for column in mart_key %}actual_totals.{{ column }},
        {% endfor %}
        case
            when counterfactual_totals.rule is null then 0
            else counterfactual_totals.counterfactual_cost_usd
        end as counterfactual_cost_usd
    from actual_totals
    left join counterfactual_totals
        on {{ join_on_columns('actual_totals', 'counterfactual_totals', mart_key) }}
    where actual_totals.size_class = 'simple' and actual_totals.actual_cost_usd is not null

),

caveat_lines as (

    select
        {{ mart_key | join(', ') }},
        'token counts kept as used (the cheaper model may answer with more or fewer tokens, or less well)'
            as caveat
    from actual_totals
    where size_class = 'simple'

    union all

    select distinct
        rule,
        month,
        provider,
        model_id,
        'simple' as size_class,
        {{ dbt.concat([
            'usage_type', "' priced at '", 'priced_usage_type', "' (fallback): '", 'target_model_id',
            "' has no '", 'usage_type', "' price at '", 'service_tier', "' tier'",
        ]) }} as caveat
    from counterfactual_priced
    where price_source = 'fallback'

    union all

    select distinct
        rule,
        month,
        provider,
        model_id,
        'simple' as size_class,
        {{ dbt.concat([
            "'no price for '", 'target_model_id', "' '", 'usage_type', "' at '", 'service_tier',
            "' tier: counterfactual and savings left NULL'",
        ]) }} as caveat
    from counterfactual_priced
    where not is_priced

    union all

    select
        {{ mart_key | join(', ') }},
        {{ dbt.concat(['cast(unpriced_requests as string)', "' unpriced requests left out'"]) }} as caveat
    from actual_totals
    where unpriced_requests > 0

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
        actual_totals.rule,
        actual_totals.provider,
        actual_totals.model_id,
        actual_totals.size_class,
        actual_totals.to_model,
        counterfactual_totals.target_model_id,

        ----------  strings
        caveats.caveats,

        ----------  numerics
        cast(actual_totals.max_input_tokens as bigint) as max_input_tokens,
        cast(actual_totals.max_output_tokens as bigint) as max_output_tokens,
        cast(actual_totals.requests as bigint) as requests,
        cast(actual_totals.unpriced_requests as bigint) as unpriced_requests,
        cast(actual_totals.prompt_tokens as bigint) as prompt_tokens,
        cast(actual_totals.output_tokens as bigint) as output_tokens,
        {{ to_usd_decimal('actual_totals.actual_cost_usd') }} as actual_cost_usd,
        {{ to_usd_decimal('compared.counterfactual_cost_usd') }} as counterfactual_cost_usd,
        {{ to_usd_decimal('actual_totals.actual_cost_usd - compared.counterfactual_cost_usd') }} as savings_usd,
        cast(coalesce(counterfactual_totals.fallback_tokens, 0) as bigint) as fallback_tokens,
        cast(coalesce(counterfactual_totals.unpriced_tokens, 0) as bigint) as unpriced_tokens,

        ----------  dates
        actual_totals.month

    from actual_totals
    left join counterfactual_totals
        on {{ join_on_columns('actual_totals', 'counterfactual_totals', mart_key) }}
    left join compared
        on {{ join_on_columns('actual_totals', 'compared', mart_key) }}
    left join caveats
        on {{ join_on_columns('actual_totals', 'caveats', mart_key) }}

)

select * from final
