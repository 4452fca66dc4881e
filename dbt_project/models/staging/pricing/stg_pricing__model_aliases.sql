with

source as (

    select * from {{ ref('model_aliases') }}

),

renamed as (

    select

        ----------  ids
        lower(provider) as provider,
        lower(alias) as alias,
        lower(model_id) as model_id,

        ----------  strings
        date_conf,
        sources,

        ----------  dates ([effective_from, effective_to), UTC; null effective_to = still current)
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to

    from source

)

select * from renamed
