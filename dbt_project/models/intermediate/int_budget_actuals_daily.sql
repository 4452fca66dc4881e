{#-
    Daily actual spend per budget of finops.yaml (section budgets; issue 10 item 5): one row per budget x UTC
    day from the scope's first day with spend to the latest day the ledger has, a day without spend at 0.
    Actual = list cost, the cost the allocation and showback use: team and feature scopes read the allocated
    ledger (fct_allocated_cost_daily.allocated_cost_usd, the split list cost), org, provider, project
    (account_id) and model (model_id) scopes the ledger itself (fct_usage_cost_daily.list_cost_usd).
    Unpriced usage has no cost and adds nothing (it is flagged in those facts). The forecast step
    (orchestration/forecast.py) fits its model on these rows.
-#}

with

budgets as (

    select * from {{ source('config', 'budgets') }}

),

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}

),

allocated as (

    select * from {{ ref('fct_allocated_cost_daily') }}

),

ledger_matches as (

    select
        budgets.budget_id,
        usage.usage_date,
        usage.list_cost_usd as cost_usd
    from budgets
    inner join usage
        on
            budgets.scope_type = 'org'
            or (budgets.scope_type = 'provider' and budgets.scope_value = usage.provider)
            or (budgets.scope_type = 'project' and budgets.scope_value = usage.account_id)
            or (budgets.scope_type = 'model' and budgets.scope_value = usage.model_id)

),

allocated_matches as (

    select
        budgets.budget_id,
        allocated.usage_date,
        allocated.allocated_cost_usd as cost_usd
    from budgets
    inner join allocated
        on
            (budgets.scope_type = 'team' and budgets.scope_value = allocated.team)
            or (budgets.scope_type = 'feature' and budgets.scope_value = allocated.feature)

),

matches as (

    select * from ledger_matches
    union all
    select * from allocated_matches

),

spend as (

    select
        budget_id,
        usage_date,
        sum(cost_usd) as actual_usd
    from matches
    group by budget_id, usage_date

),

latest as (

    select max(usage_date) as latest_date from usage

),

first_days as (

    select
        budget_id,
        min(usage_date) as first_date
    from spend
    group by budget_id

),

days as (

    select
        first_days.budget_id,
        {{ day_rows('first_days.first_date', 'latest.latest_date') }} as usage_date
    from first_days
    cross join latest

),

final as (

    select
        days.budget_id,
        days.usage_date,
        {{ to_usd_decimal('coalesce(spend.actual_usd, 0)') }} as actual_usd
    from days
    left join spend
        on
            days.budget_id = spend.budget_id
            and days.usage_date = spend.usage_date

)

select * from final
