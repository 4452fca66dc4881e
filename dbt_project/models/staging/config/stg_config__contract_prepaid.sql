{#- finops.yaml's prepaid credit purchases, one row per credit, as orchestration/contracts.py wrote them. -#}

with

source as (

    select * from {{ source('config', 'contract_prepaid') }}

),

final as (

    select
        ----------  ids
        contract_name,
        provider,
        cast(credit_number as integer) as credit_number,

        ----------  numerics
        cast(credit_usd as decimal(18, 6)) as credit_usd,
        cast(paid_usd as decimal(18, 6)) as paid_usd,

        ----------  dates
        cast(purchased_on as date) as purchased_on,
        cast(expires as date) as expires

    from source

)

select * from final
