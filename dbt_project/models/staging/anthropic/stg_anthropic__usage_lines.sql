{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): messages usage as DISJOINT
    usage-type buckets, one row per raw row x bucket. The API's buckets are already disjoint (uncached
    input, cache reads, 5-minute and 1-hour cache writes, output, web searches), so each maps to one usage
    type as reported. Zero and null quantities are left to the union.
-#}

{%- set buckets = [
    ('input_tokens', 'uncached_input_tokens'),
    ('cache_read_tokens', 'cache_read_input_tokens'),
    ('cache_write_tokens', 'cache_creation_5m_input_tokens'),
    ('cache_write_1h_tokens', 'cache_creation_1h_input_tokens'),
    ('output_tokens', 'output_tokens'),
    ('web_search_requests', 'web_search_requests'),
] -%}

with

messages_usage as (

    select * from {{ ref('stg_anthropic__messages_usage') }}

),

final as (

    {{ usage_buckets('messages_usage', buckets) }}

)

select * from final
