{#-
    The distinct price keys that requests use: one row per (day, provider, model_raw, service tier,
    prompt-size tier, usage type) with a nonzero bucket, in the columns of int_usage_unioned so that
    int_request_prices prices them with the macro that prices provider usage. The key columns requests do not
    have are constants: account_id and api_key_id '(requests)'; context_tier is the prompt-size tier as text.
-#}

with

request_usage as (

    select * from {{ ref('int_request_usage') }}

),

request_buckets as (

    {{ request_token_buckets('request_usage', [
        'usage_date', 'provider', 'model_raw', 'service_tier', 'prompt_tokens_gt',
    ]) }}

),

price_keys as (

    select
        usage_date,
        provider,
        '(requests)' as account_id,
        '(requests)' as api_key_id,
        model_raw,
        service_tier,
        cast(prompt_tokens_gt as varchar) as context_tier,
        usage_type,
        cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
        cast(sum(quantity) as bigint) as quantity
    from request_buckets
    group by usage_date, provider, model_raw, service_tier, prompt_tokens_gt, usage_type

)

select * from price_keys
