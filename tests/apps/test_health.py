"""The Data health page on the seeded serving copy plus health_seed.py's quality results (two runs, worked out
there). Every expected number is worked out by hand and checked against SQL on the copy.

Default range 2025-01-16..2025-02-14: partition days 02-12, 02-13 and 02-14 are in it. The latest result per
(layer, asset, check, day): 02-12 from run-a (openai unique passed, anthropic no_negative passed, cost_report unique
FAILED, usage_has_price FAILED); 02-13 from run-b where run-b checked it again (openai unique passed, not run-a's
failure; anthropic no_negative passed; volume passed; usage_has_price's 02-13..02-14 window FAILED); 02-14 from
run-b (openai unique passed, anthropic no_negative passed, volume FAILED, litellm unique passed): 12 cells, 4 failed.
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest_helpers import frame_with, metrics, open_page, run
from health_seed import (
    ANTHROPIC,
    BLOCKED_RUN,
    COST_REPORT,
    OPENAI,
    add_quality_results,
    add_quarantine,
    create_table,
    insert_results,
)
from streamlit import dataframe_util

from apps.lib import queries

PAGE = "app_pages/health.py"
EMPTY_STATE = "No quality results in the serving copy yet. Once the pipeline has run with the quality gate"


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _chart_frames(at) -> list[pd.DataFrame]:
    return [
        dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data)
        for chart in at.get("vega_lite_chart")
        for ds in chart.proto.datasets
    ]


@pytest.fixture
def health_db(serving_db: Path) -> Path:
    return add_quality_results(serving_db)


def test_latest_run_summary(health_db: Path) -> None:
    at = open_page(PAGE)
    assert metrics(at) == {
        "Checks passed": "5",
        "Warnings": "3",
        "Blocking failures": "0",
        "Published (UTC)": "2025-02-15 06:00",  # conftest's publish_info
    }
    # run-b's checks by their worst scope, worked out by SQL over the same rows
    assert _sql(
        health_db,
        """
        select count(*) filter (where worst = 'passed'), count(*) filter (where worst = 'warning')
        from (
            select case when bool_or(status = 'failed') then 'warning' else 'passed' end as worst
            from marts.quality_results where run_id = 'run-b' group by layer, asset, check_name
        )
        """,
    ) == [(5, 3)]
    assert [t.value for t in at.text] == ["Latest run: run-b\nPublished run: run-b"]
    assert [w.value for w in at.warning] == [
        "3 warnings in the latest run: warnings do not stop publishing. The failed checks are listed first below."
    ]
    assert not at.error
    assert "The latest run ran 8 checks from 2025-02-15 05:50 to 2025-02-15 05:50 UTC." in at.caption[1].value


def test_latest_result_per_check_failed_first(health_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    table = frame_with(at, "Failed scopes")
    columns = ["Outcome", "Layer", "Asset", "Check", "Scope", "Failed scopes", "Observed", "Unexpected rows"]
    assert table[columns].values.tolist() == [
        # run-a's cost_report check: run-b did not check it again
        ["Blocking failure", "raw", "anthropic/cost_report", "unique_natural_key", "2025-02-12", "1 of 1",
         "1 duplicate key", "1"],
        ["Warning", "mart", "marts/fct_usage_cost_daily", "usage_has_price", "2025-02-13 to 2025-02-14", "1 of 1",
         "2 unpriced rows", "2"],
        ["Warning", "raw", "openai/completions_usage", "freshness", "whole table", "1 of 1",
         "newest day 2025-02-13, 1 day late", "—"],
        ["Warning", "raw", "openai/completions_usage", "volume", "2025-02-13 to 2025-02-14", "1 of 2",
         "1,204 rows vs median 115", "—"],  # the failed scope's value; volume counts no unexpected rows
        ["Passed", "mart", "marts/fct_usage_cost_daily", "unique_natural_key", "whole table", "0 of 1",
         "0 duplicate keys", "0"],
        ["Passed", "raw", "anthropic/messages_usage", "freshness", "whole table", "0 of 1",
         "newest day 2025-02-14, on time", "—"],
        ["Passed", "raw", "anthropic/messages_usage", "no_negative_quantity", "2025-02-13 to 2025-02-14", "0 of 2",
         "0 negative", "0"],
        ["Passed", "raw", "litellm/spend_logs", "unique_natural_key", "2025-02-14", "0 of 1", "0 duplicate keys", "0"],
        # run-a's failure on 02-13 is superseded: run-b checked both its days and both passed
        ["Passed", "raw", "openai/completions_usage", "unique_natural_key", "2025-02-13 to 2025-02-14", "0 of 2",
         "0 duplicate keys", "0"],
    ]  # fmt: skip
    assert table["Rows checked"].tolist() == ["40", "7", "—", "1,322", "9", "—", "115", "30", "228"]  # 118 + 1204 ...
    assert table["Severity"].tolist()[:2] == ["blocking", "warning"]
    assert _sql(
        health_db,
        "select sum(rows_checked) from marts.quality_results "
        "where run_id = 'run-b' and asset = 'openai/completions_usage' and check_name = 'unique_natural_key'",
    ) == [(228,)]
    file_name, data = downloads["health_download_latest"]
    assert file_name == "quality_latest.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert csv["run_id"].tolist() == ["run-a"] + ["run-b"] * 8
    assert csv["outcome"].tolist() == ["blocking", "warning", "warning", "warning"] + ["passed"] * 5
    assert csv.loc[0, "sample"] == '[{"line_item_id": "li_7"}]'


def test_a_check_the_pipeline_no_longer_defines_leaves_the_latest_results(health_db: Path) -> None:
    """With the catalog of checks published (marts.quality_checks), a check outside it (removed or renamed since it
    last ran) is not among the latest results, though its rows stay in quality_results: here run-a's blocking
    cost_report check. The latest run's figures are history and do not change."""
    with duckdb.connect(str(health_db)) as conn:
        conn.execute(
            "create table marts.quality_checks as select distinct 'test' as scope, layer, asset, check_name, "
            "'run-b' as run_id, timestamp '2025-02-15 05:50' as defined_at from marts.quality_results "
            f"where asset <> '{COST_REPORT}'"
        )
    at = open_page(PAGE)
    table = frame_with(at, "Failed scopes")
    assert len(table) == 8 and COST_REPORT not in table["Asset"].tolist()
    assert table["Outcome"].tolist()[:3] == ["Warning", "Warning", "Warning"]
    assert metrics(at)["Checks passed"] == "5" and metrics(at)["Warnings"] == "3"
    assert _sql(health_db, f"select count(*) from marts.quality_results where asset = '{COST_REPORT}'") == [(1,)]


