{#- The TCO page's defaults (pricing_seeds/tco_defaults.csv): GPU prices, measured throughput, scalar settings. -#}

with

source as (

    select * from {{ ref('tco_defaults') }}

),

renamed as (

    select

        ----------  ids
        option_id,
        kind,

        ----------  strings
        nullif(gpu, '') as gpu,
        nullif(offer, '') as offer,
        nullif(size_class, '') as size_class,
        nullif(reference_model, '') as reference_model,
        nullif(setting, '') as setting,
        unit,
        nullif(serving_stack, '') as serving_stack,
        nullif(source_url, '') as source_url,
        confidence,
        nullif(notes, '') as notes,

        ----------  numerics
        cast(gpus_per_node as integer) as gpus_per_node,
        cast(value as decimal(18, 6)) as default_value,

        ----------  dates
        cast(as_of as date) as as_of

    from source

)

select * from renamed
