with

source as (

    select * from {{ ref('price_book') }}

),

renamed as (

    select

        ----------  ids
        lower(provider) as provider,
        lower(model_id) as model_id,
        usage_type,
        lower(service_tier) as service_tier,

        ----------  strings
        unit,
        upper(currency) as currency,
        price_conf,
        date_conf,
        sources,
        notes,

        ----------  numerics
        -- threshold of the long-context tier: the row applies when the prompt is > this many tokens
        cast(coalesce(prompt_tokens_gt, 0) as bigint) as prompt_tokens_gt,
        -- list price in USD per `unit` (per 1M tokens, per 1k requests, ...)
        cast(unit_price as decimal(18, 9)) as unit_price_usd,

        ----------  dates ([effective_from, effective_to), UTC; null effective_to = still current)
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to

    from source

)

select * from renamed
