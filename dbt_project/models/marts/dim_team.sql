{#-
    The cost owners of finops.yaml (ownership.teams), one row per team, plus the row '(unallocated)' that
    fct_allocated_cost_daily uses for spend no rule gives to a team (is_cost_owner false), so every allocated
    row joins here. Declared names are [a-z0-9_-]+, so they never collide with it.
-#}

with

teams as (

    select * from {{ ref('stg_config__ownership_teams') }}

),

final as (

    select
        ----------  ids
        team,

        ----------  strings
        cost_center,

        ----------  booleans
        true as is_cost_owner

    from teams

    union all

    select
        '(unallocated)' as team,
        cast(null as string) as cost_center,
        false as is_cost_owner

)

select * from final
