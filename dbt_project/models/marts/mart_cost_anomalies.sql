{#-
    Daily spend against its own baseline, per UTC day x scope (issue 10 item 6; the interface is in the yml).
    Scopes: the org, each provider, each model (model_id, across providers) - from the ledger
    fct_usage_cost_daily's priced list cost, the cost showback allocates - and each team, from
    fct_allocated_cost_daily (which sums to that ledger every day). Unpriced usage has no cost and is left out.

    Baseline, robust to the weekly pattern: expected = the median of the same weekday in the 4 weeks before
    (days before the scope's first day of spend do not count; days within its life with no spend count as $0);
    spread = greatest(1.4826 x MAD of those days, 10% of expected, $1); score = (actual - expected) / spread.
    A day is scored only with at least 3 such weeks of history. Only increases are flagged (warning from 3.5,
    critical from 6): drops are savings or outages that other checks see.

    Driver of a flagged day: every model, API key, team and usage type of the scope is compared with its own
    same-weekday median (a driver absent that day is not a candidate; one new since counts from $0). The most
    specific kind that explains at least half of the scope's rise wins (model, then api_key, team,
    usage_type), its largest mover; if none does, the largest mover of any kind.

    Every row needs only its own scope's previous 28 days: a window per scope, so the model can be built
    for a range of days from those days alone.
-#}

{%- set scope_of = "case s.scope_type when 'org' then 'org' when 'provider' then 'provider=' || u.provider
    else 'model=' || u.model_id end" -%}
{%- set value_of = "case s.scope_type when 'provider' then u.provider when 'model' then u.model_id end" -%}

with

usage as (

    select
        usage_date,
        provider,
        model_id,
        coalesce(api_key_id, '(no key)') as api_key_id,
        usage_type,
        list_cost_usd as cost_usd
    from {{ ref('fct_usage_cost_daily') }}
    where is_priced

),

allocated as (

    select
        usage_date,
        provider,
        model_id,
        team,
        allocated_cost_usd as cost_usd
    from {{ ref('fct_allocated_cost_daily') }}
    where is_priced

),

-- the ledger's lines give every driver but the team, the allocation's lines the team
lines as (

    select
        usage_date,
        provider,
        model_id,
        api_key_id,
        usage_type,
        null as team,
        cost_usd,
        false as is_allocation
    from usage
    union all
    select
        usage_date,
        provider,
        model_id,
        null as api_key_id,
        null as usage_type,
        team,
        cost_usd,
        true as is_allocation
    from allocated

),

-- every day x scope x driver; driver_type 'total' (driver_value '') is the scope's own spend
usage_cells as (

    select
        u.usage_date,
        {{ scope_of }} as scope,
        s.scope_type,
        {{ value_of }} as scope_value,
        d.driver_type,
        case d.driver_type
            when 'model' then u.model_id
            when 'api_key' then u.api_key_id
            when 'usage_type' then u.usage_type
            when 'team' then u.team
            else ''
        end as driver_value,
        u.cost_usd
    from lines as u
    cross join (values ('org'), ('provider'), ('model')) as s (scope_type)
    cross join (values ('total'), ('model'), ('api_key'), ('usage_type'), ('team')) as d (driver_type)
    where
        u.is_allocation = (d.driver_type = 'team')
        and not (s.scope_type = 'model' and d.driver_type = 'model')

),

team_cells as (

    select
        a.usage_date,
        'team=' || a.team as scope,
        'team' as scope_type,
        a.team as scope_value,
        d.driver_type,
        case d.driver_type when 'model' then a.model_id else '' end as driver_value,
        a.cost_usd
    from allocated as a
    cross join (values ('total'), ('model')) as d (driver_type)

),

cells as (

    select
        usage_date,
        scope,
        scope_type,
        scope_value,
        driver_type,
        driver_value,
        sum(cost_usd) as cost_usd
    from (
        select * from usage_cells
        union all
        select * from team_cells
    ) as unioned
    group by usage_date, scope, scope_type, scope_value, driver_type, driver_value

),

scope_first_days as (

    select
        scope,
        min(usage_date) as first_date
    from cells
    where driver_type = 'total'
    group by scope

),

-- the same weekday 1..4 weeks before; NULL before the scope's first day, $0 on a day of its life without spend
same_weekdays as (

    select
        c.usage_date,
        c.scope,
        c.driver_type,
        c.driver_value,
        case
            when c.usage_date - 7 * w.weeks_back >= f.first_date then coalesce(h.cost_usd, 0)
        end as past_cost_usd
    from cells as c
    inner join scope_first_days as f on c.scope = f.scope
    cross join (values (1), (2), (3), (4)) as w (weeks_back)
    left join cells as h
        on
            c.scope = h.scope
            and c.driver_type = h.driver_type
            and c.driver_value = h.driver_value
            and h.usage_date = c.usage_date - 7 * w.weeks_back

),

baselines as (

    select
        usage_date,
        scope,
        driver_type,
        driver_value,
        count(past_cost_usd) as history_weeks,
        {{ to_usd_decimal('median(past_cost_usd)') }} as expected_usd
    from same_weekdays
    group by usage_date, scope, driver_type, driver_value

),

spreads as (

    select
        p.usage_date,
        p.scope,
        {{ to_usd_decimal('median(abs(p.past_cost_usd - b.expected_usd))') }} as mad_usd
    from same_weekdays as p
    inner join baselines as b
        on
            p.usage_date = b.usage_date
            and p.scope = b.scope
            and p.driver_type = b.driver_type
            and p.driver_value = b.driver_value
    where p.driver_type = 'total'
    group by p.usage_date, p.scope

),

scored as (

    select
        c.usage_date,
        c.scope,
        c.scope_type,
        c.scope_value,
        {{ to_usd_decimal('c.cost_usd') }} as actual_usd,
        case when b.history_weeks >= 3 then b.expected_usd end as expected_usd,
        case
            when b.history_weeks >= 3
                then cast(
                    (c.cost_usd - b.expected_usd)
                    / greatest(
                        cast(1.4826 as decimal(5, 4)) * s.mad_usd,
                        cast(0.10 as decimal(3, 2)) * b.expected_usd,
                        cast(1 as decimal(3, 2))
                    )
                    as decimal(18, 4)
                )
        end as score
    from cells as c
    inner join baselines as b
        on
            c.usage_date = b.usage_date
            and c.scope = b.scope
            and c.driver_type = b.driver_type
            and c.driver_value = b.driver_value
    inner join spreads as s
        on
            c.usage_date = s.usage_date
            and c.scope = s.scope
    where c.driver_type = 'total'

),

classified as (

    select
        *,
        case
            when score >= 6 then 'critical'
            when score >= 3.5 then 'warning'
            else 'none'
        end as severity
    from scored

),

-- the drivers of the flagged days, each against its own same-weekday median
movers as (

    select
        k.usage_date,
        k.scope,
        c.driver_type,
        c.driver_value,
        {{ to_usd_decimal('c.cost_usd - b.expected_usd') }} as driver_delta_usd,
        cast(
            (c.cost_usd - b.expected_usd) / (k.actual_usd - k.expected_usd) as decimal(18, 6)
        ) as explained_share,
        case c.driver_type when 'model' then 1 when 'api_key' then 2 when 'team' then 3 else 4 end as specificity
    from classified as k
    inner join cells as c
        on
            k.usage_date = c.usage_date
            and k.scope = c.scope
    inner join baselines as b
        on
            c.usage_date = b.usage_date
            and c.scope = b.scope
            and c.driver_type = b.driver_type
            and c.driver_value = b.driver_value
    where k.severity != 'none' and c.driver_type != 'total'

),

ranked_movers as (

    select
        *,
        row_number() over (
            partition by usage_date, scope
            order by
                case when explained_share >= 0.5 then specificity else 5 end asc,
                driver_delta_usd desc,
                driver_type asc,
                driver_value asc
        ) as driver_rank
    from movers

),

final as (

    select
        -- the order of the interface (issue 10 items 5-7), which the alerts and the app read
        k.usage_date,
        k.scope,
        k.scope_type,
        k.scope_value,
        k.actual_usd,
        k.expected_usd,
        k.score,
        k.severity,
        k.severity != 'none' as is_anomaly,
        m.driver_type,
        m.driver_value,
        m.driver_delta_usd,
        m.explained_share

    from classified as k
    left join ranked_movers as m
        on
            k.usage_date = m.usage_date
            and k.scope = m.scope
            and m.driver_rank = 1

)

select * from final
