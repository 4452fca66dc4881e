{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): every activity row as usage buckets.
    Prompt tokens are input, completion tokens output (reasoning tokens are part of the completion tokens, as
    in OpenRouter's usage object), requests are requests. A row's counts cover its credit-paid and its
    bring-your-own-key requests alike (the API does not split them): all of them are the row's usage, and its
    billed lines (stg_openrouter__billed_lines) hold both what OpenRouter and what the upstream provider billed.

    A row whose BYOK inference is counted elsewhere (is_byok_counted_elsewhere: finops.yaml
    openrouter.byok_billed_by_upstream lists its upstream provider) is left out whole: that provider's own
    source reports the BYOK requests' tokens, and the row's tokens cannot be split (they stay listed with the
    BYOK amount in fct_openrouter_byok_daily).
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
    where not is_byok_counted_elsewhere

),

final as (

    {{ usage_buckets('activity', buckets) }}

)

select * from final
