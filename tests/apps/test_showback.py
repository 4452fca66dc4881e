"""The Showback page on the seeded serving copy (conftest.py) plus the allocation rows of showback_seed.py.

Every expected number is worked out by hand. In the default range (2025-01-16..2025-02-14):
  search         4.125 + 12.34 + 0.015 (direct) + 3.20 (proportional)   = 19.680  (49.6% of 39.685)
  support        12.003 (proportional)                                   = 12.003  (30.2%)
  (unallocated)  4.001 (no rule covers it) + 2 unpriced rows             =  4.001  (10.1%)
  research       4.001 (even)                                            =  4.001  (10.1%)
  total 39.685: direct 16.48, shared 3.20 + 12.003 + 4.001 = 19.204, unallocated 4.001.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest_helpers import frame_with, metrics, open_page, run
from showback_seed import add_showback_rows
from streamlit import dataframe_util

PAGE = "app_pages/showback.py"
D = Decimal
RANGE = "usage_date >= '2025-01-16' and usage_date < '2025-02-15'"


@pytest.fixture
def showback_db(serving_db: Path) -> Path:
    return add_showback_rows(serving_db)


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_showback_totals_and_teams_match_sql(showback_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    assert at.caption[0].value == (
        "The provider ledger split to the teams that own it, UTC days 2025-01-16 to 2025-02-14; all providers."
    )
    assert metrics(at) == {
        "Allocated cost": "$39.69",  # 39.685 half up
        "Direct": "$16.48",
        "Shared": "$19.20",  # 19.204
        "Unallocated": "$4.00",  # 4.001
    }
    assert _sql(
        showback_db,
        "select sum(allocated_cost_usd), sum(allocated_cost_usd) filter (where allocation_method = 'direct'), "
        "sum(allocated_cost_usd) filter (where allocation_method in ('proportional', 'even', 'fixed_share')), "
        f"count(*) filter (where not is_priced) from marts.fct_allocated_cost_daily where {RANGE}",
    ) == [(D("39.685"), D("16.48"), D("19.204"), 2)]
    assert "2 ledger rows are usage without a price" in at.warning[0].value

    teams = frame_with(at, "Team")
    assert list(teams["Team"]) == ["search", "support", "(unallocated)", "research"]
    assert list(teams["Cost"]) == ["$19.68", "$12.00", "$4.00", "$4.00"]
    assert list(teams["Direct"]) == ["$16.48", "$0.00", "$0.00", "$0.00"]
    assert list(teams["Share"]) == ["49.6%", "30.2%", "10.1%", "10.1%"]  # 19.68 / 39.685 = 0.4959...
    assert list(teams["Unpriced rows"]) == [0, 0, 2, 0]

    (chart,) = at.get("vega_lite_chart")
    (data,) = (dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in chart.proto.datasets)
    # January: search direct 4.125; February: search direct 12.355 and proportional 3.20, support 12.003,
    # research 4.001, (unallocated) 4.001
    assert sorted(zip(data["team"], data["allocation_method"], data["cost_usd"], strict=True)) == [
        ("(unallocated)", "unallocated", 4.001),
        ("research", "even", 4.001),
        ("search", "direct", 4.125),
        ("search", "direct", 12.355),
        ("search", "proportional", 3.2),
        ("support", "proportional", 12.003),
    ]

    file_name, data = downloads["showback_download"]
    assert file_name == "showback_2025-01-16_2025-02-14.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    search = csv[(csv["level"] == "team") & (csv["team"] == "search")].iloc[0]
    assert (D(search["cost_usd"]), D(search["direct_usd"]), D(search["shared_usd"])) == (
        D("19.68"),
        D("16.48"),
        D("3.2"),
    )


def test_showback_drill_down_to_feature_and_model(showback_db: Path) -> None:
    at = open_page(PAGE)
    (features,) = [df.value for df in at.dataframe if "Feature" in df.value and "Model" not in df.value]
    # search (the costliest, the default): answers 4.125 + 12.34 + 3.20 = 19.665, rerank 0.015 (half up: $0.02)
    assert list(features["Feature"]) == ["answers", "rerank"]
    assert list(features["Cost"]) == ["$19.67", "$0.02"]
    models = frame_with(at, "Model")
    assert list(models["Model"]) == ["gpt-4o", "claude-haiku-4-5", "gpt-4o-mini"]
    assert list(models["Cost"]) == ["$16.47", "$3.20", "$0.02"]  # 4.125 + 12.34 = 16.465
    # users of search in the request logs (conftest REQUESTS, default range): alice 6.00, bob 3.00 + 1.20
    users = frame_with(at, "User")
    assert list(users["User"]) == ["u_alice", "u_bob"]
    assert list(users["Request cost"]) == ["$6.00", "$4.20"]

    at.selectbox(key="showback_feature").set_value("rerank")
    run(at)
    models = frame_with(at, "Model")
    assert list(models["Model"]) == ["gpt-4o-mini"]

    at.selectbox(key="showback_team").set_value("(unallocated)")
    run(at)
    models = frame_with(at, "Model")
    # 02-10 sonnet 4.001 first; the two unpriced models have no cost ("unpriced", never $0)
    assert list(models["Cost"]) == ["$4.00", "unpriced", "unpriced"]
    assert _sql(
        showback_db,
        f"select sum(allocated_cost_usd) from marts.fct_allocated_cost_daily where {RANGE} and team = '(unallocated)'",
    ) == [(D("4.001"),)]


def test_showback_unit_economics_and_tag_coverage(showback_db: Path) -> None:
    at = open_page(PAGE)
    assert at.radio(key="showback_unit_scope").value == "The whole organisation"  # '(unallocated)' has no row
    at.radio(key="showback_unit_scope").set_value("The selected team")
    run(at)
    economics = frame_with(at, "Per 1K tokens")
    # search (the default team), February then January (both months overlap the range)
    assert list(economics["Month"]) == ["2025-02", "2025-01"]
    assert list(economics["Per 1K tokens"]) == ["$0.00245", "$0.00320"]  # 0.0024533..., 0.0032011...
    assert list(economics["Per request"]) == ["$0.0567", "—"]  # 10.20 / 180 = 0.05667
    assert list(economics["Per active user"]) == ["$5.10", "—"]  # 10.20 / 2
    assert list(economics["Usage covered"]) == ["79.4%", "100.0%"]  # 12.355 / 15.555

    at.radio(key="showback_unit_scope").set_value("The whole organisation")
    run(at)
    economics = frame_with(at, "Per 1K tokens")
    row = economics.iloc[0]
    assert (row["Month"], row["Per 1K tokens"], row["Per request"], row["Per active user"]) == (
        "2025-02",
        "$0.00356",  # 0.003556
        "$0.0650",  # 0.06498
        "$4.68",  # 4.67875
    )
    assert (row["Cache hit rate"], row["Savings from caching"], row["Batch share"]) == ("25.0%", "$1.35", "10.0%")

    coverage = frame_with(at, "Tag coverage")
    assert list(coverage["Provider"]) == ["All providers", "anthropic", "openai"]
    assert list(coverage["Ledger cost"]) == ["$39.69", "$23.21", "$16.48"]  # 23.205 half up
    # tag coverage 15.203 / 39.685 = 0.38309, 15.203 / 23.205 = 0.65516; allocated 35.684 / 39.685 = 0.89918,
    # 19.204 / 23.205 = 0.82758
    assert list(coverage["Tag coverage"]) == ["38.3%", "65.5%", "0.0%"]
    assert list(coverage["Allocated"]) == ["89.9%", "82.8%", "100.0%"]
    assert _sql(
        showback_db,
        "select sum(proportional_usd), sum(ledger_cost_usd) - sum(unallocated_usd) "
        f"from marts.mart_allocation_coverage_daily where {RANGE}",
    ) == [(D("15.203"), D("35.684"))]


def test_showback_provider_filter(showback_db: Path) -> None:
    at = open_page(PAGE)
    at.multiselect(key="sidebar_providers").set_value(["openai"])
    run(at)
    # openai only: 4.125 + 12.34 + 0.015 = 16.48, all direct; the ft model is unpriced
    assert metrics(at) == {"Allocated cost": "$16.48", "Direct": "$16.48", "Shared": "$0.00", "Unallocated": "$0.00"}


def test_showback_empty_state_without_allocation(serving_db: Path) -> None:
    """A serving copy with the allocation marts but no rows (no ownership declared): a hint, no exception."""
    at = open_page(PAGE)
    assert [i.value for i in at.info][0].startswith("No allocated cost in this range.")
    assert not at.error


def test_showback_empty_state_on_older_serving_copy(serving_db: Path) -> None:
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute("drop table marts.fct_allocated_cost_daily")
    at = open_page(PAGE)
    assert [i.value for i in at.info][0].startswith("No allocated cost in this range.")


def test_showback_no_serving_copy(finops_home: Path) -> None:
    at = open_page(PAGE)
    assert [i.value for i in at.info] == ["No published data yet. Run `finops demo` or `finops run` first."]
