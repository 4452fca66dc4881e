-- mart_budget_daily agrees with mart_budget_status for every budget period: the same periods, every day of the
-- period once, the days' actuals summing to its actual_usd, the cumulative actual on as_of_date equal to
-- actual_usd and the projection on period_end equal to forecast_usd, exactly (DECIMAL).
with

status as (

    select * from {{ ref('mart_budget_status') }}

),

daily as (

    select * from {{ ref('mart_budget_daily') }}

),

totals as (

    select
        budget_id,
        period_start,
        count(*) as day_count,
        count(distinct usage_date) as distinct_days,
        min(usage_date) as first_day,
        max(usage_date) as last_day,
        sum(actual_usd) as actual_usd,
        max(case when usage_date = as_of_date then cumulative_actual_usd end) as actual_to_date_usd,
        max(case when usage_date = period_end then cumulative_projected_usd end) as projected_usd
    from daily
    group by budget_id, period_start

)

select
    coalesce(status.budget_id, totals.budget_id) as budget_id,
    coalesce(status.period_start, totals.period_start) as period_start,
    status.period_end,
    totals.day_count,
    totals.first_day,
    totals.last_day,
    status.actual_usd as status_actual_usd,
    totals.actual_usd as daily_actual_usd,
    totals.actual_to_date_usd,
    status.forecast_usd as status_forecast_usd,
    totals.projected_usd as daily_projected_usd
from status
full outer join totals
    on
        status.budget_id = totals.budget_id
        and status.period_start = totals.period_start
where
    status.budget_id is null
    or totals.budget_id is null
    or totals.day_count <> totals.distinct_days
    or totals.day_count <> {{ dbt.datediff('status.period_start', 'status.period_end', 'day') }} + 1
    or totals.first_day <> status.period_start
    or totals.last_day <> status.period_end
    or totals.actual_usd <> status.actual_usd
    or totals.actual_to_date_usd is distinct from status.actual_usd
    or totals.projected_usd is distinct from status.forecast_usd
