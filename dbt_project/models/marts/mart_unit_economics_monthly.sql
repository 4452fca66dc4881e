{#-
    Unit economics per month (its first UTC day) x team (issue 10 item 3). Team '(all)' is the whole
    organisation and is always there for a month with priced usage or priced requests. Two bases, each
    consistent in itself:

    Usage basis (the ledger, fct_usage_cost_daily, priced usage only): for '(all)' all of it; for a team only
    the day x provider x account x model groups of the ledger whose whole priced cost went to that team by
    direct ownership (fct_allocated_cost_daily): only there is every token, tier and cache read of the usage
    known to be the team's. Shared or split groups count in '(all)' only; usage_cost_usd / showback_cost_usd
    says how much of the team's showback the usage metrics cover.
      - cost_per_1k_tokens = usage_cost_usd x 1000 / tokens (usage types priced per 1M tokens).
      - cache_hit_rate = cache_read_tokens / (input_tokens + cache_read_tokens), input_tokens uncached.
      - cache_savings_usd = sum of cache_read_tokens x (input price - cache read price), both the unit prices
        of fct_usage_cost_daily of the same day, provider, model, service tier, context tier and geo; NULL
        when some cache read has no priced uncached input there to compare with (a partial sum is never shown).
      - batch_share = the cost of service tier 'batch' / usage_cost_usd.
    Request basis (the request logs' priced requests, int_requests_attributed, read as its daily roll-ups
    int_requests_attributed_daily and int_request_users_daily; a team's are those attributed to it): requests, active_users (distinct user ids), request_cost_usd (their list cost), cost_per_request and
    cost_per_active_user from request_cost_usd: both sides come from the same logs, whatever share of the
    ledger the logs cover.
    Ratios are NULL when their denominator is 0 or unknown.
-#}

{%- set price_key = ['usage_date', 'provider', 'model_id', 'service_tier', 'context_tier', 'inference_geo'] -%}

with

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}
    where is_priced

),

usage_types as (

    select * from {{ ref('stg_pricing__usage_types') }}

),

allocated as (

    select * from {{ ref('fct_allocated_cost_daily') }}
    where is_priced

),

showback as (

    select * from {{ ref('mart_showback_monthly') }}

),

attributed_requests as (

    select * from {{ ref('int_requests_attributed_daily') }}
    where is_priced

),

request_users as (

    select * from {{ ref('int_request_users_daily') }}
    where is_priced

),

-- ledger groups whose whole priced cost is one team's by direct ownership
direct_groups as (

    select
        usage_date,
        provider,
        account_id,
        model_id,
        min(team) as team
    from allocated
    group by usage_date, provider, account_id, model_id
    having count(distinct team) = 1 and bool_and(allocation_method = 'direct')

),

input_prices as (

    select
        {{ price_key | join(', ') }},
        max(unit_price_usd) as input_price_usd
    from usage
    where usage_type = 'input_tokens'
    group by {{ price_key | join(', ') }}

),

usage_lines as (

    select
        usage.usage_date,
        usage.provider,
        usage.account_id,
        usage.model_id,
        usage.usage_type,
        usage.service_tier,
        usage.list_cost_usd,
        input_prices.input_price_usd,
        case when usage_types.unit = 'per_1m_tokens' then usage.quantity else 0 end as tokens,
        case
            when usage.usage_type = 'cache_read_tokens'
                then {{ price_quantity(
                    'usage.quantity', 'input_prices.input_price_usd - usage.unit_price_usd', 'usage.unit'
                ) }}
        end as cache_savings_usd
    from usage
    left join usage_types
        on usage.usage_type = usage_types.usage_type
    left join input_prices
        on {{ join_on_columns('usage', 'input_prices', price_key) }}

),

team_lines as (

    select
        '(all)' as team,
        usage_lines.*
    from usage_lines

    union all

    select
        direct_groups.team,
        usage_lines.*
    from usage_lines
    inner join direct_groups
        on {{ join_on_columns('usage_lines', 'direct_groups', ['usage_date', 'provider', 'account_id', 'model_id']) }}

),

usage_metrics as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month, -- noqa: RF04
        team,
        sum(list_cost_usd) as usage_cost_usd,
        sum(tokens) as tokens,
        sum(case when usage_type = 'input_tokens' then tokens else 0 end) as input_tokens,
        sum(case when usage_type = 'cache_read_tokens' then tokens else 0 end) as cache_read_tokens,
        case
            when bool_or(usage_type = 'cache_read_tokens' and input_price_usd is null) then null
            else coalesce(sum(cache_savings_usd), 0)
        end as cache_savings_usd,
        sum(case when service_tier = 'batch' then list_cost_usd else 0 end) as batch_cost_usd
    from team_lines
    group by cast({{ dbt.date_trunc('month', 'usage_date') }} as date), team

),

