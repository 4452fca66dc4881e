-- Sum rule: the reconciliation's computed and billed totals equal the facts' totals, per provider and day.
with

usage as (

    select
        usage_date,
        provider,
        coalesce(sum(contracted_cost_usd), 0) as computed_cost_usd
    from {{ ref('fct_usage_cost_daily') }}
    group by usage_date, provider

),

billed as (

    select
        usage_date,
        provider,
        sum(billed_cost_usd) as billed_cost_usd
    from {{ ref('fct_billed_cost_daily') }}
    group by usage_date, provider

),

reconciled as (

    select
        usage_date,
        provider,
        sum(computed_cost_usd) as computed_cost_usd,
        sum(billed_cost_usd) as billed_cost_usd
    from {{ ref('fct_cost_reconciliation_daily') }}
    group by usage_date, provider

)

select reconciled.*
from reconciled
left join usage
    on reconciled.usage_date = usage.usage_date and reconciled.provider = usage.provider
left join billed
    on reconciled.usage_date = billed.usage_date and reconciled.provider = billed.provider
where
    reconciled.computed_cost_usd <> coalesce(usage.computed_cost_usd, 0)
    or reconciled.billed_cost_usd <> coalesce(billed.billed_cost_usd, 0)
