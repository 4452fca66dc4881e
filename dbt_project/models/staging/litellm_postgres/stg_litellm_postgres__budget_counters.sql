{#-
    LiteLLM's budget counters as last landed: one row per key, team and user, with the window its counter
    covers. LiteLLM resets `spend` to 0 at budget_reset_at and moves budget_reset_at one budget_duration on, so
    the counter covers [budget_reset_at - budget_duration, observed_at); with no duration it never resets and
    covers [created_at, observed_at). budget_duration is a count and a unit as the proxy reads it: s, m
    (minutes), h, d, w, mo (calendar months). A duration that does not parse, or a duration without a
    budget_reset_at (proxies older than that column), leaves window_start NULL: the window is unknown.
-#}

{%- set duration_pattern = "'^([0-9]+) *(mo|[smhdw])$'" -%}

with

source as (

    select * from {{ source('litellm_postgres', 'budget_counters') }}

),

parsed as (

    select
        entity_type,
        entity_id,
        nullif(entity_alias, '') as entity_alias,
        nullif(team_id, '') as team_id,
        nullif(user_id, '') as user_id,
        spend as counter_usd,
        max_budget as max_budget_usd,
        nullif(trim(budget_duration), '') as budget_duration,
        budget_reset_at,
        created_at,
        observed_at,
        logs_since,
        logged_spend_since as logged_since_usd,
        try_cast(
            nullif(regexp_extract(lower(trim(budget_duration)), {{ duration_pattern }}, 1), '') as integer
        ) as duration_count,
        nullif(regexp_extract(lower(trim(budget_duration)), {{ duration_pattern }}, 2), '') as duration_unit
    from source

),

windowed as (

    select
        *,
        case
            when budget_duration is null then created_at
            when duration_count is null or budget_reset_at is null then null
            when duration_unit = 'mo' then {{ timestamp_minus('budget_reset_at', 'duration_count', 'month') }}
            when duration_unit = 'w' then {{ timestamp_minus('budget_reset_at', '7 * duration_count', 'day') }}
            when duration_unit = 'd' then {{ timestamp_minus('budget_reset_at', 'duration_count', 'day') }}
            when duration_unit = 'h' then {{ timestamp_minus('budget_reset_at', 'duration_count', 'hour') }}
            when duration_unit = 'm' then {{ timestamp_minus('budget_reset_at', 'duration_count', 'minute') }}
            else {{ timestamp_minus('budget_reset_at', 'duration_count', 'second') }}
        end as window_start
    from parsed

)

select
    entity_type,
    entity_id,
    entity_alias,
    team_id,
    user_id,
    cast(counter_usd as decimal(38, 10)) as counter_usd,
    cast(max_budget_usd as decimal(38, 10)) as max_budget_usd,
    budget_duration,
    budget_reset_at,
    created_at,
    cast(window_start as timestamp) as window_start,
    observed_at,
    logs_since,
    cast(logged_since_usd as decimal(38, 10)) as logged_since_usd
from windowed
