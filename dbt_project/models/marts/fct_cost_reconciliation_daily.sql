{#-
    Computed (list-priced usage) against billed cost, one row per UTC day x provider x account (full outer join).

    Only like is compared with like: the computed cost against the billed usage lines that carry a usage type
    (token and web-search lines, billed_usage_usd). Billed usage the usage sources do not count (tool calls,
    storage, code execution: billed_other_usage_usd), credits, tax, fees and refunds are reported in their
    own columns and never count as variance. billed_cost_usd is everything billed, net.

    status, first match wins:
      billed_only     a bill but no usage
      unpriced_usage  some usage that day/account has no price (the computed cost is incomplete)
      usage_only      usage but no billed usage line
      matched         |variance| < $0.01
      variance        otherwise
-#}

with

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}

),

billed as (

    select * from {{ ref('fct_billed_cost_daily') }}

),

accounts as (

    select * from {{ ref('dim_account') }}

),

usage_daily as (

    select
        usage_date,
        provider,
        account_id,
        sum(list_cost_usd) as computed_cost_usd,
        sum(case when is_priced then 0 else quantity end) as unpriced_quantity
    from usage
    group by usage_date, provider, account_id

),

billed_daily as (

    select
        usage_date,
        provider,
        account_id,
        sum(billed_cost_usd) as billed_cost_usd,
        sum(case when line_type = 'usage' and usage_type is not null then billed_cost_usd else 0 end)
            as billed_usage_usd,
        sum(case when line_type = 'usage' and usage_type is null then billed_cost_usd else 0 end)
            as billed_other_usage_usd,
        sum(case when line_type = 'credit' then billed_cost_usd else 0 end) as credit_usd,
        sum(case when line_type = 'tax' then billed_cost_usd else 0 end) as tax_usd,
        sum(case when line_type = 'fee' then billed_cost_usd else 0 end) as fee_usd,
        sum(case when line_type = 'refund' then billed_cost_usd else 0 end) as refund_usd,
        sum(case when line_type = 'usage' and usage_type is not null then 1 else 0 end) as billed_usage_lines
    from billed
    group by usage_date, provider, account_id

),

joined as (

    select
        coalesce(usage_daily.usage_date, billed_daily.usage_date) as usage_date,
        coalesce(usage_daily.provider, billed_daily.provider) as provider,
        coalesce(usage_daily.account_id, billed_daily.account_id) as account_id,
        {{ to_usd_decimal('coalesce(usage_daily.computed_cost_usd, 0)') }} as computed_cost_usd,
        {{ to_usd_decimal('coalesce(billed_daily.billed_cost_usd, 0)') }} as billed_cost_usd,
        {{ to_usd_decimal('coalesce(billed_daily.billed_usage_usd, 0)') }} as billed_usage_usd,
        {{ to_usd_decimal('coalesce(billed_daily.billed_other_usage_usd, 0)') }} as billed_other_usage_usd,
        {{ to_usd_decimal('coalesce(billed_daily.credit_usd, 0)') }} as credit_usd,
        {{ to_usd_decimal('coalesce(billed_daily.tax_usd, 0)') }} as tax_usd,
        {{ to_usd_decimal('coalesce(billed_daily.fee_usd, 0)') }} as fee_usd,
        {{ to_usd_decimal('coalesce(billed_daily.refund_usd, 0)') }} as refund_usd,
        coalesce(billed_daily.billed_usage_lines, 0) > 0 as has_billed_usage,
        cast(coalesce(usage_daily.unpriced_quantity, 0) as bigint) as unpriced_quantity,
        usage_daily.usage_date is not null as has_usage,
        billed_daily.usage_date is not null as has_billed
    from usage_daily
    full outer join billed_daily
        on
            usage_daily.usage_date = billed_daily.usage_date
            and usage_daily.provider = billed_daily.provider
            and usage_daily.account_id = billed_daily.account_id

),

final as (

    select
        ----------  ids
        joined.usage_date,
        joined.provider,
        joined.account_id,

        ----------  strings
        coalesce(accounts.account_name, joined.account_id) as account_name,
        case
            when not joined.has_usage then 'billed_only'
            when joined.unpriced_quantity > 0 then 'unpriced_usage'
            when not joined.has_billed_usage then 'usage_only'
            when abs(joined.computed_cost_usd - joined.billed_usage_usd) < 0.01 then 'matched'
            else 'variance'
        end as status,

        ----------  numerics
        joined.computed_cost_usd,
        joined.billed_usage_usd,
        {{ to_usd_decimal('joined.computed_cost_usd - joined.billed_usage_usd') }} as variance_usd,
        -- a ratio, not money: DuckDB divides decimals in DOUBLE, so it is rounded to 6 places and cast back
        case
            when joined.billed_usage_usd <> 0
                then cast(
                    round((joined.computed_cost_usd - joined.billed_usage_usd) * 100 / joined.billed_usage_usd, 6)
                    as decimal(38, 6)
                )
        end as variance_pct,
        joined.billed_other_usage_usd,
        joined.credit_usd,
        joined.tax_usd,
        joined.fee_usd,
        joined.refund_usd,
        joined.billed_cost_usd,
        joined.unpriced_quantity,

        ----------  booleans
        joined.has_usage,
        joined.has_billed,
        joined.has_billed_usage

    from joined
    left join accounts
        on
            joined.provider = accounts.provider
            and joined.account_id = accounts.account_id

)

select * from final
