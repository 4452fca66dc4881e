{#-
    The counterfactual pricing chain the what-if marts share: CTEs `price_keys`, `key_prices` and
    `counterfactual_priced`, written after a comma inside the caller's WITH.

    rows: a CTE of usage rows to price under another model: provider, target_model_id, service_tier,
    prompt_tokens_gt, usage_type, quantity, the price date `date_column`, and (when `with_geo`) inference_geo;
    any other columns ride along into `counterfactual_priced`.
    label: the placeholder account and API key id of the keys (price_usage identifies a row by them; pricing
    never reads them).
    with_geo: whether the rows carry inference_geo; rows that name none (request logs) are priced as 'global'
    and the join does not compare it.
    quantity_type: the exact type a quantity is priced as (price_quantity's; fractional what-if shares pass
    decimal(38,8)).

    Distinct keys are priced once, each at its price date (price_usage with the model already resolved), and
    joined back; a key without a price keeps is_priced false and a NULL cost, never 0.
-#}

{% macro price_counterfactual(rows, date_column, label, with_geo=true, quantity_type='decimal(38,0)') -%}
{%- set join_columns = ['provider', 'service_tier', 'prompt_tokens_gt', 'usage_type'] -%}
{%- if with_geo -%}{%- set join_columns = join_columns + ['inference_geo'] -%}{%- endif -%}
price_keys as (

    select distinct
        {{ date_column }} as usage_date,
        provider,
        '{{ label }}' as account_id,
        '{{ label }}' as api_key_id,
        target_model_id as model_raw,
        target_model_id as model_id,
        service_tier,
        -- the key price_usage identifies a row by; the prompt-size tier is all pricing reads of it
        cast(prompt_tokens_gt as string) as context_tier,
        {{ 'inference_geo' if with_geo else "'global' as inference_geo" }},
        usage_type,
        prompt_tokens_gt,
        cast(0 as bigint) as quantity
    from {{ rows }}

),

key_prices as (

    {{ price_usage('price_keys', resolve_models=false) }}

),

counterfactual_priced as (

    select
        {{ rows }}.*,
        key_prices.priced_usage_type,
        key_prices.price_source,
        coalesce(key_prices.is_priced, false) as is_priced,
        {{ price_quantity(rows ~ '.quantity', 'key_prices.unit_price_usd', 'key_prices.unit', quantity_type) }}
            as cost_usd
    from {{ rows }}
    left join key_prices
        on
            {{ rows }}.{{ date_column }} = key_prices.usage_date
            and {{ rows }}.target_model_id = key_prices.model_id
            and {{ join_on_columns(rows, 'key_prices', join_columns) }}

)
{%- endmacro %}
