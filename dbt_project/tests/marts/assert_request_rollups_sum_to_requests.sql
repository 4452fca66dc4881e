-- Issue 13: fct_request_cost_team_daily is fct_request_cost_daily rolled up, both built incrementally by day, so
-- every UTC day must hold the same requests, unpriced requests, tokens, list cost and reported cost in both (a day
-- one of them missed or built twice shows here).
{%- set sides = [('team_days', ref('fct_request_cost_team_daily')), ('requests_days', ref('fct_request_cost_daily'))] %}
with

{% for name, relation in sides %}
    {{ name }} as (

        select
            usage_date,
            sum(requests) as requests,
            sum(unpriced_requests) as unpriced_requests,
            coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) as tokens,
            coalesce(sum(list_cost_usd), 0) as list_cost_usd,
            coalesce(sum(reported_cost_usd), 0) as reported_cost_usd
        from {{ relation }}
        group by usage_date

    ){{ ',' if not loop.last }}
{% endfor %}

select
    coalesce(team_days.usage_date, requests_days.usage_date) as usage_date,
    team_days.requests as team_days_requests,
    requests_days.requests,
    team_days.list_cost_usd as team_days_list_cost_usd,
    requests_days.list_cost_usd
from team_days
full outer join requests_days on team_days.usage_date = requests_days.usage_date
where
    team_days.usage_date is null
    or requests_days.usage_date is null
    or team_days.requests <> requests_days.requests
    or team_days.unpriced_requests <> requests_days.unpriced_requests
    or team_days.tokens <> requests_days.tokens
    or team_days.list_cost_usd <> requests_days.list_cost_usd
    or team_days.reported_cost_usd <> requests_days.reported_cost_usd
