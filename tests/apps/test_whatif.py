"""The What-if page on the seeded serving copy (conftest.py with whatif_seed.py's mart_whatif_reprice rows).

Every expected number is worked out by hand (whatif_seed.py). The default range 2025-01-16..2025-02-14 takes
the whole months January and February:
  all-batch  January  gpt-4o 10.00 / 5.00 / 5.00 + claude-sonnet-4 8.00 / 4.40 / 3.60 = 18.00 / 9.40 / 8.60
             February gpt-4o 12.00 / 6.00 / 6.00 + claude-sonnet-4 20.00 / 11.00 / 9.00 = 32.00 / 17.00 / 15.00
             total 50.00 / 26.40 / 23.60 (December's 100.00 is out); at 50% moved 23.60 x 0.5 = 11.80
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest_helpers import frame_with, metrics, open_page, run
from streamlit import dataframe_util

PAGE = "app_pages/whatif.py"
D = Decimal
MONTHS = "month >= '2025-01-01' and month < '2025-02-15'"


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _execute(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute(sql)


def test_whatif_totals_months_and_models_match_sql(serving_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    assert at.caption[0].value == (
        "Actual usage re-priced under another model, tier or price date; whole months that overlap UTC days "
        "2025-01-16 to 2025-02-14; all providers."
    )
    assert at.selectbox(key="whatif_scenario").options == ["all-batch", "todays-prices"]
    assert metrics(at) == {
        "Actual cost": "$50.00",
        "Under the scenario": "$26.40",
        "Savings, all traffic": "$23.60",
        "Savings at 100% moved": "$23.60",
    }
    assert _sql(
        serving_db,
        "select sum(actual_cost_usd), sum(counterfactual_cost_usd), sum(savings_usd) "
        f"from marts.mart_whatif_reprice where scenario = 'all-batch' and {MONTHS}",
    ) == [(D("50"), D("26.40"), D("23.60"))]
    assert not at.warning
    settings = frame_with(at, "Batch share")
    assert settings.values.tolist() == [["as used", "each day at its own prices", "as used", "100.0%"]]

    by_month = next(df.value for df in at.dataframe if list(df.value.columns)[:2] == ["Month", "Actual cost"])
    assert by_month.values.tolist() == [
        ["2025-01", "$18.00", "$9.40", "$8.60", "$8.60"],
        ["2025-02", "$32.00", "$17.00", "$15.00", "$15.00"],
    ]
    models = frame_with(at, "Repriced as")
    # costliest actual first within a month
    assert list(zip(models["Month"], models["Model"], models["Savings"], strict=True)) == [
        ("2025-01", "gpt-4o", "$5.00"),
        ("2025-01", "claude-sonnet-4", "$3.60"),
        ("2025-02", "claude-sonnet-4", "$9.00"),
        ("2025-02", "gpt-4o", "$6.00"),
    ]
    assert list(models["Unpriced actual rows"]) == [0, 1, 0, 0]
    caveats = frame_with(at, "Caveat")
    assert caveats.values.tolist() == [
        ["2025-01", "anthropic", "claude-sonnet-4", "1 rows of actual usage unpriced, left out"]
    ]

    (chart,) = at.get("vega_lite_chart")
    (data,) = (dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in chart.proto.datasets)
    assert sorted(zip(data["cost"], data["cost_usd"], strict=True)) == [
        ("Actual", 18.0),
        ("Actual", 32.0),
        ("Scenario", 9.4),
        ("Scenario", 17.0),
    ]

    file_name, data = downloads["whatif_download"]
    assert file_name == "whatif_2025-01-16_2025-02-14.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    total = csv[csv["level"] == "total"].iloc[0]
    assert (D(total["actual_cost_usd"]), D(total["savings_usd"]), D(total["savings_at_share_usd"])) == (
        D("50"),
        D("23.6"),
        D("23.6"),
    )


def test_whatif_share_of_traffic_scales_savings(serving_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    at.slider(key="whatif_share").set_value(50)
    run(at)
    # 23.60 x 50% = 11.80; January 8.60 x 50% = 4.30, February 15.00 x 50% = 7.50
    assert metrics(at)["Savings at 50% moved"] == "$11.80"
    assert metrics(at)["Savings, all traffic"] == "$23.60"
    by_month = next(df.value for df in at.dataframe if list(df.value.columns)[:2] == ["Month", "Actual cost"])
    assert list(by_month["Savings at 50%"]) == ["$4.30", "$7.50"]
    csv = pd.read_csv(io.BytesIO(downloads["whatif_download"][1]), dtype=str, keep_default_na=False)
    assert D(csv[csv["level"] == "total"].iloc[0]["savings_at_share_usd"]) == D("11.8")
    assert "Savings at 50% moved = savings x 50%" in " ".join(c.value for c in at.caption)


def test_whatif_unpriced_counterfactual_is_unpriced_not_zero(serving_db: Path) -> None:
    at = open_page(PAGE)
    at.selectbox(key="whatif_scenario").set_value("todays-prices")
    run(at)
    # actual 12.00 + 20.00 = 32.00; claude-sonnet-4 has no price under the scenario: the totals are unpriced
    assert metrics(at) == {
        "Actual cost": "$32.00",
        "Under the scenario": "unpriced",
        "Savings, all traffic": "unpriced",
        "Savings at 100% moved": "unpriced",
    }
    assert at.warning[0].value.startswith("1 of 2 model-months have no price under the scenario")
    models = frame_with(at, "Repriced as")
    assert list(zip(models["Model"], models["Under the scenario"], models["Savings"], strict=True)) == [
        ("claude-sonnet-4", "unpriced", "unpriced"),
        ("gpt-4o", "$9.00", "$3.00"),
    ]
    assert _sql(
        serving_db,
        "select count(*) from marts.mart_whatif_reprice where scenario = 'todays-prices' "
        "and counterfactual_cost_usd is null",
    ) == [(1,)]
    caveats = frame_with(at, "Caveat")
    assert list(caveats["Caveat"]) == [
        "no price for claude-sonnet-4 output_tokens at standard tier: counterfactual and savings left NULL"
    ]


def test_whatif_provider_filter(serving_db: Path) -> None:
    at = open_page(PAGE)
    at.multiselect(key="sidebar_providers").set_value(["openai"])
    run(at)
    # openai only: 10 + 12 = 22.00 actual, 5 + 6 = 11.00 under the scenario, 11.00 savings
    assert metrics(at)["Actual cost"] == "$22.00"
    assert metrics(at)["Savings, all traffic"] == "$11.00"


@pytest.mark.parametrize(
    "change",
    ["delete from marts.mart_whatif_reprice", "drop table marts.mart_whatif_reprice"],
    ids=["no scenarios", "table missing"],
)
def test_whatif_empty_state(serving_db: Path, change: str) -> None:
    _execute(serving_db, change)
    at = open_page(PAGE)
    assert at.info[0].value.startswith("No what-if scenarios in the published data yet.")
    assert "`whatif: scenarios:`" in at.info[0].value
    assert not at.metric


def test_whatif_scenario_without_rows_in_range(serving_db: Path) -> None:
    _execute(serving_db, "delete from marts.mart_whatif_reprice where month >= '2025-01-01'")
    at = open_page(PAGE)  # all-batch has only December: nothing in January and February
    assert not at.metric
    assert at.caption[1].value.startswith("This scenario has no usage in these months")
