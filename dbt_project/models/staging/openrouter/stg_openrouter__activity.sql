{#-
    OpenRouter activity, one row per UTC day x model x provider endpoint [x workspace], as the API groups it.
    One row holds both kinds of request side by side: credits_usd (`usage`, what OpenRouter billed in credits,
    its fee on bring-your-own-key requests included) and byok_inference_usd (`byok_usage_inference`, what the
    upstream provider billed on the caller's own key). The row's requests and tokens count both kinds: the API
    does not split them, so they stay on the row (see _openrouter__models.yml).
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

        ----------  dates
        cast(bucket_start as date) as usage_date,

        ----------  timestamps
        _loaded_at as loaded_at

    from source

)

select * from renamed
