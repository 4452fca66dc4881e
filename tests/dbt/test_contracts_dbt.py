"""finops.yaml contracts applied by dbt: list, contracted, effective (amortized) and billed cost per usage row,
and the monthly draw-down of prepaid credits and commitments. Every number below is worked out by hand.

The contract (anthropic, [2026-01-01, 2026-04-01)): 10% off every model, 20% off claude-opus* (more specific);
a $100 commitment; credit 1 ($10 of value bought for $9, open-ended) runs out on Jan 2; credit 2 ($50 for $40,
bought Jan 3, expires Feb 1) is left with $46 that expires. List prices: Opus 4.5 $5 / 1M input, Sonnet 4.5
$3 / 1M input. So 1M Opus input tokens = $5 list = $4.00 contracted; 1M Sonnet = $3 list = $2.70 contracted.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import build_selected

from connectors.anthropic.tables import ANTHROPIC_MESSAGES_USAGE
from orchestration.config import default_config, load_config, write_config_tables
from orchestration.loader import ensure_raw_tables, land

pytestmark = pytest.mark.slow

D = Decimal
OPUS = "claude-opus-4-5-20251101"
SONNET = "claude-sonnet-4-5-20250929"
CONTRACT = "anthropic-2026"
FINOPS_YAML = f"""\
contracts:
  - name: {CONTRACT}
    provider: anthropic
    start: 2026-01-01
    end: 2026-04-01
    discounts:
      - discount_pct: 10
      - models: ["claude-opus*"]
        discount_pct: 20
    commitment_usd: 100
    prepaid:
      - purchased_on: 2026-01-01
        credit_usd: 10
        paid_usd: 9
      - purchased_on: 2026-01-03
        credit_usd: 50
        paid_usd: 40
        expires: 2026-02-01
