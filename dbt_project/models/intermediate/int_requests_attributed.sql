{#-
    Each priced request's cost owner (issue 10 item 1), for proportional allocation: the first request rule of
    finops.yaml (ownership.request_rules, lowest priority) whose field or tag equals its value gives the team
    [and feature]; a rule wins over the request's own team field. With no rule, the request's own team counts
    when it names a declared team (exactly); otherwise team is '(unallocated)': the request says nothing usable
    about who spent. feature: the rule's, else the request's, else '(none)'. user_id: the request's own (for
    active users in mart_unit_economics_monthly).
    Every request is here, with is_priced: a reader weighs or counts the priced ones only (an unpriced request's
    cost is unknown, so it cannot weigh in a split). Every request, not the priced ones alone, so that each day
    fct_request_cost rebuilt has rows here and its old rows are replaced (a day whose requests all lost their
    price would otherwise keep its old rows).

    A table, incremental by day, not a view: three marts and its tests read it on every build, and as a view each
    read matched every request of every day against the rules again (at 10M requests, 5 s for one test). A build
    replaces the days fct_request_cost rebuilt since this table's last build (requests_built_at, fct_request_cost's
    built_at), and every day when the ownership rules or teams changed (rules_version).
-#}

{{ config(**replace_days_config()) }}

{%- set rules_version = relations_fingerprint([
    ref('stg_config__ownership_request_rules'), ref('stg_config__ownership_teams')
]) -%}
{%- set versions = {'rules_version': rules_version} -%}
{#- the days this build replaces, looked up once (a query when the model runs) for both reads below -#}
{%- set days_to_build = days_rebuilt_upstream(ref('fct_request_cost'), 'requests_built_at', versions)
    if is_incremental() else none -%}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    {% if is_incremental() -%}
        where {{ days_to_build }}
    {%- endif %}

),

rules as (

    select * from {{ ref('stg_config__ownership_request_rules') }}

),

teams as (

    select * from {{ ref('stg_config__ownership_teams') }}

),

-- the requests a rule matches. fct_request_cost is read here again, not through the CTE requests: a CTE read twice is
-- materialized whole by DuckDB (at 100M requests, every request's tags and ids, spilled to disk) before either read
rule_matches as (

    select
        requests.source,
        requests.request_id,
        rules.rule_id,
        rules.team,
        rules.feature,
        row_number() over (
            partition by requests.source, requests.request_id order by rules.priority
        ) as match_rank
    from {{ ref('fct_request_cost') }} as requests
    inner join rules
        on
            (rules.match_field = 'team' and requests.team = rules.match_value)
            or (rules.match_field = 'feature' and requests.feature = rules.match_value)
            or (rules.match_field = 'user' and requests.user_id = rules.match_value)
            or (rules.match_field = 'api_key_alias' and requests.api_key_alias = rules.match_value)
            or (
                rules.match_field = 'tag'
                and {{ json_key_text('requests.tags', 'rules.tag_key') }} = rules.match_value
            )
    {% if is_incremental() -%}
        where {{ days_to_build }}
    {%- endif %}

),

first_matches as (

    select * from rule_matches
    where match_rank = 1

),

final as (

    select
        ----------  ids
        requests.source,
        requests.request_id,
        requests.provider,
        requests.model_id,
        coalesce(first_matches.team, teams.team, '(unallocated)') as team,
        coalesce(first_matches.feature, requests.feature, '(none)') as feature,
        first_matches.rule_id,
        requests.user_id,

        ----------  strings
        case
            when first_matches.rule_id is not null then 'request_rule'
            when teams.team is not null then 'request_team'
            else 'none'
        end as attributed_by,

        ----------  numerics
        requests.list_cost_usd,

        ----------  booleans
        requests.is_priced,

        ----------  dates
        requests.usage_date,

        ----------  build metadata
        requests.built_at as requests_built_at,
        '{{ rules_version }}' as rules_version,
        {{ build_started_at() }} as built_at

    from requests
    left join first_matches
        on
            requests.source = first_matches.source
            and requests.request_id = first_matches.request_id
    left join teams
        on requests.team = teams.team

)

select * from final
