{#- finops.yaml's repricing scenarios (section whatif), as orchestration/whatif.py wrote them. -#}

with

source as (

    select * from {{ source('config', 'whatif_scenarios') }}

),

final as (

    select
        ----------  ids
        scenario,

        ----------  strings
        scope_provider,
        scope_models,
        to_model,
        to_service_tier,
        price_date_rule,

        ----------  numerics
        cast(cache_hit_rate as decimal(5, 4)) as cache_hit_rate,
        cast(batch_share as decimal(5, 4)) as batch_share,

        ----------  dates
        cast(price_date as date) as price_date

    from source

)

select * from final
