{#-
    Conformed request lines (kind request_lines, read by int_requests_unioned). Helicone stores disjoint buckets:
    prompt_tokens is uncached input, cache reads and writes apart (connectors/helicone/tables.py). Helicone does
    not split cache writes by TTL, so all go to cache_write_tokens; it logs no service tier ('standard').
-#}

with

requests as (

    select * from {{ ref('stg_helicone__requests') }}

),

final as (

    select
        request_id,
        'helicone' as source,
        requested_at,
        usage_date,
        provider,
        model_raw,
        'standard' as service_tier,
        status,
        latency_ms,
        user_id,
        team,
        feature,
        cast(null as string) as api_key_alias,
        session_id,
        tags,
        coalesce(prompt_tokens, 0) as input_tokens,
        coalesce(prompt_cache_read_tokens, 0) as cache_read_tokens,
        coalesce(prompt_cache_write_tokens, 0) as cache_write_tokens,
        cast(0 as bigint) as cache_write_1h_tokens,
        coalesce(completion_tokens, 0) as output_tokens,
        reasoning_tokens,
        cast(coalesce(cost, cost_usd) as decimal(38, 10)) as reported_cost_usd,
        loaded_at
    from requests

)

select * from final