request_lines as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month, -- noqa: RF04
        team,
        requests,
        list_cost_usd
    from attributed_requests

),

user_lines as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month, -- noqa: RF04
        team,
        user_id
    from request_users

),

request_totals as (

    select
        month,
        '(all)' as team,
        sum(requests) as requests,
        sum(list_cost_usd) as request_cost_usd
    from request_lines
    group by month

    union all

    select
        month,
        team,
        sum(requests) as requests,
        sum(list_cost_usd) as request_cost_usd
    from request_lines
    where team <> '(unallocated)'
    group by month, team

),

user_totals as (

    select
        month,
        '(all)' as team,
        count(distinct user_id) as active_users
    from user_lines
    group by month

    union all

    select
        month,
        team,
        count(distinct user_id) as active_users
    from user_lines
    where team <> '(unallocated)'
    group by month, team

),

request_metrics as (

    select
        request_totals.month,
        request_totals.team,
        request_totals.requests,
        coalesce(user_totals.active_users, 0) as active_users,
        request_totals.request_cost_usd
    from request_totals
    left join user_totals
        on request_totals.month = user_totals.month and request_totals.team = user_totals.team

),

showback_totals as (

    select
        month,
        team,
        sum(cost_usd) as showback_cost_usd
    from showback
    group by month, team

    union all

    select
        month,
        '(all)' as team,
        sum(cost_usd) as showback_cost_usd
    from showback
    group by month

),

teams_months as (

    select
        month,
        team
    from usage_metrics

    union

    select
        month,
        team
    from request_metrics

    union

    select
        month,
        team
    from showback_totals
    where team <> '(unallocated)'

),

joined as (

    select
        teams_months.month,
        teams_months.team,
        showback_totals.showback_cost_usd,
        usage_metrics.usage_cost_usd,
        usage_metrics.tokens,
        usage_metrics.input_tokens,
        usage_metrics.cache_read_tokens,
        usage_metrics.cache_savings_usd,
        usage_metrics.batch_cost_usd,
        request_metrics.requests,
        request_metrics.active_users,
        request_metrics.request_cost_usd
    from teams_months
    left join usage_metrics
        on teams_months.month = usage_metrics.month and teams_months.team = usage_metrics.team
    left join request_metrics
        on teams_months.month = request_metrics.month and teams_months.team = request_metrics.team
    left join showback_totals
        on teams_months.month = showback_totals.month and teams_months.team = showback_totals.team

),

final as (

    select
        ----------  ids
        month,
        team,

        ----------  numerics
        {{ to_usd_decimal('showback_cost_usd') }} as showback_cost_usd,
        {{ to_usd_decimal('usage_cost_usd') }} as usage_cost_usd,
        case
            when showback_cost_usd > 0 then cast(coalesce(usage_cost_usd, 0) / showback_cost_usd as decimal(18, 6))
        end as usage_coverage_share,
        cast(tokens as bigint) as tokens,
        case when tokens > 0 then {{ exact_divide('usage_cost_usd * 1000', 'tokens') }} end as cost_per_1k_tokens,
        cast(input_tokens as bigint) as input_tokens,
        cast(cache_read_tokens as bigint) as cache_read_tokens,
        case
            when input_tokens + cache_read_tokens > 0
                then cast(cache_read_tokens / (input_tokens + cache_read_tokens) as decimal(18, 6))
        end as cache_hit_rate,
        {{ to_usd_decimal('cache_savings_usd') }} as cache_savings_usd,
        {{ to_usd_decimal('batch_cost_usd') }} as batch_cost_usd,
        case when usage_cost_usd > 0 then cast(batch_cost_usd / usage_cost_usd as decimal(18, 6)) end as batch_share,
        cast(coalesce(requests, 0) as bigint) as requests,
        cast(coalesce(active_users, 0) as bigint) as active_users,
        {{ to_usd_decimal('request_cost_usd') }} as request_cost_usd,
        case when requests > 0 then {{ exact_divide('request_cost_usd', 'requests') }} end as cost_per_request,
        case
            when active_users > 0 then {{ exact_divide('request_cost_usd', 'active_users') }}
        end as cost_per_active_user

    from joined

)

select * from final
