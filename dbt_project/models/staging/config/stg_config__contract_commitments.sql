{#- finops.yaml's spend commitments, one row per contract that commits spend over [valid_from, valid_to). -#}

with

source as (

    select * from {{ source('config', 'contract_commitments') }}

),

final as (

    select
        ----------  ids
        contract_name,
        provider,

        ----------  numerics
        cast(commitment_usd as decimal(18, 6)) as commitment_usd,

        ----------  dates
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to

    from source

)

select * from final
