-- Issue 10 acceptance: for every day, allocated plus unallocated equals the ledger (the priced list cost of
-- fct_usage_cost_daily) exactly, not to within a cent; and the effective-cost basis likewise.
with

ledger as (

    select
        usage_date,
        sum(list_cost_usd) as list_cost_usd,
        sum(effective_cost_usd) as effective_cost_usd
    from {{ ref('fct_usage_cost_daily') }}
    where is_priced
    group by usage_date

),

allocated as (

    select
        usage_date,
        sum(allocated_cost_usd) as list_cost_usd,
        sum(allocated_effective_cost_usd) as effective_cost_usd
    from {{ ref('fct_allocated_cost_daily') }}
    group by usage_date

)

select
    coalesce(ledger.usage_date, allocated.usage_date) as usage_date,
    ledger.list_cost_usd as ledger_cost_usd,
    allocated.list_cost_usd as allocated_cost_usd
from ledger
full outer join allocated
    on ledger.usage_date = allocated.usage_date
where
    coalesce(ledger.list_cost_usd, 0) <> coalesce(allocated.list_cost_usd, 0)
    or coalesce(ledger.effective_cost_usd, 0) <> coalesce(allocated.effective_cost_usd, 0)
