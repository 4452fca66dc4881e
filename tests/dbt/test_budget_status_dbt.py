"""Budgets through the whole chain (issue 10 item 5): ledger -> int_budget_actuals_daily (dbt phase 1) -> the
forecast step (Python, orchestration/forecast.py) -> mart_budget_status (dbt phase 2), worked out by hand.

The ledger: Anthropic claude-opus-4-6 input tokens at $5 / 1M (pricing_seeds/price_book.csv, standard tier),
1,800,000 tokens a day = $9.00 a day, from 2026-03-01 to 2026-03-10 (10 days, $90 to date), all in workspace
wrkspc_search, which finops.yaml gives to team search. Ten days are fewer than 14, so every forecast is the
fallback, the mean of the days so far: $9.00 a day for the 21 days left in March (11..31): 21 x 9 = $189.

mart_budget_daily (built after mart_budget_status) has every day of each period: the quarter's 90 days (Jan 1 ..
Mar 31; Jan and Feb at $0, before the scope's first spend), the months' 31; actual to March 10, forecast after.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt

from connectors.anthropic.tables import ANTHROPIC_MESSAGES_USAGE
from orchestration.config import load_config, write_config_tables
from orchestration.forecast import MEAN_FALLBACK, write_spend_forecast
from orchestration.loader import ensure_raw_tables, land

pytestmark = pytest.mark.slow

D = Decimal
FIRST = date(2026, 3, 1)
DAYS = [FIRST + timedelta(days=i) for i in range(10)]

FINOPS_YAML = """\
ownership:
  teams:
    - {name: search}
  owners:
    - {provider: anthropic, account: wrkspc_search, team: search}
budgets:
  - {id: org-monthly, scope: {org: true}, period: month, amount_usd: 100}
  - {id: search-monthly, scope: {team: search}, period: month, amount_usd: 80, thresholds: [0.5, 1.0]}
  - {id: anthropic-quarterly, scope: {provider: anthropic}, period: quarter, amount_usd: 1000}
  - {id: openai-monthly, scope: {provider: openai}, period: month, amount_usd: 10}
