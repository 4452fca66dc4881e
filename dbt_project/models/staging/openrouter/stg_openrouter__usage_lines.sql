{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): the credit-paid activity rows as usage
    buckets. Prompt tokens are input, completion tokens output (reasoning tokens are part of the completion
    tokens, as in OpenRouter's usage object), requests are requests. Bring-your-own-key rows are left out:
    the upstream provider bills their tokens (and its own source counts them); OpenRouter's fee on them is a
    billed line of type fee.
-#}

{%- set buckets = [
    ('input_tokens', 'prompt_tokens'),
    ('output_tokens', 'completion_tokens'),
    ('requests', 'requests'),
] -%}

with

activity as (

    select
        usage_date,
        provider,
        account_id,
        '(none)' as api_key_id,
        model_raw,
        'standard' as service_tier,
        'all' as context_tier,
        0 as prompt_tokens_gt,
        prompt_tokens,
        completion_tokens,
        requests
    from {{ ref('stg_openrouter__activity') }}
    where not is_byok

),

final as (

    {{ usage_buckets('activity', buckets) }}

)

select * from final
