{#-
    Request cost by local day (issue 10 item 4, DESIGN §6 "marts that say so"): one row per local date in the
    reporting time zone (finops.yaml reporting.time_zone, column reporting_tz) x provider x model x team x
    feature. Request logs have timestamps, so their local day is true; provider daily usage is billed in UTC
    days and has no local split (its marts stay UTC). Each request is in exactly one local day, so the sum over
    local days equals the sum over the requests of any range, DST or not (a day of the change has 23 or 25
    hours). With the default UTC, local_date = usage_date.

    Incremental (delete+insert by local_date, on Spark an overwrite of its partition): a local date spans up
    to two UTC days, so the UTC days fct_request_cost re-landed map to the local dates either side of them
    (macro local_days_predicates), and those are rebuilt from the UTC days around them. A new price book or
    another reporting time zone rebuilds what it changes; rows of another time zone are deleted first
    (pre-hook, macro delete_days_where), since their dates need not recur in the new one.
-#}

{{ config(
    pre_hook="""
        {% if is_incremental() %}
            {{ delete_days_where(this, 'local_date',
                'reporting_tz <> (select time_zone from ' ~ ref('stg_config__reporting') ~ ')') }}
        {% endif %}
    """,
    **replace_days_config('local_date')
) }}

{%- set build = local_days_predicates(ref('fct_request_cost'), ref('stg_config__reporting'))
    if is_incremental() else none -%}

{%- set grain = ['local_date', 'provider', 'model_id', 'team', 'feature'] -%}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    {% if build -%}
        where {{ build.upstream }}
    {%- endif %}

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
        requests.is_priced,
        requests.loaded_at
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
        {{ request_count_measures() }},
        {{ request_cost_measures() }},

        ----------  timestamps
        max(loaded_at) as last_loaded_at,

        ----------  strings
        '{{ price_book_version() }}' as price_book_version

    from localised
    group by {{ grain | join(', ') }}, reporting_tz

)

select * from final
{% if build -%}
    where {{ build.local }}
{%- endif %}
