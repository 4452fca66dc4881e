{#-
    Usage from every provider as DISJOINT usage-type buckets (so that sum(quantity x price) = cost), one row per
    (usage_date, provider, account_id, api_key_id, model_raw, service_tier, context_tier, usage_type).

    OpenAI's input_tokens INCLUDES cached and cache-write tokens, so the uncached bucket is the remainder.
    Anthropic's buckets are already disjoint. Zero and null quantities are dropped; raw rows at the same grain
    (OpenAI's per-user rows, hourly buckets) are summed.
-#}

{%- set grain = ['usage_date', 'provider', 'account_id', 'api_key_id', 'model_raw', 'service_tier', 'context_tier'] -%}

{%- set openai_buckets = [
    ('input_tokens', 'input_tokens - coalesce(input_cached_tokens, 0) - coalesce(input_cache_write_tokens, 0)'),
    ('cache_read_tokens', 'input_cached_tokens'),
    ('cache_write_tokens', 'input_cache_write_tokens'),
    ('output_tokens', 'output_tokens'),
] -%}

{%- set anthropic_buckets = [
    ('input_tokens', 'uncached_input_tokens'),
    ('cache_read_tokens', 'cache_read_input_tokens'),
    ('cache_write_tokens', 'cache_creation_5m_input_tokens'),
    ('cache_write_1h_tokens', 'cache_creation_1h_input_tokens'),
    ('output_tokens', 'output_tokens'),
    ('web_search_requests', 'web_search_requests'),
] -%}

with

openai_usage as (

    select * from {{ ref('stg_openai__completions_usage') }}

),

anthropic_usage as (

    select * from {{ ref('stg_anthropic__messages_usage') }}

),

unpivoted as (

    {% for usage_type, expression in openai_buckets %}
    select
        {{ grain | join(', ') }},
        prompt_tokens_gt,
        '{{ usage_type }}' as usage_type,
        {{ expression }} as quantity
    from openai_usage
    union all
    {% endfor %}

    {% for usage_type, expression in anthropic_buckets %}
    select
        {{ grain | join(', ') }},
        prompt_tokens_gt,
        '{{ usage_type }}' as usage_type,
        {{ expression }} as quantity
    from anthropic_usage
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

aggregated as (

    select
        {{ grain | join(', ') }},
        usage_type,
        prompt_tokens_gt,
        sum(quantity) as quantity
    from unpivoted
    where quantity is not null and quantity <> 0
    group by {{ grain | join(', ') }}, usage_type, prompt_tokens_gt

)

select
    {{ grain | join(', ') }},
    usage_type,
    cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
    cast(quantity as bigint) as quantity
from aggregated
