{#-
    One row per gateway / SDK request (DESIGN §6), priced from the price book: each nonzero token bucket x
    the unit price of its (day, provider, model, service tier, prompt-size tier, usage type), found by macro
    price_usage - the lookup that prices provider usage (int_usage_priced), so the same rules and the same
    prices. The lookup runs over the distinct price keys of the days being built, not over each request, and each
    request then joins its key's row, every bucket's price side by side. The source's own figure stays beside it
    as reported_cost_usd, for audit.

    Incremental: each build rebuilds only the UTC days with newly landed request rows, and every day when the
    price book changed (macro request_days_predicate); a day is replaced whole (delete+insert by usage_date, on
    Spark an overwrite of the day's partition: macro replace_days_strategy).

    A request with no tokens (a failed call) costs 0 and is priced. A request with a bucket that has no price
    (an unknown model) has list_cost_usd NULL and is_priced false: flagged, never $0.
-#}

-- depends_on: {{ ref('int_requests_unioned') }}

{{ config(**replace_days_config()) }}

{#- a request's price key, with its prompt-size tier (prompt_tokens_gt) and each token bucket's usage type -#}
{%- set price_key = ['usage_date', 'provider', 'model_raw', 'service_tier'] -%}
{%- set buckets = request_bucket_types() -%}
{#- the days this build replaces, looked up once (a query when the model runs) for both reads below -#}
{%- set days_to_build = request_days_predicate(ref('int_requests_unioned'), 'loaded_at', 'loaded_at')
    if is_incremental() else none -%}

with

request_usage as (

    select * from {{ ref('int_request_usage') }}
    {% if is_incremental() -%}
        where {{ days_to_build }}
    {%- endif %}

),

-- the price keys of the days being built: each (day, provider, model, service tier) that has requests, at every
-- prompt-size bound of the price book (a request is in one of them: int_request_usage), x every token bucket. A
-- superset of the keys the requests use, a few thousand rows; a key or bucket no request uses is priced and never
-- joined. Read from int_requests_unioned's key columns, which need no JSON parse, and not from request_usage: a
-- second read of request_usage makes DuckDB materialize it (every request with every column, spilled to disk at
-- 100M requests) before pricing a single one.
request_keys as (

    select distinct
        {{ price_key | join(',\n        ') }}
    from {{ ref('int_requests_unioned') }}
    {% if is_incremental() -%}
        where {{ days_to_build }}
    {%- endif %}

),

tier_bounds as (

    select distinct cast(prompt_tokens_gt as bigint) as prompt_tokens_gt
    from {{ ref('stg_pricing__price_book') }}
    union
    select cast(0 as bigint) as prompt_tokens_gt

),

key_buckets as (

    select
        {%- for column in price_key %}
            request_keys.{{ column }},
        {%- endfor %}
        tier_bounds.prompt_tokens_gt,
        buckets.usage_type
    from request_keys
    cross join tier_bounds
    cross join ({{ literal_rows('usage_type', buckets) }}) as buckets

),

-- in the columns of int_usage_unioned that macro price_usage takes; the key columns requests do not have are
-- constants (account and key '(requests)'; context_tier: the prompt-size tier as text; inference_geo: global, the
-- request logs name none)
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
        cast(0 as bigint) as quantity  -- the prices are used, not price_usage's cost of the key
    from key_buckets

),

request_prices as (

    {{ price_usage('price_keys') }}

),

-- one row per price key with each bucket's price side by side, so that each request joins one small row instead of
-- being split into a row per bucket and summed back (the split cost a third of this model's time at 10M requests);
-- with each bucket's price per token, worked out here once per key (macro price_quantity_at)
key_prices as (

    select
        {{ price_key | join(',\n        ') }},
        prompt_tokens_gt,
    {%- for bucket in buckets %}
        max(case when usage_type = '{{ bucket }}' then unit_price_usd end) as {{ bucket }}_unit_price_usd,
        max(case when usage_type = '{{ bucket }}' then unit end) as {{ bucket }}_unit,
        max(case when usage_type = '{{ bucket }}' then {{ quantity_unit_price('unit_price_usd', 'unit') }} end)
            as {{ bucket }}_quantity_unit_price_usd,
        bool_or(case when usage_type = '{{ bucket }}' then is_priced end) as {{ bucket }}_is_priced,
        max(case when usage_type = '{{ bucket }}' then price_effective_from end)
            as {{ bucket }}_effective_from{{ ',' if not loop.last }}
    {%- endfor %}
    from request_prices
    group by {{ price_key | join(', ') }}, prompt_tokens_gt

),

-- per request and bucket it uses: its cost (NULL when unpriced), whether priced, its price's effective date; all
-- three NULL for a bucket the request does not use
bucket_costs as (

    select
        request_usage.*,
    {%- for bucket in buckets %}
        case
            when request_usage.{{ bucket }} > 0 then {{ price_quantity_at(
                    'request_usage.' ~ bucket,
                    'key_prices.' ~ bucket ~ '_quantity_unit_price_usd',
                    'key_prices.' ~ bucket ~ '_unit_price_usd',
                    'key_prices.' ~ bucket ~ '_unit'
                ) }}
        end as {{ bucket }}_cost_usd,
        case when request_usage.{{ bucket }} > 0 then coalesce(key_prices.{{ bucket }}_is_priced, false) end
            as {{ bucket }}_is_priced,
        case when request_usage.{{ bucket }} > 0 then key_prices.{{ bucket }}_effective_from end
            as {{ bucket }}_effective_from{{ ',' if not loop.last }}
    {%- endfor %}
    from request_usage
    left join key_prices
        on
            {{ join_on_columns('request_usage', 'key_prices', price_key) }}
            and request_usage.prompt_tokens_gt = key_prices.prompt_tokens_gt

),

request_costs as (

    select
        *,
        -- every bucket it uses has a price (true for a request that uses none: a failed call, nothing to price)
        (
            {%- for bucket in buckets %}
                coalesce({{ bucket }}_is_priced, true){{ ' and' if not loop.last }}
            {%- endfor %}
        ) as all_priced,
        -- the sum of its buckets' costs: 0 when it uses none; a priced bucket's cost is never NULL
        (
            {%- for bucket in buckets %}
                coalesce({{ bucket }}_cost_usd, 0){{ ' +' if not loop.last }}
            {%- endfor %}
        ) as bucket_cost_usd
    from bucket_costs

),

final as (

    select
        ----------  ids
        request_id,
        source,
        provider,
        model_raw,
        model_id,
        service_tier,

        ----------  strings
        status,
        team,
        feature,
        user_id,
        api_key_alias,
        session_id,
        tags,

        ----------  numerics
        input_tokens,
        cache_read_tokens as cached_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        prompt_tokens,
        prompt_tokens_gt,
        latency_ms,
        {{ to_usd_decimal('reported_cost_usd') }} as reported_cost_usd,
        -- NULL as soon as one bucket has no price (the sum of the priced ones would understate the cost)
        {{ to_usd_decimal('case when all_priced then bucket_cost_usd end') }} as list_cost_usd,

        ----------  booleans
        all_priced as is_priced,

        ----------  dates and timestamps
        usage_date,
        requested_at,
        -- the latest effective date among the prices of its buckets
        greatest(
            {%- for bucket in buckets %}
                {{ bucket }}_effective_from{{ ',' if not loop.last }}
            {%- endfor %}
        ) as price_effective_from,

        ----------  load metadata
        loaded_at,
        '{{ price_book_version() }}' as price_book_version,
        -- when the build that wrote the row started: one value for all the days a build replaces
        {{ build_started_at() }} as built_at

    from request_costs

)

select * from final
