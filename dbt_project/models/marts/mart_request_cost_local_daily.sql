{#-
    Request cost by local day (issue 10 item 4, DESIGN §6 "marts that say so"): one row per local date in the
    reporting time zone (finops.yaml reporting.time_zone, column reporting_tz) x provider x model x team x
    feature. Request logs have timestamps, so their local day is true; provider daily usage is billed in UTC
    days and has no local split (its marts stay UTC). Each request is in exactly one local day, so the sum over
    local days equals the sum over the requests of any range, DST or not (a day of the change has 23 or 25
    hours). With the default UTC, local_date = usage_date.

    A table, rebuilt whole: a local day spans two UTC days, so fct_request_cost's by-UTC-day increments do not
    map onto its rows.
-#}

{%- set grain = ['local_date', 'provider', 'model_id', 'team', 'feature'] -%}

with

requests as (

    select * from {{ ref('fct_request_cost') }}

),

reporting as (

    select * from {{ ref('stg_config__reporting') }}

),

localised as (

    select
        cast({{ utc_to_local('requests.requested_at', 'reporting.time_zone') }} as date) as local_date,
        reporting.time_zone as reporting_tz,
        requests.provider,
        coalesce(requests.model_id, '(none)') as model_id,
        coalesce(requests.team, '(none)') as team,
        coalesce(requests.feature, '(none)') as feature,
        requests.input_tokens,
        requests.cached_tokens,
        requests.cache_write_tokens,
        requests.cache_write_1h_tokens,
        requests.output_tokens,
        requests.reported_cost_usd,
        requests.list_cost_usd,
        requests.is_priced
    from requests
    cross join reporting

),

final as (

    select
        ----------  ids
        {{ grain | join(',\n        ') }},

        ----------  strings
        reporting_tz,

        ----------  numerics
        count(*) as requests,
        cast(sum(case when is_priced then 0 else 1 end) as bigint) as unpriced_requests,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(cached_tokens) as bigint) as cached_tokens,
        cast(sum(cache_write_tokens) as bigint) as cache_write_tokens,
        cast(sum(cache_write_1h_tokens) as bigint) as cache_write_1h_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        {{ to_usd_decimal('sum(list_cost_usd)') }} as list_cost_usd,
        {{ to_usd_decimal('sum(reported_cost_usd)') }} as reported_cost_usd

    from localised
    group by {{ grain | join(', ') }}, reporting_tz

)

select * from final
