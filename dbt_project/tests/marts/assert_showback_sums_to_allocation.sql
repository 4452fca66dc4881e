-- Issue 10 item 3: every month of mart_showback_monthly sums to fct_allocated_cost_daily's days of that month
-- exactly (list and effective cost), and its tokens to the ledger's token usage of the month (priced or not).
with

showback as (

    select
        month,
        sum(cost_usd) as cost_usd,
        sum(effective_cost_usd) as effective_cost_usd,
        sum(tokens) as tokens
    from {{ ref('mart_showback_monthly') }}
    group by month

),

allocated as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month, -- noqa: RF04
        sum(allocated_cost_usd) as cost_usd,
        sum(allocated_effective_cost_usd) as effective_cost_usd
    from {{ ref('fct_allocated_cost_daily') }}
    group by cast({{ dbt.date_trunc('month', 'usage_date') }} as date)

),

ledger_tokens as (

    select
        cast({{ dbt.date_trunc('month', 'usage.usage_date') }} as date) as month, -- noqa: RF04
        sum(usage.quantity) as tokens
    from {{ ref('fct_usage_cost_daily') }} as usage -- noqa: RF04
    inner join {{ ref('stg_pricing__usage_types') }} as usage_types
        on usage.usage_type = usage_types.usage_type
    where usage_types.unit = 'per_1m_tokens'
    group by cast({{ dbt.date_trunc('month', 'usage.usage_date') }} as date)

)

select
    coalesce(showback.month, allocated.month) as month, -- noqa: RF04
    showback.cost_usd as showback_cost_usd,
    allocated.cost_usd as allocated_cost_usd,
    showback.tokens as showback_tokens,
    ledger_tokens.tokens as ledger_tokens
from showback
full outer join allocated
    on showback.month = allocated.month
left join ledger_tokens
    on coalesce(showback.month, allocated.month) = ledger_tokens.month
where
    coalesce(showback.cost_usd, 0) <> coalesce(allocated.cost_usd, 0)
    or coalesce(showback.effective_cost_usd, 0) <> coalesce(allocated.effective_cost_usd, 0)
    or coalesce(showback.tokens, 0) <> coalesce(ledger_tokens.tokens, 0)
