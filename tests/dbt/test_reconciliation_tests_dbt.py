"""The mart-level quality tests of the billed lines and the reconciliation, on a hand-made OpenAI landing:

- days_out_of_tolerance on fct_cost_reconciliation_daily.variance_usd (warn) fails with one row per day out of
  finops.yaml's tolerance (no file: $0.01 absolute), however many accounts that day has out of it;
- non_negative_columns on fct_billed_cost_daily.billed_cost_usd (warn) is scoped to usage lines: a credit (negative
  by nature) passes, a negative usage line fails, and Data health counts the negatives in the same scope.

gpt-4o-2024-08-06 input is $2.50 per 1M tokens, so 1,000,000 input tokens compute to $2.50 a row:
  2025-03-01 proj_a: billed input $3.00 and output -$0.10 -> compared billed $2.90, variance -$0.40 (out)
  2025-03-01 proj_b: billed input $2.00 -> variance +$0.50 (out)             => 2025-03-01: one failing row
  2025-03-02 proj_a: billed input $2.50 -> variance 0 (matched); a -$1.00 promotional credit beside it
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import run_dbt, vars_with

from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE, OPENAI_COSTS
from orchestration.config import load_config, write_config_tables
from orchestration.loader import ensure_raw_tables, land
from orchestration.quality import dbt_tests

pytestmark = pytest.mark.slow

D = Decimal
FIRST, END = date(2025, 3, 1), date(2025, 3, 3)


def bucket(day: date) -> dict:
    start = datetime(day.year, day.month, day.day)
    return {"bucket_start": start, "bucket_end": start + timedelta(days=1)}


def usage(day: date, project: str) -> dict:
    tokens = {name: 0 for name in OPENAI_COMPLETIONS_USAGE.column_names if name.endswith("_tokens")}
    tokens |= {"input_tokens": 1_000_000, "input_uncached_tokens": 1_000_000, "input_text_tokens": 1_000_000}
    return {
        **dict.fromkeys(OPENAI_COMPLETIONS_USAGE.column_names),
        **tokens,
        **bucket(day),
        "project_id": project,
        "api_key_id": "key_1",
        "model": "gpt-4o-2024-08-06",
        "batch": False,
        "service_tier": "default",
        "num_model_requests": 1,
        "_raw": {},
    }


def cost(day: date, project: str, line_item: str, amount: str) -> dict:
    return {
        **dict.fromkeys(OPENAI_COSTS.column_names),
        **bucket(day),
        "project_id": project,
        "line_item": line_item,
        "amount_value": D(amount),
        "amount_currency": "usd",
        "_raw": {},
    }


DAY1, DAY2 = FIRST, FIRST + timedelta(days=1)
USAGE = [usage(DAY1, "proj_a"), usage(DAY1, "proj_b"), usage(DAY2, "proj_a")]
COSTS = [
    cost(DAY1, "proj_a", "gpt-4o-2024-08-06, input", "3.00"),
    cost(DAY1, "proj_a", "gpt-4o-2024-08-06, output", "-0.10"),  # a negative usage line: a bad row
    cost(DAY1, "proj_b", "gpt-4o-2024-08-06, input", "2.00"),
    cost(DAY2, "proj_a", "gpt-4o-2024-08-06, input", "2.50"),
    cost(DAY2, "proj_a", "Promotional credit", "-1.00"),  # a credit: negative and legitimate
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        write_config_tables(conn, load_config(home / "finops.yaml"))  # no file: the defaults
        ensure_raw_tables(conn)
        land(conn, OPENAI_COMPLETIONS_USAGE, USAGE, run_id="r", window=(FIRST, END))
        land(conn, OPENAI_COSTS, COSTS, run_id="r", window=(FIRST, END))
    selection = [
        "--select",
        "+fct_cost_reconciliation_daily",
        "--exclude",
        "test_type:unit",
        "--indirect-selection",
        "cautious",
    ]
    result = run_dbt(home, ["build", *vars_with(), *selection])
    statuses = {r.node.name: (str(r.status), r.failures) for r in result.result.results}
    assert result.success, [name for name, (status, _) in statuses.items() if status in ("fail", "error")]
    return statuses, warehouse


def outcome(built, prefix: str) -> tuple[str, int]:
    [name] = [name for name in built[0] if name.startswith(prefix)]
    return built[0][name]


def test_one_failing_row_per_day_out_of_tolerance(built):
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select usage_date, account_id, status, variance_usd, tolerance_usd "
            "from marts.fct_cost_reconciliation_daily order by 1, 2"
        ).fetchall()
    assert rows == [
        (DAY1, "proj_a", "variance", D("-0.40"), D("0.01")),
        (DAY1, "proj_b", "variance", D("0.50"), D("0.01")),
        (DAY2, "proj_a", "matched", D(0), D("0.01")),
    ]
    assert outcome(built, "days_out_of_tolerance_fct_cost_reconciliation_daily_variance_usd") == ("warn", 1)


def test_a_credit_passes_and_a_negative_usage_line_warns(built):
    _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        negative = conn.execute(
            "select line_type, billed_cost_usd from marts.fct_billed_cost_daily where billed_cost_usd < 0 order by 1"
        ).fetchall()
    assert negative == [("credit", D("-1.00")), ("usage", D("-0.10"))]
    assert outcome(built, "non_negative_columns_fct_billed_cost_daily_") == ("warn", 1)
    with duckdb.connect(str(warehouse)) as conn:
        [row] = [
            r
            for r in dbt_tests.record(conn, warehouse.parent / "dbt_target", run_id="r")
            if r.asset.endswith("fct_billed_cost_daily") and r.check_name == "non_negative_columns"
        ]
    # the credit is outside the test's where: one negative, not two
    assert (row.passed, row.blocking, row.observed_value) == (
        False,
        False,
        "1 failing row: negative values in billed_cost_usd (1)",
    )
