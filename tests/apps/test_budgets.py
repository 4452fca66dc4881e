"""The Budgets and alerts page and the Overview's open anomalies on the seeded serving copy (conftest.py: BUDGETS,
ANOMALIES, ALERTS). Every expected number is worked out by hand:

  anthropic-monthly (February): budget 25, actual 20.005 (02-10) + 3.20 (02-14) = 23.205 -> 92.8% (0.9282),
  forecast 26, at risk, breach 2025-02-20.
  org-monthly (February): budget 30, actual 12.355 (02-03) + 20.005 (02-10) + 3.20 (02-14) = 35.56 -> 118.5%,
  over; the running actual first reaches 30 on 02-10 (32.36). January: 21.625 / 30 = 72.1%, ok.
  The burn-up reads mart_budget_daily (conftest.py BUDGET_DAYS: its forecast days are worked out there).
  Anomalies flagged in the default range (2025-01-16..2025-02-14): org 02-03 (warning), org and anthropic 02-10
  (critical). The last 7 data days (02-08..02-14) hold the two critical ones.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest_helpers import frame_with, metrics, open_page, run
from streamlit import dataframe_util

PAGE = "app_pages/budgets.py"
D = Decimal
REPUBLISH = "The serving copy was published before {} existed: run the pipeline again (`finops run`) to publish it."


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _chart_frames(at) -> list[pd.DataFrame]:
    return [
        dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data)
        for chart in at.get("vega_lite_chart")
        for ds in chart.proto.datasets
    ]


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def _burn_lines(at) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The burn-up's cumulative actual and forecast lines (``day``, ``usd``), or None without a burn-up."""
    frames = [f for f in _chart_frames(at) if "series" in f and "day" in f and "usd" in f]
    lines = pd.concat(frames) if frames else pd.DataFrame(columns=["day", "usd", "series"])
    actual = lines[lines["series"] == "Actual (cumulative)"].sort_values("day").reset_index(drop=True)
    forecast = lines[lines["series"] == "Forecast to period end"].sort_values("day").reset_index(drop=True)
    return None if actual.empty else (actual, forecast)


