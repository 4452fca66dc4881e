{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): messages usage as DISJOINT
    usage-type buckets, one row per raw row x bucket. The API's buckets are already disjoint (uncached
    input, cache reads, 5-minute and 1-hour cache writes, output, web searches), so each maps to one usage
    type as reported. inference_geo: 'us' for US-only inference (priced with its uplift), else 'global'
    (global routing, and "not_available" for models released before Feb 2026, which have no geo choice).
    Zero and null quantities are left to the union.
-#}

{%- set buckets = [
    ('input_tokens', 'uncached_input_tokens'),
    ('cache_read_tokens', 'cache_read_input_tokens'),
    ('cache_write_tokens', 'cache_creation_5m_input_tokens'),
    ('cache_write_1h_tokens', 'cache_creation_1h_input_tokens'),
    ('output_tokens', 'output_tokens'),
    ('web_search_requests', 'web_search_requests'),
] -%}
{%- set geo = "case when lower(inference_geo) = 'us' then 'us' else 'global' end" -%}

with

messages_usage as (

    select * from {{ ref('stg_anthropic__messages_usage') }}

),

final as (

    {{ usage_buckets('messages_usage', buckets, inference_geo=geo) }}

)

select * from final
