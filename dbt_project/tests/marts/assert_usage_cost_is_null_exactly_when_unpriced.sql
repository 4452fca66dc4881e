-- Unpriced usage carries NULL prices and costs (never 0); priced usage carries all of them.
select *
from {{ ref('fct_usage_cost_daily') }}
where (
    not is_priced
    and (
        unit_price_usd is not null or list_cost_usd is not null or effective_cost_usd is not null
        or contracted_cost_usd is not null or prepaid_covered_usd is not null
        or billed_cost_estimate_usd is not null or discount_pct is not null
    )
)
or (
    is_priced
    and (
        unit_price_usd is null or list_cost_usd is null or effective_cost_usd is null
        or contracted_cost_usd is null or prepaid_covered_usd is null or billed_cost_estimate_usd is null
        or discount_pct is null or price_effective_from is null
    )
)
