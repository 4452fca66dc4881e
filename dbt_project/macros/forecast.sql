{#-
    forecast.spend_forecast_daily is written by Python (orchestration/forecast.py, the Dagster asset
    forecast/spend_forecast_daily) between the two dbt phases. So that any dbt build can read it (a first
    build, a test building a subset), an on-run-start hook creates it empty where it is missing; the Python
    step replaces its rows. Its columns here and in orchestration/forecast.py FORECAST_COLUMNS are one list.
-#}

{% macro ensure_forecast_table() -%}
    {#- One statement per call: Spark SQL runs no `;`-separated batch. -#}
    {%- do run_query('create schema if not exists forecast') -%}
    create table if not exists forecast.spend_forecast_daily (
        budget_id string,
        forecast_date date,
        forecast_usd {{ money_type() }},
        method string,
        trained_through date
    )
{%- endmacro %}
