"""Warning checks on the raw landings (orchestration/quality/raw.py): volume against the table's own history
and freshness against the source's documented lag. Counts and days are set up by hand below."""

from datetime import date, timedelta

import duckdb
import pytest

from connectors.openai.tables import OPENAI_OTHER_USAGE
from connectors.registry import BY_NAME
from orchestration.loader import ensure_raw_tables
from orchestration.quality.raw import check_freshness, check_volume

TABLE = OPENAI_OTHER_USAGE["vector_stores"]

pytestmark = pytest.mark.filterwarnings("ignore")

D0 = date(2026, 3, 1)


def warehouse(tmp_path, per_day: dict[date, int]):
    """raw.openai_vector_stores_usage with ``n`` rows (n projects) on each day."""
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(conn, [TABLE])
    for day, n in per_day.items():
        conn.execute(
            f"insert into {TABLE.qualified_name} (bucket_start, project_id, usage_bytes, _partition_date, _source) "
            "select ?::timestamp, 'proj_' || i, 10, ?, 'openai' from range(?) t(i)",
            [day, day, n],
        )
    return conn


def days(first: date, n: int, rows: int) -> dict[date, int]:
    return {first + timedelta(days=i): rows for i in range(n)}


def test_a_day_ten_times_the_median_is_flagged_and_an_ordinary_day_passes(tmp_path):
    # 10 days of 12, 11 or 13 rows (median 12), then 2026-03-11 with 121 rows (> 10 x 12) and 03-12 with 12
    history = {D0 + timedelta(days=i): 12 + (i % 3 == 1) - (i % 3 == 2) for i in range(10)}
    conn = warehouse(tmp_path, {**history, date(2026, 3, 11): 121, date(2026, 3, 12): 12})
    result = check_volume(conn, TABLE, (date(2026, 3, 11), date(2026, 3, 13)))
    assert (result.passed, result.blocking, result.rows_checked, result.unexpected_count) == (False, False, 133, 1)
    assert result.observed_value == "121 rows on 2026-03-11 vs median 12"
    assert list(result.sample) == [{"day": "2026-03-11", "rows": 121, "median": "12"}]
    # 03-12 alone: its 11 landed days before include the spike, median still 12
    ok = check_volume(conn, TABLE, (date(2026, 3, 12), date(2026, 3, 13)))
    assert (ok.passed, ok.observed_value) == (True, "1 day in line with its median")


def test_a_tenth_of_the_median_and_an_empty_day_after_a_full_week_are_flagged(tmp_path):
    conn = warehouse(tmp_path, {**days(D0, 8, 40), date(2026, 3, 9): 3})  # 3 < 40 / 10; then 03-10 has no rows
    result = check_volume(conn, TABLE, (date(2026, 3, 9), date(2026, 3, 11)))
    assert (result.passed, result.unexpected_count) == (False, 2)
    assert result.observed_value == "3 rows on 2026-03-09 vs median 40 (and 1 more day)"
    assert [s["day"] for s in result.sample] == ["2026-03-09", "2026-03-10"]


def test_the_current_utc_day_is_counted_but_not_judged(tmp_path):
    # a file drop lands today's first rows: 1 row on 2026-03-10 against a median of 40 is a day still filling up
    conn = warehouse(tmp_path, {**days(D0, 9, 40), date(2026, 3, 10): 1})
    window = (date(2026, 3, 9), date(2026, 3, 11))
    assert not check_volume(conn, TABLE, window).passed  # judged as if complete: 1 < 40 / 10
    result = check_volume(conn, TABLE, window, today=date(2026, 3, 10))
    assert (result.passed, result.rows_checked) == (True, 41)
    assert result.observed_value == "1 day in line with its median"  # 03-09 only


def test_fewer_than_seven_landed_days_before_is_not_judged(tmp_path):
    conn = warehouse(tmp_path, {**days(D0, 6, 10), date(2026, 3, 7): 500})
    result = check_volume(conn, TABLE, (date(2026, 3, 7), date(2026, 3, 8)))
    assert result.passed and result.observed_value == "not judged: fewer than 7 landed days before"


def test_freshness_counts_the_days_late_after_the_documented_lag(tmp_path):
    lag = BY_NAME["openai"].freshness_lag_days
    assert lag == 1
    conn = warehouse(tmp_path, days(date(2026, 11, 20), 10, 5))  # newest day 2026-11-29
    # today 2026-12-02: yesterday 12-01, minus a lag of 1: 11-30 is due; 11-29 is 1 day late
    late = check_freshness(conn, TABLE, lag, date(2026, 12, 2))
    assert (late.passed, late.blocking, late.unexpected_count) == (False, False, 1)
    assert late.observed_value == "newest day 2026-11-29, 1 day late"
    on_time = check_freshness(conn, TABLE, lag, date(2026, 12, 1))
    assert (on_time.passed, on_time.observed_value, on_time.rows_checked) == (True, "newest day 2026-11-29", 50)
    assert BY_NAME["helicone"].freshness_lag_days is None  # request-log drops are not judged


def test_an_api_endpoint_that_never_returned_a_row_is_not_late_but_an_empty_file_drop_is(tmp_path):
    # the demo organisation uses no vector stores: every pulled day came back empty, which is not lateness
    conn = warehouse(tmp_path, {})
    unused = check_freshness(conn, TABLE, 1, date(2026, 12, 2))
    assert (unused.passed, unused.unexpected_count, unused.rows_checked) == (True, 0, 0)
    assert unused.observed_value == "not judged: the API has returned no rows for this endpoint yet"
    # a configured export folder that never received a file is late
    export = BY_NAME["gcp_billing"].feeds[0].table
    ensure_raw_tables(conn, [export])
    missing = check_freshness(conn, export, 2, date(2026, 12, 2))
    assert (missing.passed, missing.unexpected_count, missing.observed_value) == (False, 1, "no landed day")
