"""Local days in the reporting time zone across DST changes (issue 10 item 4): requests every hour for three
UTC days around Europe/Berlin's 2026-10-25 change (fall back: a 25-hour day) and America/New_York's 2026-03-08
change (spring forward: a 23-hour day), landed as a request-log file drop and built by dbt; finops.yaml
`reporting` picks the zone. The sum over local days equals the sum of all requests exactly, in every zone, and
UTC (the default) gives the UTC days. dim_date labels the fiscal year from the same file."""

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from dbt_inprocess import PRICING_MODELS, require_success, run_dbt, vars_with

from connectors.files import digest
from connectors.jsonl_requests import SOURCE as PLAIN
from orchestration.config import load_config, write_config_tables
from orchestration.loader import land_file

pytestmark = pytest.mark.slow

# gpt-4o-mini is gpt-4o-mini-2024-07-18 in the book, $0.15 per 1M input tokens. Request i (0..71) of a run
# starts at hour i of the first UTC day and has (i + 1) x 1,000 input tokens: (i + 1) x $0.00015. A run has
# 1 + 2 + ... + 72 = 2,628 thousand tokens = $0.3942.
RUNS = {"oct": datetime(2026, 10, 24), "mar": datetime(2026, 3, 7)}
PER_THOUSAND = D("0.00015")
RUN_TOTAL = (2628, 2628 * PER_THOUSAND)  # (thousand tokens, list cost) = (2628, $0.3942)
BERLIN = "reporting:\n  time_zone: Europe/Berlin\n  fiscal_year_start_month: 4\n"
MODELS = ["stg_jsonl_requests__requests", "stg_jsonl_requests__request_lines", "int_requests_unioned"]
MODELS += ["int_request_usage", "fct_request_cost", "stg_config__reporting", "mart_request_cost_local_daily"]
MODELS += ["dim_date"]


def requests_jsonl() -> str:
    import json

    lines = []
    for run, start in RUNS.items():
        for i in range(72):
            at = start + timedelta(hours=i)
            lines.append({
                "format": "finops.request.v1", "request_id": f"{run}-{i:02d}", "timestamp": f"{at.isoformat()}Z",
                "provider": "openai", "model": "gpt-4o-mini", "service_tier": "default",
                "input_tokens": (i + 1) * 1000, "output_tokens": 0, "team": run,
            })  # fmt: skip
    return "".join(json.dumps(line) + "\n" for line in lines)


