{#-
    How the ledger was allocated, one row per UTC day x provider (issue 10 item 2): the ledger's priced list
    cost and its parts by method (they sum to it: fct_allocated_cost_daily sums to the ledger every day), and
    two shares of it - tag_coverage_share, the part allocated through request logs (tags and request rules,
    method proportional), and allocated_share, the part given to a team by any method.
-#}

with

allocated as (

    select * from {{ ref('fct_allocated_cost_daily') }}
    where is_priced

),

by_method as (

    select
        usage_date,
        provider,
        {{ to_usd_decimal('sum(allocated_cost_usd)') }} as ledger_cost_usd,
        sum(case when allocation_method = 'direct' then allocated_cost_usd else 0 end) as direct_usd,
        sum(case when allocation_method = 'proportional' then allocated_cost_usd else 0 end) as proportional_usd,
        sum(case when allocation_method = 'even' then allocated_cost_usd else 0 end) as even_usd,
        sum(case when allocation_method = 'fixed_share' then allocated_cost_usd else 0 end) as fixed_share_usd,
        sum(case when allocation_method = 'unallocated' then allocated_cost_usd else 0 end) as unallocated_usd
    from allocated
    group by usage_date, provider

),

final as (

    select
        ----------  ids
        usage_date,
        provider,

        ----------  numerics
        ledger_cost_usd,
        {{ to_usd_decimal('direct_usd') }} as direct_usd,
        {{ to_usd_decimal('proportional_usd') }} as proportional_usd,
        {{ to_usd_decimal('even_usd') }} as even_usd,
        {{ to_usd_decimal('fixed_share_usd') }} as fixed_share_usd,
        {{ to_usd_decimal('unallocated_usd') }} as unallocated_usd,
        case
            when ledger_cost_usd > 0 then cast(proportional_usd / ledger_cost_usd as decimal(18, 6))
        end as tag_coverage_share,
        case
            when ledger_cost_usd > 0 then cast((ledger_cost_usd - unallocated_usd) / ledger_cost_usd as decimal(18, 6))
        end as allocated_share

    from by_method

)

select * from final