def test_checks_per_partition_day(health_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    failures = frame_with(at, "Partition day")
    assert failures[["Partition day", "Outcome", "Asset", "Check", "Observed"]].values.tolist() == [
        ["2025-02-14", "Warning", "openai/completions_usage", "volume", "1,204 rows vs median 115"],
        ["2025-02-13", "Warning", "marts/fct_usage_cost_daily", "usage_has_price", "2 unpriced rows"],
        ["2025-02-12", "Blocking failure", "anthropic/cost_report", "unique_natural_key", "1 duplicate key"],
        ["2025-02-12", "Warning", "marts/fct_usage_cost_daily", "usage_has_price", "1 unpriced row"],
    ]
    grid = next(f for f in _chart_frames(at) if "check" in f and "day" in f)
    assert len(grid) == 12
    cells = {(d.strftime("%m-%d"), c): o for d, c, o in zip(grid["day"], grid["check"], grid["outcome"], strict=True)}
    assert cells[("02-13", "openai/completions_usage · unique_natural_key")] == "passed"  # run-b over run-a
    assert sorted(cells.values()).count("passed") == 8
    # the same by SQL: the newest row per (asset, check, day) in the range
    assert _sql(
        health_db,
        """
        select count(*), count(*) filter (where status = 'failed') from (
            select status from marts.quality_results
            where partition_start >= '2025-01-16' and partition_start < '2025-02-15'
            qualify row_number() over (partition by layer, asset, check_name, partition_start order by checked_at desc) = 1
        )
        """,
    ) == [(12, 4)]
    file_name, data = downloads["health_download_daily"]
    assert file_name == "quality_daily_2025-01-16_2025-02-14.csv"
    assert len(pd.read_csv(io.BytesIO(data))) == 12

    # one day in the range: 02-13 only (4 cells, 1 failed)
    at.date_input(key="sidebar_date_range").set_value((pd.Timestamp("2025-02-13").date(),) * 2)
    run(at)
    failures = frame_with(at, "Partition day")
    assert failures[["Partition day", "Check"]].values.tolist() == [["2025-02-13", "usage_has_price"]]
    assert len(next(f for f in _chart_frames(at) if "check" in f and "day" in f)) == 4


def test_freshness_and_history(health_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    freshness = frame_with(at, "Freshness")
    assert freshness[["Source", "Outcome", "Freshness", "Checked (UTC)"]].values.tolist() == [
        ["openai/completions_usage", "Warning", "newest day 2025-02-13, 1 day late", "2025-02-15 05:50"],
        ["anthropic/messages_usage", "Passed", "newest day 2025-02-14, on time", "2025-02-15 05:50"],
    ]
    history = frame_with(at, "Blocking failures")
    assert history[["Run", "Checks", "Passed", "Warnings", "Blocking failures"]].values.tolist() == [
        ["run-b", 8, 5, 3, 0],
        ["run-a", 6, 3, 1, 2],  # openai and cost_report unique keys blocked; usage_has_price warned
    ]
    bars = next(f for f in _chart_frames(at) if "run_id" in f)
    assert sorted(zip(bars["run_id"], bars["outcome"], bars["checks"], strict=True)) == [
        ("run-a", "blocking", 2),
        ("run-a", "warning", 1),
        ("run-b", "blocking", 0),
        ("run-b", "warning", 3),
    ]
    assert _sql(
        health_db,
        "select run_id, count(distinct (asset, check_name)) filter (where status = 'failed' and severity = 'error') "
        "from marts.quality_results group by run_id order by run_id",
    ) == [("run-a", 2), ("run-b", 0)]
    assert downloads["health_download_runs"][0] == "quality_runs.csv"
    assert downloads["health_download_freshness"][0] == "quality_freshness.csv"


def test_provider_filter_leaves_out_other_providers_raw_assets(health_db: Path) -> None:
    """Only anthropic: openai's raw assets go; marts and litellm (not a provider) stay."""
    at = open_page(PAGE)
    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    run(at)
    assert metrics(at) == {
        "Checks passed": "4",  # anthropic no_negative and freshness, mart unique, litellm unique
        "Warnings": "1",  # usage_has_price
        "Blocking failures": "0",
        "Published (UTC)": "2025-02-15 06:00",
    }
    assert set(frame_with(at, "Failed scopes")["Asset"]) == {
        "anthropic/cost_report",
        "anthropic/messages_usage",
        "marts/fct_usage_cost_daily",
        "litellm/spend_logs",
    }
    assert frame_with(at, "Freshness")["Source"].tolist() == ["anthropic/messages_usage"]
    assert any("raw landings of 1 of 2 providers" in c.value for c in at.caption)


def test_a_blocked_latest_run_is_an_error(health_db: Path) -> None:
    insert_results(health_db, BLOCKED_RUN)
    at = open_page(PAGE)
    assert (metrics(at)["Checks passed"], metrics(at)["Blocking failures"]) == ("0", "1")
    assert [e.value for e in at.error] == [
        "1 blocking failure in the latest run: blocking checks stop publishing. The failed checks are listed first "
        "below."
    ]
    assert frame_with(at, "Failed scopes").values.tolist()[0][:4] == [
        "Blocking failure", "raw", "anthropic/cost_report", "unique_natural_key"
    ]  # fmt: skip
    # run-c's 02-14 failure replaces run-b's pass in the day view
    failures = frame_with(at, "Partition day")
    assert failures[["Partition day", "Outcome", "Check"]].values.tolist()[:2] == [
        ["2025-02-14", "Blocking failure", "unique_natural_key"],
        ["2025-02-14", "Warning", "volume"],
    ]


def test_serving_copy_without_the_table_shows_the_empty_state(serving_db: Path) -> None:
    at = open_page(PAGE)
    assert [i.value for i in at.info][0].startswith(EMPTY_STATE)
    assert not at.metric and not at.dataframe


def test_empty_table_shows_the_empty_state(serving_db: Path) -> None:
    create_table(serving_db)
    at = open_page(PAGE)
    assert [i.value for i in at.info][0].startswith(EMPTY_STATE)
    assert not at.get("vega_lite_chart")


def test_hidden_sources_are_bound_parameters(health_db: Path) -> None:
    """A source name is data, never SQL: a hostile one hides nothing; 'openai' hides openai's 3 raw checks."""
    assert len(queries.quality_latest(("openai') or (1=1",))) == 9
    assert queries.quality_latest(("openai",))["asset"].tolist() == [
        "anthropic/cost_report",
        "marts/fct_usage_cost_daily",
        "marts/fct_usage_cost_daily",
        "anthropic/messages_usage",
        "anthropic/messages_usage",
        "litellm/spend_logs",
    ]


def test_quarantined_rows_of_the_range_with_their_reason_and_the_provider_filter(health_db: Path) -> None:
    add_quarantine(health_db)
    at = open_page(PAGE)
    assert metrics(at)["Rows in quarantine"] == "2"  # 02-14 and 02-13; 2025-01-10 is before the default range
    kept = frame_with(at, "Row as sent")
    assert kept[["Day", "Asset", "Reason", "Source", "Landed (UTC)", "Run"]].values.tolist() == [
        ["2025-02-14", OPENAI, "output_tokens is negative (-642)", f"{OPENAI} 2025-02-13..2025-02-14",
         "2025-02-15 05:49", "run-b"],
        ["2025-02-13", ANTHROPIC, "output_tokens is negative (-5)", f"{ANTHROPIC} 2025-02-13..2025-02-14",
         "2025-02-15 05:49", "run-b"],
    ]  # fmt: skip
    assert kept["Natural key"].tolist()[0] == '{"model": "gpt-4o", "project_id": "proj_a"}'
    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    run(at)
    assert frame_with(at, "Row as sent")["Asset"].tolist() == [ANTHROPIC]
    # bound parameters: a hostile source name hides nothing
    from datetime import date

    rows = queries.quality_quarantine(date(2025, 1, 1), date(2025, 3, 1), ("openai') or (1=1",))
    assert len(rows) == 3


def test_no_quarantined_row_in_the_range_says_so(health_db: Path) -> None:
    at = open_page(PAGE)  # a serving copy published before quarantine existed
    assert any(c.value.startswith("No quarantine in the serving copy yet") for c in at.caption)
    add_quarantine(health_db)
    with duckdb.connect(str(health_db)) as conn:
        conn.execute("delete from marts.quarantine where partition_date > '2025-01-31'")
    at = open_page(PAGE)
    assert "Rows in quarantine" not in metrics(at)
    assert any(c.value == "No landed row of these UTC days is held in quarantine." for c in at.caption)
