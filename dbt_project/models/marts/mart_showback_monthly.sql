{#-
    Showback (issue 10 item 3; DESIGN §6): one row per month (its first UTC day) x team x cost center x
    provider x model, from the ledger split to cost owners (fct_allocated_cost_daily), so a month's rows sum to
    that split exactly (test assert_showback_sums_to_allocation), and hence to the ledger's priced list cost.
      - cost_usd / effective_cost_usd: the team's allocated list / effective cost; NULL when the row holds only
        unpriced usage (has_unpriced_usage says a row's cost leaves unpriced usage out; never $0).
      - direct / shared (proportional, even, fixed_share) / unallocated parts of cost_usd, and allocation_basis
        naming the methods present.
      - tokens: the ledger's token usage (usage types priced per 1M tokens) of each day x provider x account x
        model, split to the group's rows in proportion to their allocated list cost, in whole tokens: the
        remainder of the split goes to the group's largest row, so tokens sum to the ledger's exactly. A group
        whose priced cost is $0 splits its tokens evenly. Unpriced usage's tokens go to '(unallocated)' with it.
      - requests: the priced requests of the request logs attributed to the team for the month, provider and
        model (int_requests_attributed, rolled up by day in int_requests_attributed_daily); 0 when none was
        logged.
      - cost_center: dim_team's; '(unallocated)' for team '(unallocated)', '(none)' for a team without one.
-#}

{%- set group_line = ['usage_date', 'provider', 'account_id', 'model_id'] -%}

with

allocated as (

    select * from {{ ref('fct_allocated_cost_daily') }}

),

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}

),

usage_types as (

    select * from {{ ref('stg_pricing__usage_types') }}

),

attributed_requests as (

    select * from {{ ref('int_requests_attributed_daily') }}
    where is_priced

),

-- the ledger's tokens and priced cost per day x provider x account x model
ledger_groups as (

    select
        usage.{{ group_line | join(',\n        usage.') }},
        sum(case when usage.is_priced then usage.list_cost_usd end) as group_cost_usd,
        cast(
            sum(case when usage.is_priced then usage.quantity else 0 end) as {{ whole_number_type() }}
        ) as priced_tokens,
        cast(
            sum(case when usage.is_priced then 0 else usage.quantity end) as {{ whole_number_type() }}
        ) as unpriced_tokens
    from usage
    inner join usage_types
        on usage.usage_type = usage_types.usage_type
    where usage_types.unit = 'per_1m_tokens'
    group by usage.{{ group_line | join(', usage.') }}

),

group_rows as (

    select
        allocated.*,
        ledger_groups.group_cost_usd,
        coalesce(
            case when allocated.is_priced then ledger_groups.priced_tokens else ledger_groups.unpriced_tokens end, 0
        ) as line_tokens,
        count(*) over (
            partition by allocated.{{ group_line | join(', allocated.') }}, allocated.is_priced
        ) as rows_in_line
    from allocated
    left join ledger_groups
        on {{ join_on_columns('allocated', 'ledger_groups', group_line) }}

),

-- each row's whole tokens, rounded down: in proportion to its cost, or evenly when the line's cost is $0
token_parts as (

    select
        *,
        case
            when is_priced and group_cost_usd > 0
                then {{ whole_quotient(
                    'line_tokens * cast(cast(allocated_cost_usd as decimal(38, 12)) * 1000000000000 as '
                    ~ whole_number_type() ~ ')',
                    'cast(cast(group_cost_usd as decimal(38, 12)) * 1000000000000 as ' ~ whole_number_type() ~ ')'
                ) }}
            else {{ whole_quotient('line_tokens', 'rows_in_line') }}
        end as token_part
    from group_rows

),

-- the line's remainder to its largest row
allocated_tokens as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month, -- noqa: RF04
        token_part
        + case
            when
                row_number() over (
                    partition by {{ group_line | join(', ') }}, is_priced
                    order by allocated_cost_usd desc, team asc, feature asc, allocation_method asc, rule_id asc
                ) = 1
                then line_tokens - sum(token_part) over (partition by {{ group_line | join(', ') }}, is_priced)
            else 0
        end as tokens
    from token_parts

),

monthly as (

    select
        month,
        team,
        coalesce(cost_center, case when team = '(unallocated)' then '(unallocated)' else '(none)' end)
            as cost_center,
        provider,
        model_id,
        {{ sorted_string_agg('allocation_method', "'+'", distinct=true) }} as allocation_basis,
        sum(allocated_cost_usd) as cost_usd,
        sum(allocated_effective_cost_usd) as effective_cost_usd,
        sum(case when allocation_method = 'direct' then allocated_cost_usd else 0 end) as direct_cost_usd,
        sum(
            case when allocation_method in ('proportional', 'even', 'fixed_share') then allocated_cost_usd else 0 end
        ) as shared_cost_usd,
        sum(case when allocation_method = 'unallocated' then allocated_cost_usd else 0 end) as unallocated_cost_usd,
        sum(tokens) as tokens,
        bool_or(not is_priced) as has_unpriced_usage
    from allocated_tokens
    group by
        month,
        team,
        coalesce(cost_center, case when team = '(unallocated)' then '(unallocated)' else '(none)' end),
        provider,
        model_id

),

monthly_requests as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month, -- noqa: RF04
        team,
        provider,
        model_id,
        sum(requests) as requests
    from attributed_requests
    group by cast({{ dbt.date_trunc('month', 'usage_date') }} as date), team, provider, model_id

),

final as (

    select
        ----------  ids
        monthly.month,
        monthly.team,
        monthly.cost_center,
        monthly.provider,
        monthly.model_id,

        ----------  strings
        monthly.allocation_basis,

        ----------  numerics
        {{ to_usd_decimal('monthly.cost_usd') }} as cost_usd,
        {{ to_usd_decimal('monthly.effective_cost_usd') }} as effective_cost_usd,
        {{ to_usd_decimal('monthly.direct_cost_usd') }} as direct_cost_usd,
        {{ to_usd_decimal('monthly.shared_cost_usd') }} as shared_cost_usd,
        {{ to_usd_decimal('monthly.unallocated_cost_usd') }} as unallocated_cost_usd,
        case
            when sum(monthly.cost_usd) over (partition by monthly.month) > 0
                then cast(
                    monthly.cost_usd / sum(monthly.cost_usd) over (partition by monthly.month) as decimal(18, 6)
                )
        end as share_of_total,
        cast(monthly.tokens as bigint) as tokens,
        cast(coalesce(monthly_requests.requests, 0) as bigint) as requests,

        ----------  booleans
        monthly.has_unpriced_usage

    from monthly
    left join monthly_requests
        on
            monthly.month = monthly_requests.month
            and monthly.team = monthly_requests.team
            and monthly.provider = monthly_requests.provider
            and monthly.model_id = monthly_requests.model_id

)

select * from final
