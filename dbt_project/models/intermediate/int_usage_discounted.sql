{#-
    int_usage_priced with the negotiated discount of finops.yaml's contracts (config.contract_discounts), same
    grain. A priced row takes the discount row of its provider whose [valid_from, valid_to) window holds
    usage_date and whose model_pattern (a glob, '*' = every model) matches model_id, the most specific one
    (highest specificity; the file is rejected where two could tie). Without a match discount_pct is 0.
      contracted_cost_usd = list_cost_usd x (100 - discount_pct) / 100   (FOCUS ContractedCost)
    Unpriced rows keep NULL costs, NULL contract_name and NULL discount_pct (never 0).
-#}

{#- A table, not the folder's view: marts and data tests read it many times over, and every read of a view
    recomputes the usage chain below it (bench/pipeline.py: a quarter of the data tests' time went there). #}
{{ config(materialized='table') }}

{%- set grain = usage_grain() %}

with

priced_usage as (

    select * from {{ ref('int_usage_priced') }}

),

discounts as (

    select * from {{ ref('stg_config__contract_discounts') }}

),

discount_matches as (

    select
        {% for column in grain %}priced_usage.{{ column }},
        {% endfor %}
        discounts.contract_name,
        discounts.discount_pct,
        row_number() over (
            partition by
                {% for column in grain %}priced_usage.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %} -- noqa: LT05
            order by discounts.specificity desc, discounts.contract_name asc, discounts.model_pattern asc
        ) as match_rank
    from priced_usage
    inner join discounts
        on
            priced_usage.provider = discounts.provider
            and priced_usage.usage_date >= discounts.valid_from
            and (discounts.valid_to is null or priced_usage.usage_date < discounts.valid_to)
            and {{ like_escaped('priced_usage.model_id', glob_to_like('discounts.model_pattern')) }}
    where priced_usage.is_priced

),

final as (

    select
        ----------  ids
        {% for column in grain %}priced_usage.{{ column }},
        {% endfor %}
        priced_usage.model_id,

        ----------  strings
        discount_matches.contract_name,
        priced_usage.priced_usage_type,
        priced_usage.unit,
        priced_usage.price_source,
        priced_usage.price_confidence,

        ----------  numerics
        priced_usage.prompt_tokens_gt,
        priced_usage.quantity,
        priced_usage.unit_price_usd,
        priced_usage.price_multiplier,
        priced_usage.list_cost_usd,
        case
            when priced_usage.is_priced then coalesce(discount_matches.discount_pct, cast(0 as decimal(9, 6)))
        end as discount_pct,
        {{ to_usd_decimal(
            'priced_usage.list_cost_usd * (100 - coalesce(discount_matches.discount_pct, 0)) * 0.01'
        ) }} as contracted_cost_usd,

        ----------  booleans
        priced_usage.is_priced,

        ----------  dates
        priced_usage.price_effective_from

    from priced_usage
    left join discount_matches
        on
            {{ join_on_columns('priced_usage', 'discount_matches', grain) }}
            and discount_matches.match_rank = 1

)

select * from final
