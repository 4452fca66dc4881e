{#-
    Budget status per budget x calendar period (issue 10 item 5; DESIGN §6): every period of the budget from
    its scope's first day with spend to the latest data day, past periods included.
      actual_usd: the period's spend to as_of_date (int_budget_actuals_daily, list cost);
      forecast_usd: actual + the forecast of the period's remaining days (forecast.spend_forecast_daily,
        written by the Python step between the two dbt phases; a past period has no remaining days);
      pct_used: actual / budget, a ratio, exact (truncated to 6 places, so a threshold of at most 6 places is
        crossed exactly when pct_used reaches it);
      highest_threshold_crossed: the largest configured threshold <= actual / budget, NULL if none;
      projected_breach_date: the first day the running actual, then actual + forecast, reaches budget_usd;
      status: 'over' (actual >= budget), 'at_risk' (actual + forecast >= budget), else 'ok'.
    Tagged after_forecast: dbt builds it in the second phase, after the forecast asset.
-#}

{{ config(tags=['after_forecast']) }}

with

budgets as (

    select * from {{ source('config', 'budgets') }}

),

thresholds as (

    select * from {{ source('config', 'budget_thresholds') }}

),

actuals as (

    select * from {{ ref('int_budget_actuals_daily') }}

),

forecasts as (

    select * from {{ source('forecast', 'spend_forecast_daily') }}

),

dated as (

    select
        actuals.budget_id,
        actuals.usage_date,
        actuals.actual_usd,
        cast(
            case budgets.period
                when 'quarter' then date_trunc('quarter', actuals.usage_date)
                else date_trunc('month', actuals.usage_date)
            end as date
        ) as period_start
    from actuals
    inner join budgets
        on actuals.budget_id = budgets.budget_id

),

periods as (

    select
        dated.budget_id,
        dated.period_start,
        cast(
            case max(budgets.period)
                when 'quarter' then dated.period_start + interval 3 month
                else dated.period_start + interval 1 month
            end - interval 1 day as date
        ) as period_end,
        max(dated.usage_date) as as_of_date,
        sum(dated.actual_usd) as actual_usd
    from dated
    inner join budgets
        on dated.budget_id = budgets.budget_id
    group by dated.budget_id, dated.period_start

),

-- the days of each period with their amount: the actual days, then the forecast days left in the period
period_days as (

    select
        budget_id,
        period_start,
        usage_date as day_date,
        actual_usd as day_usd,
        cast(null as string) as forecast_method
    from dated
    union all
    select
        periods.budget_id,
        periods.period_start,
        forecasts.forecast_date as day_date,
        forecasts.forecast_usd as day_usd,
        forecasts.method as forecast_method
    from periods
    inner join forecasts
        on
            periods.budget_id = forecasts.budget_id
            and periods.as_of_date < forecasts.forecast_date
            and periods.period_end >= forecasts.forecast_date

),

running as (

    select
        budget_id,
        period_start,
        day_date,
        sum(day_usd) over (
            partition by budget_id, period_start
            order by day_date
            rows between unbounded preceding and current row
        ) as running_usd
    from period_days

),

breaches as (

    select
        running.budget_id,
        running.period_start,
        min(running.day_date) as projected_breach_date
    from running
    inner join budgets
        on running.budget_id = budgets.budget_id
    where running.running_usd >= budgets.amount_usd
    group by running.budget_id, running.period_start

),

forecast_totals as (

    select
        budget_id,
        period_start,
        sum(day_usd) as forecast_rest_usd,
        min(forecast_method) as forecast_method
    from period_days
    where forecast_method is not null
    group by budget_id, period_start

),

crossed as (

    select
        periods.budget_id,
        periods.period_start,
        max(thresholds.threshold) as highest_threshold_crossed
    from periods
    inner join budgets
        on periods.budget_id = budgets.budget_id
    inner join thresholds
        on
            periods.budget_id = thresholds.budget_id
            and periods.actual_usd >= cast(budgets.amount_usd as decimal(38, 12)) * thresholds.threshold
    group by periods.budget_id, periods.period_start

),

final as (

    select
        ----------  ids
        budgets.budget_id,

        ----------  strings
        case
            when budgets.scope_type = 'org' then 'org'
            else budgets.scope_type || '=' || budgets.scope_value
        end as scope,
        budgets.scope_type,
        budgets.scope_value,
        budgets.period,
        case
            when periods.actual_usd >= budgets.amount_usd then 'over'
            when periods.actual_usd + coalesce(forecast_totals.forecast_rest_usd, 0) >= budgets.amount_usd
                then 'at_risk'
            else 'ok'
        end as status,
        coalesce(forecast_totals.forecast_method, 'none') as forecast_method,

        ----------  numerics
        {{ to_usd_decimal('budgets.amount_usd') }} as budget_usd,
        {{ to_usd_decimal('periods.actual_usd') }} as actual_usd,
        {{ to_usd_decimal('periods.actual_usd + coalesce(forecast_totals.forecast_rest_usd, 0)') }} as forecast_usd,
        cast(
            cast(
                {{ whole_quotient(
                    'cast(cast(periods.actual_usd as decimal(38, 12)) * 1000000000000 as '
                    ~ whole_number_type() ~ ') * 1000000',
                    'cast(cast(budgets.amount_usd as decimal(38, 12)) * 1000000000000 as ' ~ whole_number_type() ~ ')'
                ) }}
                as decimal(38, 0)
            ) * cast(0.000001 as decimal(7, 6)) as decimal(18, 6)
        ) as pct_used,
        cast(crossed.highest_threshold_crossed as decimal(18, 6)) as highest_threshold_crossed,

        ----------  dates
        periods.period_start,
        periods.period_end,
        periods.as_of_date,
        breaches.projected_breach_date

    from periods
    inner join budgets
        on periods.budget_id = budgets.budget_id
    left join forecast_totals
        on
            periods.budget_id = forecast_totals.budget_id
            and periods.period_start = forecast_totals.period_start
    left join crossed
        on
            periods.budget_id = crossed.budget_id
            and periods.period_start = crossed.period_start
    left join breaches
        on
            periods.budget_id = breaches.budget_id
            and periods.period_start = breaches.period_start

)

select * from final
