with

source as (

    select * from {{ source('openai', 'completions_usage') }}

),

renamed as (

    select

        ----------  ids
        coalesce(project_id, '(none)') as account_id,
        coalesce(api_key_id, '(none)') as api_key_id,
        user_id,

        ----------  strings
        'openai' as provider,
        coalesce(model, '(none)') as model_raw,
        case
            when batch then 'batch'
            when service_tier is null then 'standard'
            when lower(service_tier) in ('default', 'auto', 'scale') then 'standard'
            -- "Priority processing was renamed Fast mode on July 30, 2026. You can use either
            -- service_tier: priority or service_tier: fast" (openai.com/api-fast-mode): one tier, one price list
            when lower(service_tier) = 'fast' then 'priority'
            else lower(service_tier)
        end as service_tier,
        service_tier as service_tier_raw,
        -- OpenAI has no prompt-size tier in its usage report
        'all' as context_tier,

        ----------  numerics (tokens; input_tokens INCLUDES cached and cache-write tokens)
        0 as prompt_tokens_gt,
        input_tokens,
        input_cached_tokens,
        input_cache_write_tokens,
        input_uncached_tokens,
        input_text_tokens,
        input_audio_tokens,
        input_cached_audio_tokens,
        input_image_tokens,
        input_cached_image_tokens,
        output_tokens,
        output_text_tokens,
        output_audio_tokens,
        output_image_tokens,
        num_model_requests,

        ----------  booleans
        coalesce(batch, false) as is_batch,

        ----------  dates
        cast(bucket_start as date) as usage_date,

        ----------  timestamps
        bucket_start as bucket_start_at,
        bucket_end as bucket_end_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
