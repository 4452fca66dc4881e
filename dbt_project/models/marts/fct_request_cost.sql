{#-
    One row per gateway / SDK request (DESIGN §6), priced from the price book: each nonzero token bucket x
    the unit price of its (day, provider, model, service tier, prompt-size tier, usage type), found by macro
    price_usage - the lookup that prices provider usage (int_usage_priced), so the same rules and the same
    prices. The lookup runs over the distinct price keys of the days being built, not over each request. The
    source's own figure stays beside it as reported_cost_usd, for audit.

    Incremental: each build rebuilds only the UTC days with newly landed request rows, and every day when the
    price book changed (macro request_days_predicate); a day is replaced whole (delete+insert by usage_date, on
    Spark an overwrite of the day's partition: macro replace_days_strategy).

    A request with no tokens (a failed call) costs 0 and is priced. A request with a bucket that has no price
    (an unknown model) has list_cost_usd NULL and is_priced false: flagged, never $0.
-#}

-- depends_on: {{ ref('int_requests_unioned') }}

{{ config(
    materialized='incremental',
    incremental_strategy=replace_days_strategy(),
    unique_key='usage_date',
    partition_by=replace_days_partition_by('usage_date'),
    on_schema_change='append_new_columns',
) }}

{%- set price_key = ['usage_date', 'provider', 'model_raw', 'service_tier', 'usage_type'] -%}

with

request_usage as (

    select * from {{ ref('int_request_usage') }}
    {% if is_incremental() -%}
        where {{ request_days_predicate(ref('int_requests_unioned'), 'loaded_at', 'loaded_at') }}
    {%- endif %}

),

request_buckets as (

    {{ request_token_buckets('request_usage', [
        'source', 'request_id', 'usage_date', 'provider', 'model_raw', 'service_tier', 'prompt_tokens_gt',
    ]) }}

),

-- the distinct price keys, in the columns of int_usage_unioned that macro price_usage takes; the key columns
-- requests do not have are constants (account and key '(requests)'; context_tier: the prompt-size tier as text;
-- inference_geo: global, the request logs name none)
price_keys as (

    select
        usage_date,
        provider,
        '(requests)' as account_id,
        '(requests)' as api_key_id,
        model_raw,
        service_tier,
        cast(prompt_tokens_gt as string) as context_tier,
        'global' as inference_geo,
        usage_type,
        cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
        cast(sum(quantity) as bigint) as quantity
    from request_buckets
    group by usage_date, provider, model_raw, service_tier, prompt_tokens_gt, usage_type

),

request_prices as (

    {{ price_usage('price_keys') }}

),

bucket_costs as (

    select
        request_buckets.source,
        request_buckets.request_id,
        request_prices.is_priced,
        request_prices.price_effective_from,
        {{ price_quantity('request_buckets.quantity', 'request_prices.unit_price_usd', 'request_prices.unit') }}
            as list_cost_usd
    from request_buckets
    left join request_prices
        on
            {{ join_on_columns('request_buckets', 'request_prices', price_key) }}
            and cast(request_buckets.prompt_tokens_gt as string) = request_prices.context_tier

),

request_costs as (

    select
        source,
        request_id,
        -- NULL as soon as one bucket has no price (the sum of the priced ones would understate the cost)
        case when bool_and(coalesce(is_priced, false)) then sum(list_cost_usd) end as list_cost_usd,
        bool_and(coalesce(is_priced, false)) as is_priced,
        max(price_effective_from) as price_effective_from
    from bucket_costs
    group by source, request_id

),

final as (

    select
        ----------  ids
        request_usage.request_id,
        request_usage.source,
        request_usage.provider,
        request_usage.model_raw,
        request_usage.model_id,
        request_usage.service_tier,

        ----------  strings
        request_usage.status,
        request_usage.team,
        request_usage.feature,
        request_usage.user_id,
        request_usage.api_key_alias,
        request_usage.session_id,
        request_usage.tags,

        ----------  numerics
        request_usage.input_tokens,
        request_usage.cache_read_tokens as cached_tokens,
        request_usage.cache_write_tokens,
        request_usage.cache_write_1h_tokens,
        request_usage.output_tokens,
        request_usage.reasoning_tokens,
        request_usage.prompt_tokens,
        request_usage.prompt_tokens_gt,
        request_usage.latency_ms,
        {{ to_usd_decimal('request_usage.reported_cost_usd') }} as reported_cost_usd,
        -- no token bucket at all (a failed call): nothing to price, costs 0
        {{ to_usd_decimal('case when request_costs.request_id is null then 0 else request_costs.list_cost_usd end') }}
            as list_cost_usd,

        ----------  booleans
        coalesce(request_costs.is_priced, true) as is_priced,

        ----------  dates and timestamps
        request_usage.usage_date,
        request_usage.requested_at,
        request_costs.price_effective_from,

        ----------  load metadata
        request_usage.loaded_at,
        '{{ price_book_version() }}' as price_book_version

    from request_usage
    left join request_costs
        on
            request_usage.source = request_costs.source
            and request_usage.request_id = request_costs.request_id

)

select * from final
