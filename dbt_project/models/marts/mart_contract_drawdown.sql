{#-
    How finops.yaml's contracts are used up, one row per contract line x calendar month (UTC): each prepaid
    credit (kind 'prepaid', credit_number = its place in the contract's list) and each spend commitment (kind
    'commitment', credit_number NULL), from the month the line starts (purchased_on / the contract's start)
    through the month of its last day (expires - 1 / end - 1; open: on), but never past as_of_date, the last
    usage day in the warehouse.
      drawn_usd              prepaid: the credit drawn that month (int_prepaid_drawdown_daily);
                             commitment: the provider's contracted cost that month inside [start, end)
      cumulative_drawn_usd   drawn_usd summed from the first month
      remaining_usd          prepaid: credit_usd - cumulative drawn, 0 once expired;
                             commitment: greatest(commitment_usd - cumulative drawn, 0)
      expired_unused_usd     prepaid: the balance lost at expiry, in the month of the credit's last day
      shortfall_usd          commitment: greatest(commitment_usd - cumulative drawn, 0) in the month of the
                             window's last day
    The end-of-line amounts appear only once as_of_date reaches that last day (a month still running reports
    none). Every other month has 0 there, so any range of months sums to the range's total.
-#}

with

discounted_usage as (

    select * from {{ ref('int_usage_discounted') }}

),

drawdown as (

    select * from {{ ref('int_prepaid_drawdown_daily') }}

),

credits as (

    select * from {{ ref('stg_config__contract_prepaid') }}

),

commitments as (

    select * from {{ ref('stg_config__contract_commitments') }}

),

as_of as (

    select max(usage_date) as as_of_date
    from discounted_usage

),

contract_lines as (

    select
        contract_name,
        provider,
        'prepaid' as kind,
        credit_number,
        cast(credit_usd as {{ money_type() }}) as amount_usd,
        purchased_on as first_day,
        cast({{ dbt.dateadd('day', -1, 'expires') }} as date) as last_day
    from credits

    union all

    select
        contract_name,
        provider,
        'commitment' as kind,
        cast(null as integer) as credit_number,
        cast(commitment_usd as {{ money_type() }}) as amount_usd,
        valid_from as first_day,
        cast({{ dbt.dateadd('day', -1, 'valid_to') }} as date) as last_day
    from commitments

),

months as (

    {#- every month from the first line's to as_of_date, from a calendar of the months 2000-2100 (a recursive
        CTE said the same, but Spark 4.0 refused it: INVALID_RECURSIVE_REFERENCE) -#}
    select cast(spine.date_month as date) as month_start
    from (
        {{ dbt.date_spine('month', "cast('2000-01-01' as date)", "cast('2101-01-01' as date)") }}
    ) as spine
    cross join as_of
    where
        cast(spine.date_month as date) <= as_of.as_of_date
        and cast(spine.date_month as date) >= (
            select cast({{ dbt.date_trunc('month', 'min(contract_lines.first_day)') }} as date)
            from contract_lines
        )

),

line_months as (

    select
        contract_lines.*,
        months.month_start,
        as_of.as_of_date
    from contract_lines
    cross join as_of
    inner join months
        on
            cast({{ dbt.date_trunc('month', 'contract_lines.first_day') }} as date) <= months.month_start
            and as_of.as_of_date >= months.month_start
            and (
                contract_lines.last_day is null
                or months.month_start <= cast({{ dbt.date_trunc('month', 'contract_lines.last_day') }} as date)
            )

),

prepaid_monthly as (

    select
        contract_name,
        credit_number,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month_start,
        sum(drawn_usd) as drawn_usd
    from drawdown
    group by contract_name, credit_number, cast({{ dbt.date_trunc('month', 'usage_date') }} as date)

),

commitment_monthly as (

    select
        commitments.contract_name,
        cast({{ dbt.date_trunc('month', 'discounted_usage.usage_date') }} as date) as month_start,
        sum(discounted_usage.contracted_cost_usd) as drawn_usd
    from commitments
    inner join discounted_usage
        on
            commitments.provider = discounted_usage.provider
            and commitments.valid_from <= discounted_usage.usage_date
            and commitments.valid_to > discounted_usage.usage_date
    where discounted_usage.is_priced
    group by commitments.contract_name, cast({{ dbt.date_trunc('month', 'discounted_usage.usage_date') }} as date)

),

drawn as (

    select
        line_months.*,
        {{ to_usd_decimal(
            'coalesce(case line_months.kind when \'prepaid\' then prepaid_monthly.drawn_usd '
            ~ 'else commitment_monthly.drawn_usd end, 0)'
        ) }} as drawn_usd,
        line_months.last_day is not null
        and line_months.month_start = cast({{ dbt.date_trunc('month', 'line_months.last_day') }} as date)
        and line_months.last_day <= line_months.as_of_date as is_last_month
    from line_months
    left join prepaid_monthly
        on
            line_months.kind = 'prepaid'
            and line_months.contract_name = prepaid_monthly.contract_name
            and line_months.credit_number = prepaid_monthly.credit_number
            and line_months.month_start = prepaid_monthly.month_start
    left join commitment_monthly
        on
            line_months.kind = 'commitment'
            and line_months.contract_name = commitment_monthly.contract_name
            and line_months.month_start = commitment_monthly.month_start

),

cumulated as (

    select
        drawn.*,
        {{ to_usd_decimal(
            'sum(drawn.drawn_usd) over (partition by drawn.contract_name, drawn.kind, drawn.credit_number '
            ~ 'order by drawn.month_start rows between unbounded preceding and current row)'
        ) }} as cumulative_drawn_usd
    from drawn

),

final as (

    select
        ----------  ids
        contract_name,
        provider,
        kind,
        credit_number,

        ----------  numerics
        amount_usd,
        drawn_usd,
        cumulative_drawn_usd,
        case
            when kind = 'prepaid' and is_last_month then {{ to_usd_decimal('0') }}
            else {{ to_usd_decimal('greatest(amount_usd - cumulative_drawn_usd, 0)') }}
        end as remaining_usd,
        case
            when kind = 'prepaid' and is_last_month then {{ to_usd_decimal('amount_usd - cumulative_drawn_usd') }}
            else {{ to_usd_decimal('0') }}
        end as expired_unused_usd,
        case
            when kind = 'commitment' and is_last_month
                then {{ to_usd_decimal('greatest(amount_usd - cumulative_drawn_usd, 0)') }}
            else {{ to_usd_decimal('0') }}
        end as shortfall_usd,

        ----------  booleans
        is_last_month,

        ----------  dates
        month_start as month, -- noqa: RF04
        first_day,
        last_day

    from cumulated

)

select * from final
