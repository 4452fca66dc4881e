"""The Teams page and its queries on the seeded serving copy (conftest.py: REQUESTS, REQUEST_TAGS, COVERAGE).

Every expected number is worked out by hand from the seeded rows. The default range is 2025-01-16..2025-02-14,
so the January request rows (2025-01-10) are out of it.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from apps.lib import queries

APP = Path(__file__).parents[2] / "apps" / "streamlit_app.py"
PAGE = "app_pages/teams.py"
D = Decimal
START, END = date(2025, 1, 16), date(2025, 2, 15)
ALL = ("anthropic", "openai")
NO_REQUESTS_INFO = (
    "No request logs in this range. To see spend by team, feature and user, point `FINOPS_REQUEST_LOGS` "
    "at your gateway or SDK request logs (see the README, section Request logs) and run the pipeline again."
)


def _run(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(APP), default_timeout=30)
    at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _teams_page() -> AppTest:
    at = _run()
    at.switch_page(PAGE)
    return _run(at)


def _metric(at: AppTest, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert len(matches) == 1, [m.label for m in at.metric]
    return matches[0]


def _table(at: AppTest, column: str) -> list[list]:
    """Rows of the one dataframe that has ``column``."""
    frames = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(frames) == 1, [list(df.value.columns) for df in at.dataframe]
    return frames[0].values.tolist()


def _rows(frame) -> list[tuple]:
    return list(frame.itertuples(index=False, name=None))


# --- queries ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("serving_db")
def test_request_queries_return_hand_computed_sums() -> None:
    assert queries.request_marts_published()
    assert _rows(queries.request_totals(START, END, ALL)) == [(288, 3, D("18.715"))]

    teams = queries.request_cost_by_team(START, END, ALL)
    assert [row[:4] for row in _rows(teams)] == [
        ("search", 180, 0, D("10.2")),  # 6 + 3 + 1.2
        ("support", 100, 0, D("8.015")),  # 0.015 + 8
        ("(none)", 5, 0, D("0.5")),
        ("research", 3, 3, None),  # unpriced: NULL, never 0
    ]
    assert [round(share, 4) for share in teams["share_of_total"][:3]] == [0.545, 0.4283, 0.0267]  # of 18.715

    features = queries.request_cost_by_feature(START, END, ALL, "search")
    assert [row[:4] for row in _rows(features)] == [("answers", 130, 0, D("7.2")), ("rerank", 50, 0, D("3"))]
    every_team = queries.request_cost_by_feature(START, END, ALL, None)
    assert list(every_team["feature"]) == ["triage", "answers", "rerank", "(none)"]  # (none): 0.5 + unpriced

    users = queries.request_cost_by_user(START, END, ALL, None, 2)
    assert [row[:4] for row in _rows(users)] == [("u_carol", 100, 0, D("8.015")), ("u_alice", 100, 0, D("6"))]
    assert set(users["users"]) == {5}  # u_carol, u_alice, u_bob, (none), u_dave
    assert list(queries.request_cost_by_user(START, END, ALL, "search", 10)["user_id"]) == ["u_alice", "u_bob"]


@pytest.mark.usefixtures("serving_db")
def test_coverage_explains_usage_cost_and_never_adds_to_it() -> None:
    coverage = queries.request_coverage(START, END, ALL)
    # anthropic: usage 20.005 + 3.20 (02-12 is unpriced usage: NULL), requests 8.5 + 1.2 on those days;
    # openai: usage 4.125 + 12.355 (02-05 unpriced), requests 9.015 on 02-03.
    assert [row[:2] + row[4:] for row in _rows(coverage)] == [
        ("anthropic", D("23.205"), D("13.505"), D("0"), D("23.205"), 118),
        ("openai", D("16.48"), D("7.465"), D("0"), D("16.48"), 170),
    ]
    assert list(coverage["explained_usd"]) == [D("9.7"), D("9.015")]
    assert [round(share, 4) for share in coverage["explained_share"]] == [0.418, 0.547]
    # Spend is the usage cost on covered days: the request cost is not added to it.
    assert list(coverage["spend_usd"]) == list(coverage["usage_cost_usd"])


def test_coverage_counts_request_cost_on_days_no_billing_covers(serving_db: Path) -> None:
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute(
            "insert into marts.mart_request_coverage_daily (usage_date, provider, usage_cost_usd, request_cost_usd, "
            "gap_usd, explained_share, spend_usd, requests, unpriced_requests, unpriced_usage_lines, "
            "is_covered_by_billing) values ('2025-02-15', 'openai', null, 0.25, null, null, 0.25, 4, 0, 0, false)"
        )
    row = queries.request_coverage(START, date(2025, 2, 16), ("openai",)).iloc[0]
    assert (row["usage_cost_usd"], row["explained_usd"], row["gap_usd"]) == (D("16.48"), D("9.015"), D("7.465"))
    assert (row["unbilled_request_cost_usd"], row["spend_usd"], row["requests"]) == (D("0.25"), D("16.73"), 174)


@pytest.mark.usefixtures("serving_db")
def test_gateway_drift_flags_more_than_one_percent_and_a_cent() -> None:
    drift = queries.gateway_drift(START, END, ALL)
    assert [row[:6] + (row[8],) for row in _rows(drift)] == [
        ("litellm", "openai", "gpt-4o", 150, D("9"), D("9.1"), True),  # +0.10: 1.1% and > $0.01
        ("litellm", "anthropic", "claude-haiku-4-5", 30, D("1.2"), D("1.205"), False),  # $0.005, 0.4%
        ("litellm", "openai", "gpt-4o-mini", 20, D("0.015"), D("0.02"), False),  # 33%, but only $0.005
    ]
    assert list(drift["difference_usd"]) == [D("0.1"), D("0.005"), D("0.005")]


@pytest.mark.usefixtures("serving_db")
def test_tags_and_unpriced_requests() -> None:
    assert queries.request_tag_keys(START, END, ALL) == ["env", "project"]
    env = queries.request_cost_by_tag_value(START, END, ALL, "env", 100)
    assert [row[:4] for row in _rows(env)] == [("prod", 200, 0, D("15")), ("staging", 30, 0, D("2"))]
    assert list(env["tag_values"]) == [2, 2]
    # the costliest value only, its share still of the whole key (15 of 17), with the count of all values
    top = queries.request_cost_by_tag_value(START, END, ALL, "env", 1)
    assert [row[:4] + row[5:] for row in _rows(top)] == [("prod", 200, 0, D("15"), 2)]
    assert top["share_of_total"].iloc[0] == pytest.approx(15 / 17)
    project = queries.request_cost_by_tag_value(START, END, ALL, "project", 100)
    assert [row[:4] for row in _rows(project)] == [("apollo", 53, 3, D("5"))]

    assert _rows(queries.unpriced_requests(START, END, ALL)) == [("jsonl", "anthropic", "claude-mystery-9", 3)]
    assert queries.unpriced_requests(START, END, ("openai",)).empty


@pytest.mark.usefixtures("serving_db")
def test_request_queries_are_parameterised() -> None:
    assert queries.request_cost_by_feature(START, END, ALL, "search' or '1'='1").empty
    assert queries.request_cost_by_tag_value(START, END, ALL, "env' or '1'='1", 100).empty


# --- the page -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("serving_db")
def test_teams_page_default_range() -> None:
    at = _teams_page()
    assert at.title[0].value == "Teams"
    assert _metric(at, "Request cost") == "$18.72"  # 18.715 half up
    assert _metric(at, "Requests") == "288"
    assert _metric(at, "Usage cost explained by request logs") == "47.2%"  # 18.715 / 39.685

    assert _table(at, "Team") == [
        ["search", 180, 0, "$10.20", "54.5%"],
        ["support", 100, 0, "$8.02", "42.8%"],
        ["(none)", 5, 0, "$0.50", "2.7%"],
        ["research", 3, 3, "unpriced", "—"],
    ]
    # The costliest team is chosen first.
    assert at.selectbox(key="teams_team").options == ["All teams", "search", "support", "(none)", "research"]
    assert _table(at, "Feature") == [["answers", 130, 0, "$7.20", "70.6%"], ["rerank", 50, 0, "$3.00", "29.4%"]]
    assert _table(at, "User") == [["u_alice", 100, 0, "$6.00", "58.8%"], ["u_bob", 80, 0, "$4.20", "41.2%"]]

    coverage = _table(at, "Share explained")
    assert [row[:5] for row in coverage] == [
        ["anthropic", "$23.21", "$9.70", "41.8%", "$13.51"],
        ["openai", "$16.48", "$9.02", "54.7%", "$7.47"],
    ]
    assert any(
        c.value.startswith("Requests attribute, billing counts: request-level cost never adds") for c in at.caption
    )

    assert [row[2:] for row in _table(at, "Beyond tolerance")] == [
        ["gpt-4o", 150, "$9.0000", "$9.1000", "+$0.1000", "1.1%", True],
        ["claude-haiku-4-5", 30, "$1.2000", "$1.2050", "+$0.0050", "0.4%", False],
        ["gpt-4o-mini", 20, "$0.0150", "$0.0200", "+$0.0050", "33.3%", False],
    ]

    assert at.selectbox(key="teams_tag_key").options == ["env", "project"]
    assert _table(at, "Tag value") == [["prod", 200, 0, "$15.00", "88.2%"], ["staging", 30, 0, "$2.00", "11.8%"]]


@pytest.mark.usefixtures("serving_db")
def test_unpriced_requests_are_a_warning_with_counts_never_zero() -> None:
    at = _teams_page()
    assert [w.value for w in at.warning] == [
        "3 requests for 1 model have no list price; they are excluded from request cost, not counted as \\$0. "
        "Add the model below to `pricing_seeds/price_book.csv`."
    ]
    unpriced = [
        df.value
        for df in at.dataframe
        if list(df.value.columns) == ["Source", "Provider", "Model", "Unpriced requests"]
    ]
    assert [frame.values.tolist() for frame in unpriced] == [[["jsonl", "anthropic", "claude-mystery-9", 3]]]


@pytest.mark.usefixtures("serving_db")
def test_team_top_n_and_tag_key_choices() -> None:
    at = _teams_page()
    at.selectbox(key="teams_team").select_index(0)  # All teams
    at.number_input(key="teams_top_n").set_value(1)
    _run(at)
    assert [row[0] for row in _table(at, "Feature")] == ["triage", "answers", "rerank", "(none)"]
    assert _table(at, "User") == [["u_carol", 100, 0, "$8.02", "42.8%"]]  # share of all 18.715
    assert "The 1 costliest of 5 users; shares are of the whole selection." in [c.value for c in at.caption]

    at.selectbox(key="teams_team").set_value("research")
    at.selectbox(key="teams_tag_key").set_value("project")
    _run(at)
    assert _table(at, "Feature") == [["(none)", 3, 3, "unpriced", "—"]]
    assert _table(at, "Tag value") == [["apollo", 53, 3, "$5.00", "100.0%"]]

    at.selectbox(key="teams_tag_key").set_value("env")
    at.number_input(key="teams_tag_top_n").set_value(1)
    _run(at)
    assert _table(at, "Tag value") == [["prod", 200, 0, "$15.00", "88.2%"]]
    assert "The 1 costliest of 2 values; shares are of the whole key." in [c.value for c in at.caption]


@pytest.mark.usefixtures("serving_db")
def test_provider_filter_applies_to_requests() -> None:
    at = _teams_page()
    at.multiselect(key="sidebar_providers").set_value(["openai"])
    _run(at)
    # openai in range: 6 + 3 + 0.015 = 9.015, 170 requests, 9.015 / 16.48 explained.
    assert _metric(at, "Request cost") == "$9.02"
    assert _metric(at, "Requests") == "170"
    assert _metric(at, "Usage cost explained by request logs") == "54.7%"
    assert [row[:4] for row in _table(at, "Team")] == [["search", 150, 0, "$9.00"], ["support", 20, 0, "$0.02"]]
    assert not at.warning


@pytest.mark.usefixtures("serving_db")
def test_range_without_request_logs_shows_how_to_configure_them() -> None:
    at = _teams_page()
    at.date_input(key="sidebar_date_range").set_value((date(2025, 1, 16), date(2025, 1, 31)))
    _run(at)
    assert [i.value for i in at.info] == [NO_REQUESTS_INFO]
    assert not at.error and not at.warning and not at.metric and not at.dataframe


def test_serving_copy_without_request_marts_shows_how_to_configure_them(finops_home: Path, make_serving_db) -> None:
    path = make_serving_db(finops_home / "serving.duckdb")
    with duckdb.connect(str(path)) as conn:
        for name in queries.REQUEST_MARTS:
            conn.execute(f"drop table marts.{name}")
    at = _teams_page()
    assert [i.value for i in at.info] == [NO_REQUESTS_INFO]
    assert not at.error


def test_no_serving_copy(finops_home: Path) -> None:
    at = _teams_page()
    assert [i.value for i in at.info] == ["No published data yet. Run `finops demo` or `finops run` first."]


@pytest.mark.usefixtures("serving_db")
def test_teams_page_downloads_what_it_shows(downloads) -> None:
    """Each table's CSV holds its rows with exact money (unpriced: an empty cell, never 0)."""
    _teams_page()
    period = "2025-01-16_2025-02-14"

    def rows(key: str, column: str) -> list[tuple[str, str, str]]:
        file_name, data = downloads[key]
        assert file_name.endswith(f"_{period}.csv")
        csv = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        return list(zip(csv[column], csv["requests"], csv["list_cost_usd"], strict=True))

    assert rows("teams_download_by_team", "team") == [
        ("search", "180", "10.200000000000"),
        ("support", "100", "8.015000000000"),
        ("(none)", "5", "0.500000000000"),
        ("research", "3", ""),
    ]
    assert [r[:2] for r in rows("teams_download_by_feature", "feature")] == [("answers", "130"), ("rerank", "50")]
    assert [r[:2] for r in rows("teams_download_by_user", "user_id")] == [("u_alice", "100"), ("u_bob", "80")]
    assert [r[:2] for r in rows("teams_download_by_tag", "tag_value")] == [("prod", "200"), ("staging", "30")]
