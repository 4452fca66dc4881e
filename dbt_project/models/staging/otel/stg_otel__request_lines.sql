{#-
    Conformed request lines of OpenTelemetry (read by int_requests_unioned): the model-call spans of
    stg_otel__spans (is_model_call), one row per span, in the columns of request_line_columns().

    Tokens as DISJOINT buckets. The GenAI conventions count cache reads and cache writes INSIDE
    gen_ai.usage.input_tokens ("SHOULD include all types of input tokens, including cached tokens"), so
    input_tokens = input - cache_read - cache_creation. Some instrumentations report the cache parts apart
    (Anthropic-style, e.g. Sentry's gen_ai.usage.cache_read_input_tokens next to an uncached input count):
    when cache_read + cache_creation exceed the input count, the count cannot include them, and it is taken as
    the uncached input as it is. (Apart-reported cache parts smaller than the input cannot be told from
    included ones; they are read as included.) The conventions have no 1-hour cache-write count: cache writes
    go to cache_write_tokens. Reasoning tokens are part of output_tokens (informational). Counts a span does
    not report are 0.

    request_id is trace_id:span_id. A span id is only unique within its trace (trace.proto: "A unique
    identifier for a span within a trace"), so the pair identifies the call, and a span exported twice (a
    Collector retry, an export read twice) keeps one id, which fct_request_cost deduplicates.
-#}

with

spans as (

    select * from {{ ref('stg_otel__spans') }}
    where is_model_call

),

final as (

    select
        trace_id || ':' || span_id as request_id,
        'otel' as source,
        started_at as requested_at,
        usage_date,
        {{ request_provider('provider_name') }} as provider,
        regexp_replace(coalesce(response_model, request_model), '^.*/', '') as model_raw,
        service_tier,
        case when status_code = 2 or error_type is not null then 'error' else 'success' end as status,
        cast(duration_ms as bigint) as latency_ms,
        user_id,
        team,
        feature,
        cast(null as string) as api_key_alias,
        coalesce(conversation_id, trace_id) as session_id,
        tags,
        cast(case
            when
                coalesce(usage_cache_read_tokens, 0) + coalesce(usage_cache_creation_tokens, 0)
                > coalesce(usage_input_tokens, 0)
                then coalesce(usage_input_tokens, 0)
            else
                coalesce(usage_input_tokens, 0)
                - coalesce(usage_cache_read_tokens, 0)
                - coalesce(usage_cache_creation_tokens, 0)
        end as bigint) as input_tokens,
        cast(coalesce(usage_cache_read_tokens, 0) as bigint) as cache_read_tokens,
        cast(coalesce(usage_cache_creation_tokens, 0) as bigint) as cache_write_tokens,
        cast(0 as bigint) as cache_write_1h_tokens,
        cast(coalesce(usage_output_tokens, 0) as bigint) as output_tokens,
        cast(coalesce(usage_reasoning_tokens, 0) as bigint) as reasoning_tokens,
        cast(null as decimal(38, 10)) as reported_cost_usd,
        loaded_at
    from spans

)

select * from final
