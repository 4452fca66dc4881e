-- Issue 14 acceptance: for every day, the FOCUS rows' "BilledCost" sums to what the bills say
-- (fct_billed_cost_daily) exactly, and their usage rows' "ListCost" / "EffectiveCost" to the priced ledger.
-- noqa: disable=RF06
with

bills as (

    select
        usage_date,
        sum(billed_cost_usd) as billed_cost_usd
    from {{ ref('fct_billed_cost_daily') }}
    group by usage_date

),

ledger as (

    select
        usage_date,
        sum(list_cost_usd) as list_cost_usd,
        sum(effective_cost_usd) as effective_cost_usd
    from {{ ref('fct_usage_cost_daily') }}
    where is_priced
    group by usage_date

),

focus as (

    select
        usage_date,
        sum({{ adapter.quote('BilledCost') }}) as billed_cost_usd,
        sum(
            case when {{ adapter.quote('ChargeCategory') }} = 'Usage' then {{ adapter.quote('ListCost') }} end
        ) as list_cost_usd,
        sum(
            case when {{ adapter.quote('ChargeCategory') }} = 'Usage' then {{ adapter.quote('EffectiveCost') }} end
        ) as effective_cost_usd
    from {{ ref('focus_cost_and_usage') }}
    group by usage_date

)

select
    coalesce(bills.usage_date, ledger.usage_date, focus.usage_date) as usage_date,
    bills.billed_cost_usd as bills_usd,
    focus.billed_cost_usd as focus_billed_usd
from bills
full outer join ledger
    on bills.usage_date = ledger.usage_date
full outer join focus
    on coalesce(bills.usage_date, ledger.usage_date) = focus.usage_date
where
    coalesce(bills.billed_cost_usd, 0) <> coalesce(focus.billed_cost_usd, 0)
    or coalesce(ledger.list_cost_usd, 0) <> coalesce(focus.list_cost_usd, 0)
    or coalesce(ledger.effective_cost_usd, 0) <> coalesce(focus.effective_cost_usd, 0)
