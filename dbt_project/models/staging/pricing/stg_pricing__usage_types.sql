with

source as (

    select * from {{ ref('usage_types') }}

),

renamed as (

    select

        ----------  ids
        usage_type,
        -- priced at this usage type when the model has no price of its own (recursively)
        nullif(fallback_usage_type, '') as fallback_usage_type,

        ----------  strings
        unit,
        direction,
        notes

    from source

)

select * from renamed
