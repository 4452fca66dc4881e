"""The sidebar's shared filters (teams, models, reporting time zone), the Overview's CSV downloads and the compact
token format, on conftest.py's seeded serving copy. Every expected number is worked out by hand from the seeded rows
(conftest.py's docstring) and checked against SQL on the marts.

Default range: UTC days 2025-01-16..2025-02-14.

Team "search" in the request logs (fct_request_cost_daily): 2025-02-03 gpt-4o 100 + 50 requests, 6.000 + 3.000, and
2025-02-14 claude-haiku-4-5 30 requests, 1.200 (the 2025-01-10 row is out of range): 10.200, 180 requests.
Model "gpt-4o": usage 2025-01-20 4.125 + 2025-02-03 12.340 = 16.465 ($16.47, half up); billed 4.125 + 12.360 =
16.485 ($16.49); requests 6.000 + 3.000 = 9.000, 150 requests.

LOCAL: mart_request_cost_local_daily's rows in Europe/Berlin. The haiku requests of UTC day 2025-02-14 were sent at
23:30 UTC, i.e. on 2025-02-15 in Berlin: outside the range in local days. In range: 9.000 + 8.000 + 0.015 = 17.015
($17.02), 250 requests; team search 9.000, 150 requests.
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
from showback_seed import add_showback_rows

from apps.lib import formatting

D = Decimal
RANGE = "usage_date >= '2025-01-16' and usage_date < '2025-02-15'"
TEAMS_PAGE = "app_pages/teams.py"
ZONE = "Europe/Berlin"

# (local_date, provider, model_id, team, feature, requests, unpriced_requests, list_cost_usd)
LOCAL = [
    ("2025-01-10", "anthropic", "claude-sonnet-4", "search", "answers", 40, 0, D("2.000")),
    ("2025-02-03", "openai", "gpt-4o", "search", "answers", 150, 0, D("9.000")),
    ("2025-02-03", "openai", "gpt-4o-mini", "support", "triage", 20, 0, D("0.015")),
    ("2025-02-10", "anthropic", "claude-sonnet-4", "support", "triage", 80, 0, D("8.000")),
    ("2025-02-15", "anthropic", "claude-haiku-4-5", "search", "answers", 30, 0, D("1.200")),
]


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


@pytest.fixture
def local_db(serving_db: Path) -> Path:
    """The seeded copy with local days in Europe/Berlin."""
    with duckdb.connect(str(serving_db)) as conn:
        conn.executemany(
            "insert into marts.mart_request_cost_local_daily (local_date, provider, model_id, team, feature, "
            "reporting_tz, requests, unpriced_requests, list_cost_usd) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[date.fromisoformat(r[0]), *r[1:5], ZONE, *r[5:]] for r in LOCAL],
        )
    return serving_db


# --- the team filter ---------------------------------------------------------------------------------------------


def test_team_filter_changes_the_request_numbers(serving_db: Path) -> None:
    at = open_page(TEAMS_PAGE)
    assert at.multiselect(key="sidebar_teams").options == ["(none)", "research", "search", "support"]
    assert metrics(at)["Request cost"] == "$18.72"  # every team: 18.715
    at.multiselect(key="sidebar_teams").set_value(["search"])
    run(at)
    assert _sql(
        serving_db,
        f"select sum(list_cost_usd), sum(requests) from marts.fct_request_cost_daily where {RANGE} and team = 'search'",
    ) == [(D("10.200"), 180)]
    shown = metrics(at)
    assert (shown["Request cost"], shown["Requests"]) == ("$10.20", "180")
    assert frame_with(at, "Team")["Team"].tolist() == ["search"]
    # the tag mart has no team: its section says so; the page's caption counts the chosen teams
    assert "The team filter does not apply here: the tag mart carries no team." in _captions(at)
    assert "1 of 4 teams" in at.caption[0].value


def test_team_filter_on_the_overview_top_teams_and_its_note(serving_db: Path) -> None:
    at = run()
    list_cost = metrics(at)["List cost"]
    at.multiselect(key="sidebar_teams").set_value(["support"])
    run(at)
    # request-log team cost (no allocation rules published): support 0.015 + 8.000 = 8.015
    teams = frame_with(at, "Share of team cost")
    assert (teams["Team"].tolist(), teams["Cost"].tolist()) == (["support"], ["$8.02"])
    # provider usage carries no team: the list cost is the same, and the caption says why
    assert metrics(at)["List cost"] == list_cost
    assert at.caption[1].value == (
        "The team filter does not apply here: provider usage and billed lines carry no team "
        "(Top teams and team movers take it)."
    )


# --- the model filter --------------------------------------------------------------------------------------------


def test_model_filter_changes_the_overview_numbers(serving_db: Path) -> None:
    at = run()
    assert "gpt-4o" in at.multiselect(key="sidebar_models").options
    at.multiselect(key="sidebar_models").set_value(["gpt-4o"])
    run(at)
    assert _sql(
        serving_db,
        f"select sum(list_cost_usd) from marts.fct_usage_cost_daily where {RANGE} "
        "and coalesce(model_id, model_raw) = 'gpt-4o'",
    ) == [(D("16.465"),)]
    assert _sql(
        serving_db,
        f"select sum(billed_cost_usd) from marts.fct_billed_cost_daily where {RANGE} and model_id = 'gpt-4o'",
    ) == [(D("16.485"),)]
    shown = metrics(at)
    assert (shown["List cost"], shown["Billed cost"]) == ("$16.47", "$16.49")
    by_model = frame_with(at, "Share of total")
    assert (by_model["Model"].tolist(), by_model["List cost"].tolist()) == (["gpt-4o"], ["$16.47"])
    # reconciliation has no model column: its section says so
    assert (
        "The model filter does not apply here: reconciliation is per provider account and day, with no model."
        in _captions(at)
    )


def test_model_filter_changes_the_request_numbers(serving_db: Path) -> None:
    at = open_page(TEAMS_PAGE)
    at.multiselect(key="sidebar_models").set_value(["gpt-4o"])
    run(at)
    assert _sql(
        serving_db,
        f"select sum(list_cost_usd), sum(requests) from marts.fct_request_cost_daily where {RANGE} "
        "and model_id = 'gpt-4o'",
    ) == [(D("9.000"), 150)]
    shown = metrics(at)
    assert (shown["Request cost"], shown["Requests"]) == ("$9.00", "150")
    teams = frame_with(at, "Team")
    assert (teams["Team"].tolist(), teams["List cost"].tolist()) == (["search"], ["$9.00"])


def test_reconciliation_names_both_filters_it_cannot_take(serving_db: Path) -> None:
    at = open_page("app_pages/reconciliation.py")
    assert "does not apply" not in _captions(at)  # nothing chosen, nothing to say
    at.multiselect(key="sidebar_teams").set_value(["search"])
    at.multiselect(key="sidebar_models").set_value(["gpt-4o"])
    run(at)
    assert at.caption[1].value == (
        "The team filter does not apply here: reconciliation is per provider account and day, with no team; "
        "the model filter does not apply here: reconciliation is per provider account and day; the drill-down "
        "below lists its models."
    )


def test_team_and_model_filters_on_the_allocated_ledger(serving_db: Path) -> None:
    """showback_seed.py's ledger in range: team search 4.125 + 12.340 + 0.015 direct and 3.200 proportional (19.680);
    with model gpt-4o only 4.125 + 12.340 = 16.465 direct."""
    add_showback_rows(serving_db)
    at = open_page("app_pages/showback.py")
    at.multiselect(key="sidebar_teams").set_value(["search"])
    run(at)
    ledger = f"select sum(allocated_cost_usd) from marts.fct_allocated_cost_daily where {RANGE} and team = 'search'"
    assert _sql(serving_db, ledger) == [(D("19.680"),)]
    assert metrics(at) == {"Allocated cost": "$19.68", "Direct": "$16.48", "Shared": "$3.20", "Unallocated": "$0.00"}
    at.multiselect(key="sidebar_models").set_value(["gpt-4o"])
    run(at)
    assert _sql(serving_db, f"{ledger} and model_id = 'gpt-4o'") == [(D("16.465"),)]
    assert metrics(at) == {"Allocated cost": "$16.47", "Direct": "$16.47", "Shared": "$0.00", "Unallocated": "$0.00"}
    # unit economics default to the whole organisation: neither filter applies to that row
    assert (
        "The team filter does not apply here: the whole organisation's row counts every team; the model filter does "
        "not apply here: unit economics are per month and team, with no model."
    ) in [c.value for c in at.caption]


# --- the reporting time zone -------------------------------------------------------------------------------------


def test_no_time_zone_choice_without_local_days(serving_db: Path) -> None:
    at = open_page(TEAMS_PAGE)
    assert not [s for s in at.selectbox if s.key == "sidebar_time_zone"]
    assert "UTC days 2025-01-16 to 2025-02-14" in at.caption[0].value


def test_local_days_on_the_request_views(local_db: Path) -> None:
    at = open_page(TEAMS_PAGE)
    zone = at.selectbox(key="sidebar_time_zone")
    assert (zone.options, zone.value) == (["UTC", ZONE], "UTC")
    assert metrics(at)["Request cost"] == "$18.72"  # UTC days: 18.715
    zone.set_value(ZONE)
    run(at)
    assert _sql(
        local_db,
        "select sum(list_cost_usd), sum(requests) from marts.mart_request_cost_local_daily "
        "where local_date >= '2025-01-16' and local_date < '2025-02-15'",
    ) == [(D("17.015"), 250)]
    shown = metrics(at)
    assert (shown["Request cost"], shown["Requests"]) == ("$17.02", "250")
    assert "local days (the reporting time zone) 2025-01-16 to 2025-02-14" in at.caption[0].value
    assert "stay in UTC days" in at.caption[1].value
    at.multiselect(key="sidebar_teams").set_value(["search"])
    run(at)
    shown = metrics(at)
    assert (shown["Request cost"], shown["Requests"]) == ("$9.00", "150")
    # a page with UTC marts only keeps saying UTC days
    at.switch_page("app_pages/reconciliation.py")
    run(at)
    assert "UTC days 2025-01-16 to 2025-02-14" in at.caption[0].value


# --- the Overview's downloads ------------------------------------------------------------------------------------


def test_overview_downloads_what_it_shows(serving_db: Path, downloads) -> None:
    at = run()
    shown = frame_with(at, "Share of total")
    file_name, data = downloads["overview_download_models"]
    assert file_name == "overview_spend_by_model_2025-01-16_2025-02-14.csv"
    csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert csv["provider"].tolist() == shown["Provider"].tolist()
    assert csv["model_id"].tolist() == shown["Model"].tolist()
    # exact money in the file; the table rounds it: 20.005 → $20.01 (in range: anthropic claude-sonnet-4 on 02-10)
    assert [formatting.format_usd(D(v) if v else None) for v in csv["list_cost_usd"]] == shown["List cost"].tolist()
    assert D(csv.loc[csv["model_id"] == "claude-sonnet-4", "list_cost_usd"].iloc[0]) == D("20.005")
    assert csv.loc[csv["model_id"] == "claude-mystery-9", "list_cost_usd"].iloc[0] == ""  # unpriced, never 0

    file_name, data = downloads["overview_download_daily"]
    daily = pd.read_csv(io.BytesIO(data), dtype=str)
    # the chart's days: priced usage per UTC day and provider in range
    assert daily[["usage_date", "provider"]].values.tolist() == [
        ["2025-01-20", "openai"],
        ["2025-02-03", "openai"],
        ["2025-02-10", "anthropic"],
        ["2025-02-14", "anthropic"],
    ]
    assert [D(v) for v in daily["list_cost_usd"]] == [D("4.125"), D("12.355"), D("20.005"), D("3.2")]


# --- formatting --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4_813_935_123, "4.81 B tokens"),  # 4.813935123 → 4.81
        (5_475_000, "5.48 M tokens"),  # 5.475 half up
        (730_000, "730 K tokens"),
        (65_700_000, "65.7 M tokens"),
        (9_995, "10.0 K tokens"),  # 9.995 K rounds to 10.0, three digits still
        (99_950, "100 K tokens"),
        (999_999, "1.00 M tokens"),  # 999.999 K rounds to 1,000 K: the next unit
        (999.5, "1.00 K tokens"),
        (950, "950 tokens"),
        (0, "0 tokens"),
        (D("-1500000"), "-1.50 M tokens"),
        (10**15, "1,000 T tokens"),
        (None, "—"),
    ],
)
def test_format_compact_count(value, expected: str) -> None:
    assert formatting.format_compact_count(value, "tokens") == expected


def test_format_compact_count_without_unit() -> None:
    assert formatting.format_compact_count(1_196_428_536) == "1.20 B"


def test_format_scope_and_the_not_applied_line() -> None:
    assert formatting.format_scope((), ["a", "b"], "teams") == "all teams"
    assert formatting.format_scope(("a", "b"), ["a", "b"], "teams") == "all teams"
    assert formatting.format_scope(("a",), ["a", "b", "c"], "models") == "1 of 3 models"
    assert formatting.filters_not_applied(False, True, team="x", model=None) is None
    assert formatting.filters_not_applied(True, False, team=None, model="y") is None
    assert (
        formatting.filters_not_applied(True, True, team="billed lines carry no team", model=None)
        == "The team filter does not apply here: billed lines carry no team."
    )
