-- Issue 10 item 4: every request is in exactly one local day, so mart_request_cost_local_daily sums to
-- fct_request_cost exactly (requests, input and output tokens, list and reported cost), in any reporting time zone.
with

local_days as (

    select
        sum(requests) as requests,
        coalesce(sum(input_tokens), 0) as input_tokens,
        coalesce(sum(output_tokens), 0) as output_tokens,
        coalesce(sum(list_cost_usd), 0) as list_cost_usd,
        coalesce(sum(reported_cost_usd), 0) as reported_cost_usd
    from {{ ref('mart_request_cost_local_daily') }}

),

requests as (

    select
        count(*) as requests,
        coalesce(sum(input_tokens), 0) as input_tokens,
        coalesce(sum(output_tokens), 0) as output_tokens,
        coalesce(sum(list_cost_usd), 0) as list_cost_usd,
        coalesce(sum(reported_cost_usd), 0) as reported_cost_usd
    from {{ ref('fct_request_cost') }}

)

select
    local_days.requests as local_requests,
    requests.requests,
    local_days.list_cost_usd as local_list_cost_usd,
    requests.list_cost_usd
from local_days
cross join requests
where
    coalesce(local_days.requests, 0) <> coalesce(requests.requests, 0)
    or local_days.input_tokens <> requests.input_tokens
    or local_days.output_tokens <> requests.output_tokens
    or local_days.list_cost_usd <> requests.list_cost_usd
    or local_days.reported_cost_usd <> requests.reported_cost_usd
