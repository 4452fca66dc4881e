{#-
    Gateway budget audit (issue 10 item 8): each LiteLLM budget counter (key, team, user) against the requests
    the proxy logged for that entity over the window the counter covers (stg_litellm_postgres__budget_counters),
    so a user sees when the gateway's enforcement drifts from its own logs and from our price book.
      - The ledger: fct_request_cost's LiteLLM requests (either source; a request both landed counts once),
        matched to the entity as LiteLLM counts spend: a key by its hashed token (api_key), a team by the
        request's team_id, a user by the key owner's internal user id (`user`, not the end user). Landed requests
        count from window_start to logs_since (observed_at's UTC midnight: the spend logs land by completed UTC
        day); the day not landed yet comes from the proxy's spend logs read with the counter (logged_since_usd).
      - logged_usd: the proxy's own cost figure over the window; list_usd: our price book's over the landed part
        plus that day at the proxy's figure (it has no token detail yet); NULL when a request in the window is
        unpriced (unpriced_requests > 0), never $0.
      - ledger_complete: the landed logs cover the window: their first day is on or before window_start's day,
        their last day is the day before logs_since, and the window starts before logs_since. A day with no
        LiteLLM request at all cannot be told from a day not landed, so it counts as not landed (no false drift).
      - tolerance_usd = greatest($0.01, 1% of the counter). LiteLLM adds spend to its counters and writes its
        spend logs in separate batched updates, so a snapshot can be a batch apart; the float counter adds
        rounding far below a cent. A drift past both is no batching artefact.
      - status, first that applies: unknown_window (no window_start), ledger_incomplete, over_budget_by_ledger
        (the logs or the price book say max_budget is spent while the counter is below it: enforcement missed),
        drift (|drift_usd| > tolerance_usd), ok.
    The requests are read from the first day of the earliest window on (macro from_first_window_day, a constant
    that reaches the raw spend logs' scan): the audit reads the budget windows (a month, typically), not the
    whole history, and no request without counters.
-#}

{%- set from_first_day = from_first_window_day(ref('stg_litellm_postgres__budget_counters')) -%}

with

counters as (

    select * from {{ ref('stg_litellm_postgres__budget_counters') }}

),

request_cost as (

    select * from {{ ref('fct_request_cost') }}
    where source in ('litellm', 'litellm_postgres') and {{ from_first_day }}

),

spend_logs as (

    {%- for source_name in ['litellm', 'litellm_postgres'] %}

        select
            '{{ source_name }}' as source,
            request_id,
            api_key_hash,
            coalesce(team_id, metadata_team_id) as team_id,
            coalesce(internal_user_id, metadata_user_id) as user_id
        from {{ ref('stg_' ~ source_name ~ '__spend_logs') }}
        where {{ from_first_day }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- one row per request: the Postgres pull's copy when both sources landed it
requests as (

    select {{ billing_star_except(['copy_rank']) }}
    from (
        select
            request_cost.request_id,
            request_cost.requested_at,
            request_cost.reported_cost_usd,
            request_cost.list_cost_usd,
            request_cost.is_priced,
            spend_logs.api_key_hash,
            spend_logs.team_id,
            spend_logs.user_id,
            row_number() over (
                partition by request_cost.request_id order by request_cost.source desc
            ) as copy_rank
        from request_cost
        inner join spend_logs
            on
                request_cost.source = spend_logs.source
                and request_cost.request_id = spend_logs.request_id
        -- a request before every counter's window counts for none (ledger's join); the days before the first
        -- window's are not read at all (from_first_day)
        where request_cost.requested_at >= (select min(counters.window_start) from counters)
    ) as ranked
    where copy_rank = 1

),

-- every day of LiteLLM requests landed, not only the windows': the first must be on or before a window's start
coverage as (

    select
        min(usage_date) as first_log_day,
        max(usage_date) as last_log_day
    from {{ ref('fct_request_cost') }}
    where source in ('litellm', 'litellm_postgres')

),

entity_requests as (

    {%- for entity_type, column in [('key', 'api_key_hash'), ('team', 'team_id'), ('user', 'user_id')] %}

        select
            '{{ entity_type }}' as entity_type,
            {{ column }} as entity_id,
            requested_at,
            reported_cost_usd,
            list_cost_usd,
            is_priced
        from requests
        where {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

ledger as (

    select
        counters.entity_type,
        counters.entity_id,
        count(entity_requests.entity_id) as requests,
        count(case when not entity_requests.is_priced then 1 end) as unpriced_requests,
        coalesce(sum(entity_requests.reported_cost_usd), 0) as logged_landed_usd,
        coalesce(sum(entity_requests.list_cost_usd), 0) as list_landed_usd
    from counters
    left join entity_requests
        on
            counters.entity_type = entity_requests.entity_type
            and counters.entity_id = entity_requests.entity_id
            and counters.window_start <= entity_requests.requested_at
            and counters.logs_since > entity_requests.requested_at
    group by counters.entity_type, counters.entity_id

),

audited as (

    select
        counters.*,
        ledger.requests,
        ledger.unpriced_requests,
        case
            when counters.window_start is not null
                then ledger.logged_landed_usd + counters.logged_since_usd
        end as logged_usd,
        case
            when counters.window_start is not null and ledger.unpriced_requests = 0
                then ledger.list_landed_usd + counters.logged_since_usd
        end as list_usd,
        coalesce(
            counters.window_start < counters.logs_since
            and counters.logged_since_usd is not null
            and coverage.first_log_day <= cast(counters.window_start as date)
            and coverage.last_log_day >= cast(counters.logs_since as date) - 1,
            false
        ) as ledger_complete,
        greatest(0.01, abs(counters.counter_usd) / 100) as tolerance_usd
    from counters
    inner join ledger
        on
            counters.entity_type = ledger.entity_type
            and counters.entity_id = ledger.entity_id
    cross join coverage

)

select
    entity_type,
    entity_id,
    entity_alias,
    team_id,
    user_id,
    budget_duration,
    window_start,
    observed_at,
    ledger_complete,
    cast(counter_usd as decimal(38, 12)) as counter_usd,
    requests,
    unpriced_requests,
    cast(logged_usd as decimal(38, 12)) as logged_usd,
    cast(list_usd as decimal(38, 12)) as list_usd,
    cast(counter_usd - logged_usd as decimal(38, 12)) as drift_usd,
    cast(counter_usd - list_usd as decimal(38, 12)) as drift_vs_list_usd,
    cast(tolerance_usd as decimal(38, 12)) as tolerance_usd,
    cast(max_budget_usd as decimal(38, 12)) as max_budget_usd,
    cast(round(100 * counter_usd / nullif(max_budget_usd, 0), 6) as decimal(38, 6)) as pct_of_budget_by_counter,
    cast(round(100 * logged_usd / nullif(max_budget_usd, 0), 6) as decimal(38, 6)) as pct_of_budget_by_logs,
    cast(round(100 * list_usd / nullif(max_budget_usd, 0), 6) as decimal(38, 6)) as pct_of_budget_by_list,
    case
        when window_start is null then 'unknown_window'
        when not ledger_complete then 'ledger_incomplete'
        when
            counter_usd < max_budget_usd
            and greatest(logged_usd, coalesce(list_usd, logged_usd)) >= max_budget_usd
            then 'over_budget_by_ledger'
        when abs(counter_usd - logged_usd) > tolerance_usd then 'drift'
        else 'ok'
    end as status
from audited
