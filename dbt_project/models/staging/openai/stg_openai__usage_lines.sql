{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): completions usage as DISJOINT
    usage-type buckets, one row per raw row x bucket. OpenAI's input_tokens INCLUDES cached and cache-write
    tokens, so the uncached input bucket is the remainder. Then the other usage endpoints, one row per raw
    row in their own usage types and units (stg_openai__other_usage). Zero and null quantities are left to
    the union.
-#}

{%- set buckets = [
    ('input_tokens', 'input_tokens - coalesce(input_cached_tokens, 0) - coalesce(input_cache_write_tokens, 0)'),
    ('cache_read_tokens', 'input_cached_tokens'),
    ('cache_write_tokens', 'input_cache_write_tokens'),
    ('output_tokens', 'output_tokens'),
] -%}

with

completions_usage as (

    select * from {{ ref('stg_openai__completions_usage') }}

),

other_usage as (

    select * from {{ ref('stg_openai__other_usage') }}

),

final as (

    {{ usage_buckets('completions_usage', buckets) }}

    union all

    select
        usage_date,
        provider,
        account_id,
        api_key_id,
        model_raw,
        service_tier,
        context_tier,
        cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
        usage_type,
        quantity
    from other_usage

)

select * from final
