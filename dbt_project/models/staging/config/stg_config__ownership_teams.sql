{#- finops.yaml's ownership.teams: the cost owners, as orchestration/ownership.py wrote them. -#}

with

source as (

    select * from {{ source('config', 'ownership_teams') }}

),

final as (

    select
        ----------  ids
        team,

        ----------  strings
        cost_center

    from source

)

select * from final
