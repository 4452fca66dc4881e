{#-
    Prepaid credits (config.contract_prepaid) drawn down by contracted cost, one row per credit x UTC day it
    covered something (contract_name, credit_number, provider, usage_date).

    Per provider, credits are ranked by purchased_on (then contract_name, credit_number): oldest first. Credit k
    takes, in usage_date order within [purchased_on, expires), what the credits ranked before it left of each
    day's contracted cost (int_usage_discounted, priced rows), until its credit_usd is used up:
      drawn on day d = least(credit_usd, cumulative left-over through d) - least(credit_usd, through d - 1)
    The credits are applied one rank at a time (rank 0 = the day's whole contracted cost), one CTE per rank, as
    many as the provider with the most credits has (counted when the model compiles). A recursive CTE said the
    same, but did not run on Spark 4.0 (dbt-spark failed on it).
      amortized_usd = the part of the credit's price (paid_usd) that the draw used up: the cumulative draw x
    paid_usd / credit_usd, rounded, less the same through the day before, so a credit used in full amortizes
    to exactly paid_usd (FOCUS: the applicable portion of the prepaid purchase, in EffectiveCost).
-#}

{#- A table, not the folder's view: marts and data tests read it many times over, and every read of a view
    recomputes the usage chain below it (bench/pipeline.py: a quarter of the data tests' time went there). #}
{{ config(materialized='table') }}

{#- how many credits the provider with the most has: the ranks to apply (at parse time one, so the SQL is whole) -#}
{%- set ranks = 1 -%}
{%- if execute -%}
    {%- set credits = load_relation(ref('stg_config__contract_prepaid')) -%}
    {%- set ranks = 0 -%}
    {%- if credits is not none -%}
        {%- set counted = run_query(
            'select count(*) from ' ~ credits ~ ' group by provider order by 1 desc limit 1'
        ).columns[0].values() -%}
        {%- set ranks = (counted[0] if counted | length > 0 else 0) | int -%}
    {%- endif -%}
{%- endif %}

with

discounted_usage as (

    select * from {{ ref('int_usage_discounted') }}

),

credits as (

    select * from {{ ref('stg_config__contract_prepaid') }}

),

provider_days as (

    select
        provider,
        usage_date,
        {{ to_usd_decimal('sum(contracted_cost_usd)') }} as contracted_cost_usd
    from discounted_usage
    where is_priced
    group by provider, usage_date

),

ranked_credits as (

    select
        credits.*,
        row_number() over (
            partition by credits.provider
            order by credits.purchased_on asc, credits.contract_name asc, credits.credit_number asc
        ) as credit_rank
    from credits

),

drawdown_0 as (

    select
        provider,
        usage_date,
        0 as credit_rank,
        contracted_cost_usd as left_usd,
        {{ to_usd_decimal('0') }} as drawn_usd
    from provider_days

),

{% for rank in range(1, ranks + 1) -%}
    drawdown_{{ rank }} as (

        select
            provider,
            usage_date,
            credit_rank,
            {{ to_usd_decimal('left_before_usd - drawn_usd') }} as left_usd,
            drawn_usd
        from (
            select
                provider,
                usage_date,
                credit_rank,
                left_before_usd,
                {{ to_usd_decimal(
                    'least(credit_usd, through_day_usd) - least(credit_usd, through_day_usd - in_window_usd)'
                ) }} as drawn_usd
            from (
                select
                    in_window.*,
                    sum(in_window.in_window_usd) over (
                        partition by in_window.provider
                        order by in_window.usage_date
                        rows between unbounded preceding and current row
                    ) as through_day_usd
                from (
                    select
                        before_credit.provider,
                        before_credit.usage_date,
                        ranked_credits.credit_rank,
                        ranked_credits.credit_usd,
                        before_credit.left_usd as left_before_usd,
                        case
                            when
                                before_credit.usage_date >= ranked_credits.purchased_on
                                and (
                                    ranked_credits.expires is null or before_credit.usage_date < ranked_credits.expires
                                )
                                then before_credit.left_usd
                            else {{ to_usd_decimal('0') }}
                        end as in_window_usd
                    from drawdown_{{ rank - 1 }} as before_credit
                    inner join ranked_credits
                        on
                            before_credit.provider = ranked_credits.provider
                            and ranked_credits.credit_rank = {{ rank }}
                ) as in_window
            ) as cumulated
        ) as drawn

    ),

{% endfor -%}
drawdown as (

    {% for rank in range(ranks + 1) -%}
        select * from drawdown_{{ rank }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

draws as (

    select
        ranked_credits.contract_name,
        ranked_credits.credit_number,
        drawdown.provider,
        drawdown.usage_date,
        drawdown.drawn_usd,
        ranked_credits.credit_usd,
        ranked_credits.paid_usd,
        sum(drawdown.drawn_usd) over (
            partition by ranked_credits.contract_name, ranked_credits.credit_number
            order by drawdown.usage_date
            rows between unbounded preceding and current row
        ) as drawn_through_day_usd
    from drawdown
    inner join ranked_credits
        on
            drawdown.provider = ranked_credits.provider
            and drawdown.credit_rank = ranked_credits.credit_rank
    where drawdown.drawn_usd > 0

),

final as (

    select
        ----------  ids
        contract_name,
        credit_number,
        provider,

        ----------  numerics
        drawn_usd,
        {{ to_usd_decimal(
            exact_divide('drawn_through_day_usd * paid_usd', 'credit_usd')
            ~ ' - ' ~ exact_divide('(drawn_through_day_usd - drawn_usd) * paid_usd', 'credit_usd')
        ) }} as amortized_usd,

        ----------  dates
        usage_date

    from draws

)

select * from final