"""
SELECT = [
    "resource_type:seed",
    "stg_pricing__price_book",
    "stg_pricing__model_aliases",
    "stg_pricing__price_modifiers",
    "stg_pricing__usage_types",
    "stg_pricing__genai_prices_model_matches",
    "stg_anthropic__messages_usage",
    "stg_anthropic__usage_lines",
    "stg_config__contract_discounts",
    "stg_config__contract_prepaid",
    "stg_config__contract_commitments",
    "int_usage_unioned",
    "int_usage_priced",
    "int_usage_discounted",
    "int_prepaid_drawdown_daily",
    "int_usage_contracted",
    "mart_contract_drawdown",
]
COSTS = "list_cost_usd, discount_pct, contracted_cost_usd, prepaid_covered_usd, effective_cost_usd, billed_cost_estimate_usd"


def usage(day: date, api_key_id: str, model: str, **tokens: int) -> dict:
    row = dict.fromkeys(ANTHROPIC_MESSAGES_USAGE.column_names)
    row |= {
        "bucket_start": datetime(day.year, day.month, day.day),
        "bucket_end": datetime(day.year, day.month, day.day) + timedelta(days=1),
        "workspace_id": "wrkspc_a",
        "api_key_id": api_key_id,
        "model": model,
        "service_tier": "standard",
        "context_window": "0-200k",
        "inference_geo": "global",
    }
    return {**row, **tokens, "_raw": {"model": model}}


JAN1, JAN2, JAN3, FEB10, MAR31, APR1 = (
    date(2026, 1, 1),
    date(2026, 1, 2),
    date(2026, 1, 3),
    date(2026, 2, 10),
    date(2026, 3, 31),
    date(2026, 4, 1),
)
ROWS = [
    usage(JAN1, "key_a", OPUS, uncached_input_tokens=1_000_000),
    usage(JAN1, "key_b", SONNET, uncached_input_tokens=1_000_000),
    usage(JAN1, "key_c", "mystery-model-9000", uncached_input_tokens=1_000_000),  # unpriced
    usage(JAN2, "key_a", OPUS, uncached_input_tokens=1_000_000),
    usage(JAN2, "key_b", SONNET, uncached_input_tokens=1_000_000),
    usage(JAN3, "key_a", OPUS, uncached_input_tokens=1_000_000),
    usage(FEB10, "key_b", SONNET, uncached_input_tokens=1_000_000),
    usage(MAR31, "key_a", OPUS, uncached_input_tokens=1_000_000),
    usage(APR1, "key_a", OPUS, uncached_input_tokens=1_000_000),  # after the contract: list price
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    config_file = home / "finops.yaml"
    config_file.write_text(FINOPS_YAML)
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land(conn, ANTHROPIC_MESSAGES_USAGE, ROWS, run_id="run-1", window=(JAN1, APR1 + timedelta(days=1)))
        write_config_tables(conn, load_config(config_file))
    build_selected(home, SELECT, usage_lines=["stg_anthropic__usage_lines"], price_lines=[])
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        usage_rows = conn.execute(
            f"select usage_date, api_key_id, contract_name, {COSTS} "
            "from intermediate.int_usage_contracted order by usage_date, api_key_id"
        ).fetchall()
        drawdown = conn.execute(
            "select kind, credit_number, month, drawn_usd, cumulative_drawn_usd, remaining_usd, expired_unused_usd, "
            "shortfall_usd from marts.mart_contract_drawdown order by kind desc, credit_number, month"
        ).fetchall()
        # the same usage without a contract: the config tables back to the defaults (empty), the chain rebuilt
        write_config_tables(conn, default_config())
    build_selected(home, SELECT, usage_lines=["stg_anthropic__usage_lines"], price_lines=[])
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        without = conn.execute(f"select {COSTS}, contract_name from intermediate.int_usage_contracted").fetchall()
    return usage_rows, drawdown, without


def test_each_usage_row_has_list_contracted_effective_and_billed_cost(built):
    usage_rows, _, _ = built
    z = D(0)
    assert usage_rows == [
        # Jan 1: credit 1 covers the whole day ($6.70 of its $10): effective = covered x 9/10, billed 0.
        #   opus: $5 list, 20% -> $4.00; effective 4.00 x 0.9 = 3.60
        (JAN1, "key_a", CONTRACT, D(5), D(20), D(4), D(4), D("3.6"), z),
        #   sonnet: $3 list, 10% -> $2.70; effective 2.70 x 0.9 = 2.43
        (JAN1, "key_b", CONTRACT, D(3), D(10), D("2.7"), D("2.7"), D("2.43"), z),
        #   unpriced: every cost NULL, never 0
        (JAN1, "key_c", None, None, None, None, None, None, None),
        # Jan 2: credit 1's last $3.30 covers part of the day's $6.70, shared by contracted cost, residue last:
        #   opus covered 3.30 x 4.00 / 6.70 = 1.970149253731|34 -> 1.970149253731;
        #   sonnet covered 3.30 - 1.970149253731 = 1.329850746269
        #   amortized: credit 1 drawn 6.70 then 10.00 -> 6.03 then 9.00, so Jan 2 = 2.97 of its price:
        #   opus 2.97 x 4.00 / 6.70 = 1.773134328358|2 -> 1.773134328358; sonnet 2.97 - that = 1.196865671642
        #   opus effective 4.00 - 1.970149253731 + 1.773134328358 = 3.802985074627, billed 4.00 - covered
        (JAN2, "key_a", CONTRACT, D(5), D(20), D(4), D("1.970149253731"), D("3.802985074627"), D("2.029850746269")),
        #   sonnet effective 2.70 - 1.329850746269 + 1.196865671642 = 2.567014925373, billed 1.370149253731
        (JAN2, "key_b", CONTRACT, D(3), D(10), D("2.7"), D("1.329850746269"), D("2.567014925373"), D("1.370149253731")),
        # Jan 3: credit 2 ($50 for $40) covers the $4.00 in full: effective 4.00 x 40/50 = 3.20, billed 0
        (JAN3, "key_a", CONTRACT, D(5), D(20), D(4), D(4), D("3.2"), z),
        # Feb 10: credit 2 expired Feb 1, credit 1 is used up: effective = billed = contracted
        (FEB10, "key_b", CONTRACT, D(3), D(10), D("2.7"), z, D("2.7"), D("2.7")),
        (MAR31, "key_a", CONTRACT, D(5), D(20), D(4), z, D(4), D(4)),
        # Apr 1: the contract ended Mar 31 (end is exclusive): list price, no discount
        (APR1, "key_a", None, D(5), z, D(5), z, D(5), D(5)),
    ]
    # every day adds up: Jan 2 covered 1.970149253731 + 1.329850746269 = 3.30 exactly, effective 6.70 - 3.30 + 2.97
    jan2 = [row for row in usage_rows if row[0] == JAN2]
    assert sum(row[6] for row in jan2) == D("3.3")
    assert sum(row[7] for row in jan2) == D("6.37")


def test_the_drawdown_by_month(built):
    _, drawdown, _ = built
    z = D(0)
    jan, feb, mar, apr = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)
    # kind, credit_number, month, drawn, cumulative, remaining, expired unused, shortfall
    assert drawdown == [
        # credit 1 ($10, open-ended): 6.70 + 3.30 drawn in January; months through April (the last usage day)
        ("prepaid", 1, jan, D(10), D(10), z, z, z),
        ("prepaid", 1, feb, z, D(10), z, z, z),
        ("prepaid", 1, mar, z, D(10), z, z, z),
        ("prepaid", 1, apr, z, D(10), z, z, z),
        # credit 2 ($50, last day Jan 31): $4.00 drawn, $46.00 lost at expiry, in January
        ("prepaid", 2, jan, D(4), D(4), z, D(46), z),
        # commitment $100 over Jan-Mar: contracted spend Jan 6.70 + 6.70 + 4.00 = 17.40, Feb 2.70, Mar 4.00;
        # 100 - 24.10 = 75.90 short, in March (the window's last month); April is outside the window
        ("commitment", None, jan, D("17.4"), D("17.4"), D("82.6"), z, z),
        ("commitment", None, feb, D("2.7"), D("20.1"), D("79.9"), z, z),
        ("commitment", None, mar, D(4), D("24.1"), D("75.9"), z, D("75.9")),
    ]


def test_without_contracts_every_cost_is_the_list_cost(built):
    _, _, without = built
    assert len(without) == len(ROWS)
    for list_cost, discount, contracted, covered, effective, billed, contract_name in without:
        if list_cost is None:  # the unpriced row
            assert (discount, contracted, covered, effective, billed) == (None,) * 5
        else:
            assert (discount, covered, contract_name) == (0, 0, None)
            assert contracted == effective == billed == list_cost
