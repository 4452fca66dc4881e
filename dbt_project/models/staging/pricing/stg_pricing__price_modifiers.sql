with

source as (

    select * from {{ ref('price_modifiers') }}

),

renamed as (

    select

        ----------  ids
        lower(provider) as provider,
        lower(service_tier) as service_tier,

        ----------  strings
        -- `|`-separated globs over model_id (`*` = any text); '*' alone = every model of the provider
        lower(model_pattern) as model_pattern,
        -- `|`-separated usage types the multiplier applies to; '*' = all
        usage_types,
        -- when set, the multiplier applies to the standard price of this usage type instead
        nullif(base_usage_type, '') as base_usage_type,
        nullif(time_window_utc, '') as time_window_utc,
        price_conf,
        sources,
        notes,

        ----------  numerics
        cast(multiplier as decimal(18, 9)) as multiplier,

        ----------  dates (null = open)
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to

    from source

)

select * from renamed
