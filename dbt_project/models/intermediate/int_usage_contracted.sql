{#-
    Every usage row with its contracted, effective and billed cost (FOCUS 1.2), same grain as int_usage_priced:
      contracted_cost_usd       list less the negotiated discount (int_usage_discounted)
      prepaid_covered_usd       the part of contracted_cost_usd that prepaid credits covered: each provider-day's
                                draw (int_prepaid_drawdown_daily, over all credits) shared among the day's rows
                                in proportion to their contracted cost, the rounding residue placed so that
                                the rows add up to the day's draw exactly (macro split_in_proportion; rows in
                                grain order)
      effective_cost_usd        contracted - covered + the covered part's share of what the credits cost
                                (their amortized_usd, shared the same way): the amortized cost
      billed_cost_estimate_usd  contracted - covered: covered usage was billed when the credit was bought
    No contract: all equal list_cost_usd. Unpriced rows: every cost NULL (never 0).
-#}

{#- A table, not the folder's view: marts and data tests read it many times over, and every read of a view
    recomputes the usage chain below it (bench/pipeline.py: a quarter of the data tests' time went there). #}
{{ config(materialized='table') }}

{%- set grain = usage_grain() %}

with

discounted_usage as (

    select * from {{ ref('int_usage_discounted') }}

),

drawdown as (

    select * from {{ ref('int_prepaid_drawdown_daily') }}

),

prepaid_days as (

    select
        provider,
        usage_date,
        sum(drawn_usd) as covered_usd,
        sum(amortized_usd) as amortized_usd
    from drawdown
    group by provider, usage_date

),

covered_rows as (

    select
        {% for column in grain %}discounted_usage.{{ column }},
        {% endfor %}
        discounted_usage.contracted_cost_usd,
        prepaid_days.covered_usd as day_covered_usd,
        prepaid_days.amortized_usd as day_amortized_usd,
        sum(discounted_usage.contracted_cost_usd) over (
            partition by discounted_usage.provider, discounted_usage.usage_date
        ) as day_contracted_usd,
        sum(discounted_usage.contracted_cost_usd) over (
            partition by discounted_usage.provider, discounted_usage.usage_date
            order by {% for column in grain %}discounted_usage.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %} -- noqa: LT05
            rows between unbounded preceding and current row
        ) as through_row_usd
    from discounted_usage
    inner join prepaid_days
        on
            discounted_usage.provider = prepaid_days.provider
            and discounted_usage.usage_date = prepaid_days.usage_date
    where discounted_usage.is_priced

),

row_shares as (

    select
        {{ grain | join(', ') }},
        case
            when day_contracted_usd > 0
                then {{ to_usd_decimal(split_in_proportion(
                    'day_covered_usd', 'through_row_usd', 'contracted_cost_usd', 'day_contracted_usd'
                )) }}
            else {{ to_usd_decimal('0') }}
        end as prepaid_covered_usd,
        case
            when day_contracted_usd > 0
                then {{ to_usd_decimal(split_in_proportion(
                    'day_amortized_usd', 'through_row_usd', 'contracted_cost_usd', 'day_contracted_usd'
                )) }}
            else {{ to_usd_decimal('0') }}
        end as prepaid_amortized_usd
    from covered_rows

),

final as (

    select
        ----------  ids
        {% for column in grain %}discounted_usage.{{ column }},
        {% endfor %}
        discounted_usage.model_id,

        ----------  strings
        discounted_usage.contract_name,
        discounted_usage.priced_usage_type,
        discounted_usage.unit,
        discounted_usage.price_source,
        discounted_usage.price_confidence,

        ----------  numerics
        discounted_usage.prompt_tokens_gt,
        discounted_usage.quantity,
        discounted_usage.unit_price_usd,
        discounted_usage.price_multiplier,
        discounted_usage.list_cost_usd,
        discounted_usage.discount_pct,
        discounted_usage.contracted_cost_usd,
        case
            when discounted_usage.is_priced then coalesce(row_shares.prepaid_covered_usd, {{ to_usd_decimal('0') }})
        end as prepaid_covered_usd,
        {{ to_usd_decimal(
            'discounted_usage.contracted_cost_usd - coalesce(row_shares.prepaid_covered_usd, 0)'
            ~ ' + coalesce(row_shares.prepaid_amortized_usd, 0)'
        ) }} as effective_cost_usd,
        {{ to_usd_decimal('discounted_usage.contracted_cost_usd - coalesce(row_shares.prepaid_covered_usd, 0)') }}
            as billed_cost_estimate_usd,

        ----------  booleans
        discounted_usage.is_priced,

        ----------  dates
        discounted_usage.price_effective_from

    from discounted_usage
    left join row_shares
        on {{ join_on_columns('discounted_usage', 'row_shares', grain) }}

)

select * from final
