{#-
    The calendar (DESIGN §6, issue 10 item 4): one row per UTC date from var dim_date_start (inclusive,
    default 2015-01-01) to dim_date_end (exclusive, default 2041-01-01), with calendar, ISO-week and fiscal
    labels. Analysts join a fact's UTC day (usage_date) or a local day (local_date) to date_day for fiscal
    periods.

    Fiscal convention: the fiscal year starts on the first of finops.yaml reporting.fiscal_year_start_month
    (default 1, the calendar year) and is named by the calendar year in which it ends: with April (4),
    2026-04-01 .. 2027-03-31 is FY2027, and 2026-03-31 is FY2026 Q4. week_start is the first day of the date's
    week under reporting.week_start (monday by default, ISO).
-#}

with

spine as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('dim_date_start', '2015-01-01') ~ "' as date)",
        "cast('" ~ var('dim_date_end', '2041-01-01') ~ "' as date)",
    ) }}

),

reporting as (

    select * from {{ ref('stg_config__reporting') }}

),

calendar as (

    select
        cast(spine.date_day as date) as date_day,
        cast(extract(year from spine.date_day) as integer) as calendar_year,
        cast(extract(month from spine.date_day) as integer) as calendar_month,
        cast({{ iso_day_of_week("spine.date_day") }} as integer) as day_of_week,
        reporting.fiscal_year_start_month,
        reporting.week_start_isodow
    from spine
    cross join reporting

),

fiscal as (

    select
        *,
        -- months since the fiscal year began, plus one: April start -> April 1, March 12
        cast(mod(calendar_month - fiscal_year_start_month + 12, 12) + 1 as integer) as fiscal_month,
        cast(floor(mod(calendar_month - fiscal_year_start_month + 12, 12) / 3) + 1 as integer) as fiscal_quarter,
        -- named by the calendar year it ends in: from the start month on, the year that ends next calendar year
        calendar_year + case
            when fiscal_year_start_month > 1 and calendar_month >= fiscal_year_start_month then 1 else 0
        end as fiscal_year,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from calendar

),

final as (

    select
        ----------  ids
        date_day,

        ----------  strings
        'FY' || cast(fiscal_year as string) || ' Q' || cast(fiscal_quarter as string) as fiscal_quarter_label,

        ----------  numerics
        calendar_year,
        cast(extract(quarter from date_day) as integer) as calendar_quarter,
        calendar_month,
        day_of_week,
        cast({{ iso_year("date_day") }} as integer) as iso_year,
        cast(extract(week from date_day) as integer) as iso_week,
        fiscal_year,
        fiscal_quarter,
        fiscal_month,

        ----------  booleans
        day_of_week >= 6 as is_weekend,

        ----------  dates
        cast({{ dbt.dateadd('day', '-mod(day_of_week - week_start_isodow + 7, 7)', 'date_day') }} as date)
            as week_start,
        month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        cast({{ dbt.dateadd('month', '-(fiscal_month - 1)', 'month_start') }} as date) as fiscal_year_start,
        cast({{ dbt.dateadd('month', '-mod(fiscal_month - 1, 3)', 'month_start') }} as date) as fiscal_quarter_start

    from fiscal

)

select * from final
