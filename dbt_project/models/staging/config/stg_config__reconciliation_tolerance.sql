{#- finops.yaml's reconciliation tolerance per provider ('*': the default), as orchestration/config.py wrote it. -#}

with

source as (

    select * from {{ source('config', 'reconciliation_tolerance') }}

),

final as (

    select
        ----------  ids
        provider,

        ----------  numerics
        cast(absolute_usd as decimal(18, 6)) as absolute_usd,
        cast(relative_pct as decimal(9, 6)) as relative_pct

    from source

)

select * from final
