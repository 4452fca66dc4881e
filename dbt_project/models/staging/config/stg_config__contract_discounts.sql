{#- finops.yaml's negotiated discounts, one row per contract x model pattern (orchestration/contracts.py). -#}

with

source as (

    select * from {{ source('config', 'contract_discounts') }}

),

final as (

    select
        ----------  ids
        contract_name,
        provider,

        ----------  strings
        model_pattern,

        ----------  numerics
        cast(discount_pct as decimal(9, 6)) as discount_pct,
        cast(specificity as integer) as specificity,

        ----------  dates
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to

    from source

)

select * from final
