{#-
    The teams a shared rule splits among, with their weights: the percentage of a fixed rule (summing to 100),
    1 for each team of an even rule.
-#}

with

source as (

    select * from {{ source('config', 'ownership_shared_shares') }}

),

final as (

    select
        ----------  ids
        rule_id,
        team,

        ----------  numerics
        cast(share_weight as decimal(18, 6)) as share_weight

    from source

)

select * from final
