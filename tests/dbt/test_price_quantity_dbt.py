"""Macro price_quantity_at (fct_request_cost's per-bucket cost, issue 13) gives price_quantity's value to the last
decimal place for every unit, price and quantity: it only skips the rounding where there is nothing to round.

The grid holds every unit a price can have (per_gib_day among them), an unknown unit and none; prices a token
keeps whole ($2.50 and $0.075 per 1M) and prices it does not ($0.1234567 per 1M: 13 places a token; $1e-12 per
1M); quantities from 0 to 10^12 tokens and none. Compiled by dbt (dbt show --inline) and run by DuckDB."""

import pytest
from dbt_inprocess import run_dbt, vars_with

from orchestration.prices.check import UNITS as UNITS_OF_THE_BOOK  # every unit a price can have

pytestmark = pytest.mark.slow

UNITS = [*UNITS_OF_THE_BOOK, "per_fortnight", None]  # and an unknown unit (no multiplier, no cost), and none
PRICES = ["0", "2.5", "0.075", "0.1234567", "0.000000000001", "1234.123456789012", None]
QUANTITIES = ["0", "1", "5", "7", "999999", "1000000000000", None]


def _values(items: list[str | None], cast: str) -> str:
    return ", ".join(f"(cast({'null' if v is None else repr(v) if cast == 'varchar' else v} as {cast}))" for v in items)


GRID = f"""
with grid as (
    select u.unit, p.unit_price_usd, q.quantity
    from (values {_values(UNITS, "varchar")}) as u (unit)
    cross join (values {_values(PRICES, "decimal(38,18)")}) as p (unit_price_usd)
    cross join (values {_values(QUANTITIES, "bigint")}) as q (quantity)
),

priced as (
    select
        unit,
        {{{{ quantity_unit_price('unit_price_usd', 'unit') }}}} as quantity_unit_price_usd,
        {{{{ price_quantity('quantity', 'unit_price_usd', 'unit') }}}} as slow_usd,
        {{{{ price_quantity_at('quantity', quantity_unit_price('unit_price_usd', 'unit'), 'unit_price_usd', 'unit') }}}}
            as fast_usd,
        -- a price per 1M tokens: the long way's value before its rounding (a 13th decimal place: it rounds)
        cast(cast(quantity as decimal(38,0)) * cast(unit_price_usd as decimal(38,12)) as decimal(38,12))
            * cast(0.000001 as decimal(7,6)) as unrounded_per_1m
    from grid
)

select
    count(*) as cells,
    count(*) filter (where fast_usd is distinct from slow_usd) as differ,
    count(*) filter (where quantity_unit_price_usd is not null and slow_usd is not null) as short_way,
    count(*) filter (where quantity_unit_price_usd is null and slow_usd is not null) as long_way,
    count(*) filter (
        where unit = 'per_1m_tokens' and cast(unrounded_per_1m as decimal(38,12)) <> unrounded_per_1m
    ) as rounded,
    count(*) filter (where slow_usd is null) as no_cost
from priced
"""


def test_price_quantity_at_equals_price_quantity_everywhere(tmp_path):
    result = run_dbt(tmp_path, ["show", "--inline", GRID, *vars_with()])
    assert result.success, result.exception
    cells, differ, short_way, long_way, rounded, no_cost = result.result.results[0].agate_table.rows[0]
    assert cells == len(UNITS) * len(PRICES) * len(QUANTITIES)
    assert differ == 0
    # each path is taken, and the long way rounds somewhere, so the equality above is not vacuous
    assert short_way > 0 and long_way > 0 and rounded > 0 and no_cost > 0
