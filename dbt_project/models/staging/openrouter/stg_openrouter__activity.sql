{#-
    OpenRouter activity, one row per UTC day x model x provider endpoint [x workspace], as the API groups it.
    One row holds both kinds of request side by side: credits_usd (`usage`, what OpenRouter billed in credits,
    its fee on bring-your-own-key requests included) and byok_inference_usd (`byok_usage_inference`, what the
    upstream provider billed on the caller's own key). The row's requests and tokens count both kinds: the API
    does not split them, so they stay on the row (see _openrouter__models.yml).

    upstream_provider is the warehouse's provider of the endpoint (config.openrouter_byok_upstream, from
    connectors.openrouter.BYOK_UPSTREAM_PROVIDERS; NULL for a provider BYOK is not offered for).
    is_byok_counted_elsewhere: the row has BYOK inference on an upstream provider that finops.yaml
    openrouter.byok_billed_by_upstream lists, whose own billing this warehouse loads: that spend and the row's
    tokens arrive with that provider's source, so OpenRouter's usage and billed lines leave them out.
-#}

with

source as (

    select * from {{ source('openrouter', 'activity') }}

),

byok_upstream as (

    select * from {{ source('config', 'openrouter_byok_upstream') }}

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

),

final as (

    select
        renamed.*,
        byok_upstream.upstream_provider,
        coalesce(renamed.byok_inference_usd <> 0 and byok_upstream.is_billed_by_upstream, false)
            as is_byok_counted_elsewhere
    from renamed
    left join byok_upstream
        on lower(renamed.provider_name) = lower(byok_upstream.provider_name)

)

select * from final
