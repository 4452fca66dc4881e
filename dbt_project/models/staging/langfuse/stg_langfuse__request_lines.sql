{#-
    Conformed request lines (kind request_lines, read by int_requests_unioned): one row per Langfuse
    generation, in the columns of the macro request_line_columns(); the meanings are worked out in
    stg_langfuse__generations.
-#}

with

generations as (

    select * from {{ ref('stg_langfuse__generations') }}

),

final as (

    select
        generation_id as request_id,
        'langfuse' as source,
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
        input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        reported_cost_usd,
        loaded_at
    from generations

)

select * from final