def set_reporting(warehouse: Path, tmp: Path, section: str) -> None:
    config = tmp / "finops.yaml"
    config.write_text(section)
    with duckdb.connect(str(warehouse)) as conn:
        write_config_tables(conn, load_config(config))


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("finops_home")
    drop = tmp_path_factory.mktemp("drop") / "requests.jsonl"
    drop.write_text(requests_jsonl())
    (feed,) = PLAIN.feeds
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        land_file(conn, feed.table, feed.read(drop), path=str(drop), digest=digest(drop), run_id="test")
    set_reporting(warehouse, home, BERLIN)
    args = ["build", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    select = ["--select", *PRICING_MODELS, *MODELS, "--exclude", "test_type:unit"]
    require_success(run_dbt(home, [*args, "--indirect-selection", "cautious", *select]))
    return home


def rebuild_in(home: Path, section: str) -> None:
    """Rewrite config.reporting from finops.yaml text and rebuild the local mart."""
    set_reporting(home / "warehouse.duckdb", home, section)
    args = ["run", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    require_success(run_dbt(home, [*args, "--select", "mart_request_cost_local_daily"]))


def local_days(home: Path, run: str) -> list[tuple]:
    """(local_date, reporting_tz, requests, thousand input tokens, list cost) of one run, by local day."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select local_date, reporting_tz, sum(requests), sum(input_tokens) // 1000, sum(list_cost_usd) "
            "from marts.mart_request_cost_local_daily where team = ? group by all order by 1",
            [run],
        ).fetchall()


def totals(rows: list[tuple]) -> tuple:
    return sum(r[3] for r in rows), sum(r[4] for r in rows)


def fct_total(home: Path) -> D:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute("select sum(list_cost_usd) from marts.fct_request_cost").fetchall()[0][0]


def day(d: str, tz: str, n: int, first: int) -> tuple:
    """The row of a local day holding the n requests first, first + 1, ... (1-based): as many thousand tokens."""
    thousands = (2 * first + n - 1) * n // 2
    return (date.fromisoformat(d), tz, n, thousands, thousands * PER_THOUSAND)


ZONES = {
    # CEST (UTC+2) until 2026-10-25 01:00 UTC, then CET (UTC+1). Local 24th: UTC 24th 00:00-21:00 (22 requests,
    # 1..22: 253k tokens, $0.03795); local 25th: UTC 24th 22:00 .. 25th 22:00, 25 hours (23..47: 875k,
    # $0.13125); local 26th: UTC 25th 23:00 .. 26th 22:00 (48..71: 1,428k, $0.2142); UTC 26th 23:00 is 00:00 on
    # the 27th (72: $0.0108). 253 + 875 + 1428 + 72 = 2,628.
    "berlin_fall_back_has_25_hours": (
        BERLIN,
        "Europe/Berlin",
        "oct",
        [("2026-10-24", 22, 1), ("2026-10-25", 25, 23), ("2026-10-26", 24, 48), ("2026-10-27", 1, 72)],
        ("2026-10-25", D("0.13125")),
    ),
    # EST (UTC-5) until 2026-03-08 07:00 UTC, then EDT (UTC-4). UTC 7th 00:00-04:00 is still the 6th (1..5:
    # 15k); local 7th: UTC 7th 05:00 .. 8th 04:00 (6..29: 420k); local 8th: UTC 8th 05:00 .. 9th 03:00, 23 hours
    # (30..52: 943k, $0.14145); local 9th: UTC 9th 04:00-23:00 (53..72: 1,250k). 15 + 420 + 943 + 1250 = 2,628.
    "new_york_spring_forward_has_23_hours": (
        "reporting:\n  time_zone: America/New_York\n",
        "America/New_York",
        "mar",
        [("2026-03-06", 5, 1), ("2026-03-07", 24, 6), ("2026-03-08", 23, 30), ("2026-03-09", 20, 53)],
        ("2026-03-08", D("0.14145")),
    ),
    # no reporting section: UTC, the UTC days. 24 requests a day: 1..24 = 300k, 25..48 = 876k, 49..72 = 1,452k
    "utc_by_default": ("", "UTC", "oct", [("2026-10-24", 24, 1), ("2026-10-25", 24, 25), ("2026-10-26", 24, 49)], None),
}


@pytest.mark.parametrize(("section", "tz", "run", "days", "dst_day"), ZONES.values(), ids=ZONES.keys())
def test_local_days_across_dst_sum_to_the_range(home, section, tz, run, days, dst_day):
    rebuild_in(home, section)
    rows = local_days(home, run)
    # days: (local date, requests, first request)
    assert rows == [day(d, tz, n, first) for d, n, first in days]
    if dst_day is not None:
        assert {str(r[0]): r[4] for r in rows}[dst_day[0]] == dst_day[1]
    assert totals(rows) == RUN_TOTAL
    # every request of the warehouse is in exactly one local day: both runs, $0.3942 x 2 = $0.7884
    assert totals(local_days(home, "oct") + local_days(home, "mar"))[1] == fct_total(home) == D("0.7884")


def test_utc_local_days_are_the_usage_dates(home):
    # in UTC each local day is the UTC day: the same requests and cost per day as fct_request_cost (6 days, 2 runs)
    rebuild_in(home, "")
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        local = conn.execute(
            "select local_date, sum(requests), sum(list_cost_usd) from marts.mart_request_cost_local_daily "
            "group by 1 order by 1"
        ).fetchall()
        utc = conn.execute(
            "select usage_date, count(*), sum(list_cost_usd) from marts.fct_request_cost group by 1 order by 1"
        ).fetchall()
    assert len(local) == 6 and local == utc


def test_dim_date_names_the_fiscal_year_by_its_end_year(home):
    # fiscal_year_start_month 4: 2025-04-01 .. 2026-03-31 is FY2026, 2026-04-01 opens FY2027
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select date_day, fiscal_year, fiscal_quarter, fiscal_month, fiscal_quarter_label from marts.dim_date "
            "where date_day in ('2026-03-31', '2026-04-01') order by 1"
        ).fetchall()
        span = conn.execute("select min(date_day), max(date_day), count(*) from marts.dim_date").fetchall()
    assert rows == [
        (date(2026, 3, 31), 2026, 4, 12, "FY2026 Q4"),
        (date(2026, 4, 1), 2027, 1, 1, "FY2027 Q1"),
    ]
    # 2015-01-01 .. 2040-12-31: 26 years, of which 7 leap (2016, 20, 24, 28, 32, 36, 40): 26 x 365 + 7 = 9,497
    assert span == [(date(2015, 1, 1), date(2040, 12, 31), 9497)]


def test_the_hand_worked_unit_tests_of_dim_date_and_the_local_mart(home):
    # _reporting__models.yml: FY from April (2026-03-31 FY2026 Q4, 2026-04-01 FY2027 Q1), ISO 2026-W53, and the
    # four Berlin DST edges (23:59 / 00:00 local on both sides of the 25-hour day)
    select = ["--select", "dim_date,test_type:unit", "mart_request_cost_local_daily,test_type:unit"]
    result = run_dbt(home, ["test", *vars_with(request_lines=["stg_jsonl_requests__request_lines"]), *select])
    require_success(result)
    # (the project's on-run-start hook, which creates the forecast table, is a result too: only unit tests count)
    assert sorted(r.node.name for r in result.result.results if r.node.resource_type == "unit_test") == [
        "dim_date_calendar_year_and_iso_week_53",
        "dim_date_fiscal_year_starting_in_april",
        "mart_request_cost_local_daily_berlin_dst_edges",
    ]


def test_an_increment_rebuilds_only_the_local_dates_it_touches(home, tmp_path):
    # Berlin again (a time-zone change rebuilds every date), then an old local date altered by hand: an
    # incremental run that does not touch it must leave it altered.
    rebuild_in(home, BERLIN)
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.mart_request_cost_local_daily set requests = 999 where local_date = '2026-03-07'")
    before = local_days(home, "oct")
    # One new request at 2026-10-27 23:30 UTC = 00:30 CET on the 28th, 5,000 tokens: $0.00075. Its UTC day (27th)
    # touches local dates 26th..28th; the 26th and 27th are rebuilt to what they were.
    drop = tmp_path / "late.jsonl"
    drop.write_text(
        '{"format": "finops.request.v1", "request_id": "late-1", "timestamp": "2026-10-27T23:30:00Z", '
        '"provider": "openai", "model": "gpt-4o-mini", "service_tier": "default", "input_tokens": 5000, '
        '"output_tokens": 0, "team": "oct"}\n'
    )
    (feed,) = PLAIN.feeds
    with duckdb.connect(str(warehouse)) as conn:
        land_file(conn, feed.table, feed.read(drop), path=str(drop), digest=digest(drop), run_id="late")
    args = ["build", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    # (the sum-rule test would rightly fail on the date altered by hand: left out of this build)
    exclude = ["--exclude", "test_type:unit", "assert_local_daily_sums_to_requests"]
    require_success(run_dbt(home, [*args, "--select", *MODELS[:-1], *exclude]))

    after = local_days(home, "oct")
    assert after == [*before, day("2026-10-28", "Europe/Berlin", 1, 5)]
    assert after[-1][4] == D("0.00075")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        untouched = conn.execute(
            "select sum(requests) from marts.mart_request_cost_local_daily where local_date = '2026-03-07'"
        ).fetchall()[0][0]
    assert untouched == 999  # not rebuilt: it is four months from the new request
    # and a full rebuild agrees with the increment on every date the increment built
    full = ["run", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[]), "--full-refresh"]
    require_success(run_dbt(home, [*full, "--select", "mart_request_cost_local_daily"]))
    assert local_days(home, "oct") == after
    assert totals(local_days(home, "mar")) == RUN_TOTAL  # the altered date is recomputed: 24 requests again


def test_a_table_built_by_the_earlier_version_is_rebuilt_in_place(home):
    # stop 22 built the mart whole, without last_loaded_at and price_book_version: the first incremental run on
    # such a warehouse must not fail on the missing watermark, and rebuilds every date (UTC: the usage dates)
    rebuild_in(home, "")
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("alter table marts.mart_request_cost_local_daily drop column last_loaded_at")
        conn.execute("alter table marts.mart_request_cost_local_daily drop column price_book_version")
        conn.execute("update marts.mart_request_cost_local_daily set requests = 999")
    rebuild_in(home, "")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows, requests, watermarks, versions = conn.execute(
            "select count(*), sum(requests), count(last_loaded_at), count(price_book_version) "
            "from marts.mart_request_cost_local_daily"
        ).fetchall()[0]
        (logged,) = conn.execute("select count(*) from marts.fct_request_cost").fetchall()[0]
    # every row rebuilt: the requests are the log's again (2 runs x 72, and the late one if its test ran first)
    assert requests == logged and logged in (144, 145)
    assert rows == watermarks == versions