def test_budget_burn_up_numbers_match_sql(serving_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    assert metrics(at) == {
        "Budgets": "2",
        "Over budget": "1",
        "At risk": "1",
        "Used": "92.8%",  # 23.205 / 25 = 0.9282
        "Actual to 2025-02-14": "$23.21",  # 23.205 half up
        "Forecast at period end": "$26.00",
        "Projected breach": "2025-02-20",
    }
    assert "Period 2025-02-01 to 2025-02-28; budget $25.00; status: At risk." in [c.value for c in at.caption]
    assert _sql(
        serving_db,
        "select actual_usd, pct_used, status from marts.mart_budget_status "
        "where budget_id = 'anthropic-monthly' and period_start = '2025-02-01'",
    ) == [(D("23.205"), D("0.9282"), "at_risk")]
    # the burn-up from mart_budget_daily: cumulative actual by day, 0 until 02-10 (20.005), 23.205 on 02-14 (the
    # mart's actual_usd); then the forecast's running projection from 02-14: +0.30 a day to 25.005 on 02-20 (the
    # first day >= 25: the breach date), +0.12 a day to 25.845 on 02-27, +0.155 -> 26.000 on 02-28 (forecast_usd)
    actual, forecast = _burn_lines(at)
    assert len(actual) == 14  # 2025-02-01..2025-02-14
    assert actual["usd"].round(3).tolist() == [0.0] * 9 + [20.005] * 4 + [23.205]
    assert forecast["day"].dt.strftime("%m-%d").tolist() == [f"02-{d}" for d in range(14, 29)]
    assert forecast["usd"].round(3).tolist() == [
        23.205, 23.505, 23.805, 24.105, 24.405, 24.705, 25.005,
        25.125, 25.245, 25.365, 25.485, 25.605, 25.725, 25.845, 26.0,
    ]  # fmt: skip
    # the same numbers on the mart, and its ends agree with mart_budget_status
    assert _sql(
        serving_db,
        "select usage_date, cumulative_actual_usd, cumulative_projected_usd from marts.mart_budget_daily "
        "where budget_id = 'anthropic-monthly' and period_start = '2025-02-01' "
        "and usage_date in ('2025-02-14', '2025-02-20', '2025-02-28') order by usage_date",
    ) == [
        (date(2025, 2, 14), D("23.205"), D("23.205")),
        (date(2025, 2, 20), None, D("25.005")),
        (date(2025, 2, 28), None, D("26.000")),
    ]
    assert any(c.startswith("Cumulative actual by day to the last data day") for c in _captions(at))

    at.selectbox(key="budgets_budget").set_value("org-monthly")
    run(at)
    shown = metrics(at)
    assert (shown["Used"], shown["Projected breach"], shown["Over budget"]) == ("118.5%", "2025-02-10", "1")
    assert shown["Actual to 2025-02-14"] == "$35.56"
    actual, forecast = _burn_lines(at)
    assert actual["usd"].round(3).tolist()[9] == 32.36  # 02-10: 12.355 + 20.005 >= 30, the breach day
    # 35.56 on 02-14, + 13 x 0.60 = 43.36 on 02-27, + 0.64 = 44.00 on 02-28 (the status' forecast_usd)
    assert forecast["usd"].round(3).tolist()[0] == actual["usd"].round(3).tolist()[-1] == 35.56
    assert forecast["usd"].round(3).tolist()[-2:] == [43.36, 44.0]

    table = frame_with(at, "Budget amount")
    assert table[["Budget", "Period", "Used", "Budget status", "Breach date"]].values.tolist() == [
        ["anthropic-monthly", "2025-02-01 to 2025-02-28", "92.8%", "At risk", "2025-02-20"],
        ["org-monthly", "2025-02-01 to 2025-02-28", "118.5%", "Over budget", "2025-02-10"],
        ["org-monthly", "2025-01-01 to 2025-01-31", "72.1%", "On track", "—"],  # 21.625 / 30 = 0.7208
    ]
    file_name, data = downloads["budgets_download_status"]
    assert file_name == "budget_status.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert csv["actual_usd"].tolist() == ["23.205000000000", "35.560000000000", "21.625000000000"]


def test_burn_up_of_a_past_period_and_without_the_daily_mart(serving_db: Path) -> None:
    """A past period has no forecast days: no forecast line. A serving copy published before mart_budget_daily
    existed: the bars instead, and a caption saying to run the pipeline again."""
    with duckdb.connect(str(serving_db)) as conn:  # make January org-monthly's latest period
        conn.execute("delete from marts.mart_budget_status where period_start = '2025-02-01'")
    at = open_page(PAGE)
    assert at.selectbox(key="budgets_budget").options == ["org-monthly"]
    actual, forecast = _burn_lines(at)
    # 10 on 01-05, + 7.5 on 01-10, + 4.125 on 01-20 = 21.625 (the status' actual) to 01-31
    assert actual["usd"].round(3).tolist() == [0.0] * 4 + [10.0] * 5 + [17.5] * 10 + [21.625] * 12
    assert forecast.empty
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute("drop table marts.mart_budget_daily")
    at = open_page(PAGE)
    assert _burn_lines(at) is None
    assert any(c.startswith("The serving copy has no daily burn-up for this budget period") for c in _captions(at))
    bars = next(f for f in _chart_frames(at) if "measure" in f)
    assert bars["usd"].tolist() == [21.625, 21.625, 30.0]


def test_alert_history_newest_first(serving_db: Path) -> None:
    at = open_page(PAGE)
    alerts = frame_with(at, "Alert status")
    assert alerts[["First seen (UTC)", "Kind", "Alert status", "Sent (UTC)"]].values.tolist() == [
        ["2025-02-11 06:00", "anomaly", "sent", "2025-02-11 06:00"],
        ["2025-02-11 06:00", "budget_threshold", "logged", "—"],
    ]


def test_flagged_anomalies_in_range_and_chart(serving_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    flagged = frame_with(at, "Driver")
    assert flagged[["Flagged day", "Scope", "Severity", "Actual", "Expected", "Driver"]].values.tolist() == [
        ["2025-02-10", "org", "critical", "$20.01", "$6.00", "provider: anthropic"],  # 20.005 half up
        ["2025-02-10", "provider=anthropic", "critical", "$20.01", "$7.00", "model: claude-sonnet-4"],
        ["2025-02-03", "org", "warning", "$12.36", "$5.00", "model: gpt-4o"],  # 12.355 half up
    ]
    assert _sql(
        serving_db,
        "select count(*) from marts.mart_cost_anomalies "
        "where is_anomaly and usage_date >= '2025-01-16' and usage_date < '2025-02-15'",
    ) == [(3,)]
    assert at.selectbox(key="budgets_anomaly_scope").options == ["org", "provider=anthropic"]  # 2 flagged, then 1
    marks = next(f for f in _chart_frames(at) if "severity" in f)
    assert sorted(zip(marks["day"].dt.strftime("%Y-%m-%d"), marks["severity"], strict=True)) == [
        ("2025-02-03", "warning"),
        ("2025-02-10", "critical"),
    ]
    file_name, data = downloads["budgets_download_anomalies"]
    assert file_name == "anomalies_2025-01-16_2025-02-14.csv"
    assert len(pd.read_csv(io.BytesIO(data))) == 3


def test_overview_open_anomalies(serving_db: Path) -> None:
    at = run()
    shown = metrics(at)
    assert (shown["Critical"], shown["Warning"]) == ("2", "0")  # 02-10 org and anthropic; 02-03 is older
    panel = frame_with(at, "Flagged day")
    assert panel[["Flagged day", "Scope", "Driver"]].values.tolist() == [
        ["2025-02-10", "org", "provider: anthropic"],  # score 9.5
        ["2025-02-10", "provider=anthropic", "model: claude-sonnet-4"],  # score 8.1
    ]
    # the pages' URL paths: Data health (the quality panel, above), then Budgets and alerts (under the anomalies)
    assert [link.proto.page for link in at.get("page_link")] == ["health", "budgets"]


def test_no_budgets_no_alerts_no_anomalies(serving_db: Path) -> None:
    with duckdb.connect(str(serving_db)) as conn:
        for table in ("mart_budget_status", "alert_log", "mart_cost_anomalies"):
            conn.execute(f"delete from marts.{table}")
    at = open_page(PAGE)
    assert [i.value for i in at.info][0].startswith("No budgets configured. Add `budgets` to finops.yaml")
    captions = [c.value for c in at.caption]
    assert "No flagged days in this range." in captions
    assert any(c.startswith("No alerts yet") for c in captions)
    assert not at.get("vega_lite_chart")
    overview = run()
    assert "No flagged day in the last 7 data days." in [c.value for c in overview.caption]


@pytest.mark.parametrize("table", ["mart_budget_status", "alert_log", "mart_cost_anomalies"])
def test_serving_copy_without_the_table(serving_db: Path, table: str) -> None:
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute(f"drop table marts.{table}")
    at = open_page(PAGE)
    what = {"mart_budget_status": "budgets", "alert_log": "the alert log", "mart_cost_anomalies": "anomaly detection"}
    assert [i.value for i in at.info] == [REPUBLISH.format(what[table])]
    run()  # the Overview too


def test_hostile_names_stay_text(hostile_serving_db: Path, hostile_names: dict[str, str]) -> None:
    """A budget, scope and driver named in Markdown (conftest.py's HOSTILE_BUDGETS, HOSTILE_ANOMALIES) are
    dataframe cells and selectbox options, verbatim; test_data_as_text checks no Markdown element holds them."""
    at = open_page(PAGE)
    team, provider, model = hostile_names["team"], hostile_names["provider"], hostile_names["model"]
    assert at.selectbox(key="budgets_budget").options[0] == team  # sorts before 'anthropic-monthly'
    assert frame_with(at, "Budget amount")["Budget"].tolist()[0] == team
    flagged = frame_with(at, "Driver")
    # 02-13 is within the default range: the hostile day is the newest flagged day
    assert flagged[["Scope", "Driver"]].values.tolist()[0] == [f"provider={provider}", f"model: {model}"]
    assert frame_with(at, "Alert status")["Title"].tolist()[0] == f"{provider} spiked"
