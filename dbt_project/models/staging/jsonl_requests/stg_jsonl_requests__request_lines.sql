{#-
    Conformed request lines (kind request_lines, read by int_requests_unioned). The plain format's token counts
    are disjoint by definition (README), so they pass through; a missing count is 0.
-#}

with

requests as (

    select * from {{ ref('stg_jsonl_requests__requests') }}

),

final as (

    select
        request_id,
        'jsonl_requests' as source,
        requested_at,
        usage_date,
        provider,
        model_raw,
        service_tier,
        status,
        latency_ms,
        user_id,
        team,
        feature,
        cast(null as string) as api_key_alias,
        session_id,
        tags,
        coalesce(input_tokens, 0) as input_tokens,
        coalesce(cache_read_tokens, 0) as cache_read_tokens,
        coalesce(cache_write_tokens, 0) as cache_write_tokens,
        coalesce(cache_write_1h_tokens, 0) as cache_write_1h_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        reasoning_tokens,
        cost_usd as reported_cost_usd,
        loaded_at
    from requests

)

select * from final
