{#-
    Budget x period x day (the Budgets page's burn-up): every day of every period of mart_budget_status, a date
    spine from period_start to period_end, so a day without spend is a $0 actual, never a missing row.
      actual_usd: the day's spend in the budget's scope (int_budget_actuals_daily: the scope rules live there
        only), 0 before the scope's first day with spend; NULL after as_of_date (not happened yet);
      forecast_usd: the day's forecast (forecast.spend_forecast_daily, the table mart_budget_status reads) for
        the days after as_of_date; NULL on actual days and on a later day the forecast does not cover;
      cumulative_actual_usd: the period's running actual, NULL after as_of_date;
      cumulative_projected_usd: the running actual, then actual to date + the running forecast (a day without a
        forecast adds nothing, as in mart_budget_status).
    The periods (bounds, as_of_date, budget) are mart_budget_status's rows, so the two marts cannot disagree on
    them; the test assert_budget_daily_matches_status checks that the period's last actual day's
    cumulative_actual_usd is its actual_usd and period_end's cumulative_projected_usd its forecast_usd.
    Tagged after_forecast: dbt builds it in the second phase, after the forecast asset.
-#}

{{ config(tags=['after_forecast']) }}

with

periods as (

    select * from {{ ref('mart_budget_status') }}

),

actuals as (

    select * from {{ ref('int_budget_actuals_daily') }}

),

forecasts as (

    select * from {{ source('forecast', 'spend_forecast_daily') }}

),

forecast_days as (

    select
        budget_id,
        forecast_date,
        sum(forecast_usd) as forecast_usd
    from forecasts
    group by budget_id, forecast_date

),

days as (

    select
        budget_id,
        period_start,
        period_end,
        as_of_date,
        budget_usd,
        {{ day_rows('period_start', 'period_end') }} as usage_date
    from periods

),

daily as (

    select
        days.budget_id,
        days.period_start,
        days.period_end,
        days.as_of_date,
        days.budget_usd,
        days.usage_date,
        days.usage_date <= days.as_of_date as is_actual,
        case when days.usage_date <= days.as_of_date then coalesce(actuals.actual_usd, 0) end as actual_usd,
        case when days.usage_date > days.as_of_date then forecast_days.forecast_usd end as forecast_usd
    from days
    left join actuals
        on
            days.budget_id = actuals.budget_id
            and days.usage_date = actuals.usage_date
    left join forecast_days
        on
            days.budget_id = forecast_days.budget_id
            and days.usage_date = forecast_days.forecast_date

),

running as (

    select
        *,
        sum(coalesce(actual_usd, forecast_usd, 0)) over (
            partition by budget_id, period_start
            order by usage_date
            rows between unbounded preceding and current row
        ) as running_usd
    from daily

),

final as (

    select
        ----------  ids
        budget_id,

        ----------  numerics
        {{ to_usd_decimal('budget_usd') }} as budget_usd,
        {{ to_usd_decimal('actual_usd') }} as actual_usd,
        {{ to_usd_decimal('case when is_actual then running_usd end') }} as cumulative_actual_usd,
        {{ to_usd_decimal('forecast_usd') }} as forecast_usd,
        {{ to_usd_decimal('running_usd') }} as cumulative_projected_usd,

        ----------  booleans
        is_actual,

        ----------  dates
        period_start,
        period_end,
        as_of_date,
        usage_date

    from running

)

select * from final