"""


def usage(day: date) -> dict:
    row = dict.fromkeys(ANTHROPIC_MESSAGES_USAGE.column_names)
    start = datetime(day.year, day.month, day.day)
    row |= {
        "bucket_start": start,
        "bucket_end": start.replace(hour=23, minute=59),
        "workspace_id": "wrkspc_search",
        "api_key_id": "key_s",
        "model": "claude-opus-4-6",
        "service_tier": "standard",
        "context_window": "0-200k",
        "uncached_input_tokens": 1_800_000,  # x $5 / 1M = $9.00
    }
    return {**row, "_raw": {"model": "claude-opus-4-6"}}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from orchestration.defs.transform.project import vars_arg

    home = tmp_path_factory.mktemp("finops_home")
    (home / "finops.yaml").write_text(FINOPS_YAML)
    path = home / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        ensure_raw_tables(conn)
        write_config_tables(conn, load_config(home / "finops.yaml"))
        land(
            conn, ANTHROPIC_MESSAGES_USAGE, [usage(day) for day in DAYS], run_id="r", window=(FIRST, date(2026, 3, 11))
        )
    quiet = ["--exclude", "test_type:unit", "--indirect-selection", "cautious"]
    require_success(run_dbt(home, ["build", *vars_arg(), "--select", "+int_budget_actuals_daily", *quiet]))
    with duckdb.connect(str(path)) as conn:
        write_spend_forecast(conn)
    # phase 2: both after_forecast marts, their data tests and assert_budget_daily_matches_status
    require_success(run_dbt(home, ["build", *vars_arg(), "--select", "tag:after_forecast", *quiet]))
    return path


def query(path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_daily_actuals_per_budget(warehouse):
    rows = query(
        warehouse,
        "select budget_id, count(*), min(usage_date), max(usage_date), sum(actual_usd) "
        "from intermediate.int_budget_actuals_daily group by 1 order by 1",
    )
    # 10 days x $9.00 = $90.00 for each scope that spent; openai spent nothing: no rows
    assert rows == [
        ("anthropic-quarterly", 10, DAYS[0], DAYS[-1], D("90.00")),
        ("org-monthly", 10, DAYS[0], DAYS[-1], D("90.00")),
        ("search-monthly", 10, DAYS[0], DAYS[-1], D("90.00")),
    ]


def test_the_forecast_is_the_fallback_mean_for_the_rest_of_the_period(warehouse):
    rows = query(
        warehouse,
        "select budget_id, count(*), min(forecast_date), max(forecast_date), sum(forecast_usd), "
        "min(forecast_usd), max(forecast_usd), min(method), max(trained_through) "
        "from forecast.spend_forecast_daily group by 1 order by 1",
    )
    # March 11..31 = 21 days at $9.00 = $189.00; the quarter ends on March 31 too
    assert rows == [
        (b, 21, date(2026, 3, 11), date(2026, 3, 31), D("189.00"), D("9.00"), D("9.00"), MEAN_FALLBACK, DAYS[-1])
        for b in ("anthropic-quarterly", "org-monthly", "search-monthly")
    ]


def test_budget_status_by_hand(warehouse):
    rows = query(
        warehouse,
        "select budget_id, scope, period_start, period_end, as_of_date, budget_usd, actual_usd, forecast_usd, "
        "pct_used, highest_threshold_crossed, projected_breach_date, status, forecast_method "
        "from marts.mart_budget_status order by 1",
    )
    mean = MEAN_FALLBACK
    assert rows == [
        # Q1: $90 of $1000 = 0.09, under 0.8; 90 + 189 = $279 < $1000: ok, no breach
        (
            "anthropic-quarterly", "provider=anthropic", date(2026, 1, 1), date(2026, 3, 31), DAYS[-1],
            D(1000), D(90), D(279), D("0.09"), None, None, "ok", mean,
        ),
        # $90 of $100 = 0.9 >= 0.8 (< 1.0); 90 + 189 = $279 >= $100: at_risk; running 9 x 11 = 99 < 100,
        # 9 x 12 = 108 >= 100: breach on March 12
        (
            "org-monthly", "org", date(2026, 3, 1), date(2026, 3, 31), DAYS[-1],
            D(100), D(90), D(279), D("0.9"), D("0.8"), date(2026, 3, 12), "at_risk", mean,
        ),
        # $90 of $80 = 1.125 >= 1.0: over; 9 x 8 = 72 < 80, 9 x 9 = 81 >= 80: breached on March 9 (an actual day)
        (
            "search-monthly", "team=search", date(2026, 3, 1), date(2026, 3, 31), DAYS[-1],
            D(80), D(90), D(279), D("1.125"), D("1.0"), date(2026, 3, 9), "over", mean,
        ),
    ]  # fmt: skip


def test_budget_daily_by_hand(warehouse):
    rows = query(
        warehouse,
        "select budget_id, period_start, count(*), min(usage_date), max(usage_date), count(actual_usd), "
        "sum(actual_usd), count(forecast_usd), sum(forecast_usd), "
        "max(case when usage_date = as_of_date then cumulative_actual_usd end), "
        "max(case when usage_date = period_end then cumulative_projected_usd end), "
        "count(*) filter (where actual_usd = 0) "
        "from marts.mart_budget_daily group by 1, 2 order by 1",
    )
    march_end = date(2026, 3, 31)
    assert rows == [
        # Q1: 31 + 28 + 31 = 90 days; 69 actual days (Jan 1 .. Mar 10), the 59 of Jan and Feb at $0; 21 forecast
        # days at $9 = $189; cumulative actual on Mar 10 = $90, projection on Mar 31 = 90 + 189 = $279
        ("anthropic-quarterly", date(2026, 1, 1), 90, date(2026, 1, 1), march_end, 69, D(90), 21, D(189), D(90),
         D(279), 59),
        ("org-monthly", FIRST, 31, FIRST, march_end, 10, D(90), 21, D(189), D(90), D(279), 0),
        ("search-monthly", FIRST, 31, FIRST, march_end, 10, D(90), 21, D(189), D(90), D(279), 0),
    ]  # fmt: skip
    # the running totals day by day for one budget: 9, 18, .., 90 to Mar 10, then 99, 108, .., 279 to Mar 31
    days = query(
        warehouse,
        "select usage_date, is_actual, cumulative_actual_usd, cumulative_projected_usd from marts.mart_budget_daily "
        "where budget_id = 'org-monthly' order by usage_date",
    )
    assert days == [
        (FIRST + timedelta(days=i), i < 10, D(9 * (i + 1)) if i < 10 else None, D(9 * (i + 1))) for i in range(31)
    ]


def test_budget_daily_unit_test_and_the_agreement_test_fail_on_a_bad_row(warehouse):
    """The hand-worked unit test passes; then one day's actual off by a cent breaks the agreement with
    mart_budget_status, and the singular test says so."""
    from orchestration.defs.transform.project import vars_arg

    home = warehouse.parent
    unit = run_dbt(home, ["test", *vars_arg(), "--select", "mart_budget_daily,test_type:unit"])
    require_success(unit)
    assert [r.node.name for r in unit.result.results if r.node.resource_type == "unit_test"] == [
        "mart_budget_daily_spine_actuals_and_forecast"
    ]
    test = ["test", *vars_arg(), "--select", "assert_budget_daily_matches_status"]
    require_success(run_dbt(home, test))
    bad_row = "where budget_id = 'org-monthly' and usage_date = '2026-03-05'"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(f"update marts.mart_budget_daily set actual_usd = actual_usd + 0.01 {bad_row}")
    try:
        result = run_dbt(home, test)
    finally:
        with duckdb.connect(str(warehouse)) as conn:
            conn.execute(f"update marts.mart_budget_daily set actual_usd = actual_usd - 0.01 {bad_row}")
    assert not result.success
    tests = [r for r in result.result.results if r.node.resource_type == "test"]  # not the on-run-start hook
    assert [(r.node.name, str(r.status), r.failures) for r in tests] == [
        ("assert_budget_daily_matches_status", "fail", 1)
    ]
