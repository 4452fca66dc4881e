{#- OpenRouter's model list as last landed: its prices now, in USD per unit (the snapshot keeps the history). -#}

with

source as (

    select * from {{ source('openrouter', 'models') }}

),

renamed as (

    select

        ----------  ids
        lower(id) as model_id,
        canonical_slug,

        ----------  strings
        name as model_name,

        ----------  numerics (USD per token, request, image, web search; -1 = variable, e.g. openrouter/auto)
        context_length,
        pricing_prompt,
        pricing_completion,
        pricing_request,
        pricing_image,
        pricing_image_token,
        pricing_image_output,
        pricing_audio,
        pricing_audio_output,
        pricing_input_audio_cache,
        pricing_input_cache_read,
        pricing_input_cache_write,
        pricing_input_cache_write_1h,
        pricing_internal_reasoning,
        pricing_web_search,
        pricing_discount,

        ----------  timestamps
        created as created_at,
        _loaded_at as observed_at

    from source

)

select * from renamed
