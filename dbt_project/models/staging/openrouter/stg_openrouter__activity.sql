{#-
    OpenRouter activity, one row per UTC day x model x provider endpoint. A row with bring-your-own-key spend
    (byok_usage_inference > 0) is BYOK: its tokens were billed by the upstream provider on the caller's own
    key, and its `usage` is OpenRouter's fee for routing them. The API does not split one endpoint's day into
    BYOK and credit-paid requests, so a row with any BYOK spend counts as BYOK.
-#}

with

source as (

    select * from {{ source('openrouter', 'activity') }}

),

renamed as (

    select

        ----------  ids
        coalesce(workspace_id, '(none)') as account_id,
        endpoint_id,

        ----------  strings
        'openrouter' as provider,
        model as model_raw,
        model_permaslug,
        provider_name,

        ----------  numerics
        requests,
        prompt_tokens,
        completion_tokens,
        reasoning_tokens,
        usage as credits_usd,
        coalesce(byok_usage_inference, 0) as byok_inference_usd,

        ----------  booleans
        coalesce(byok_usage_inference, 0) > 0 as is_byok,

        ----------  dates
        cast(bucket_start as date) as usage_date,

        ----------  timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
