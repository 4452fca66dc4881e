"""The Overview page's panels beyond the headline metrics (test_pages.py has those), on conftest.py's seeded serving
copy: data freshness and quality (with health_seed.py's two quality runs). Every expected number is worked out by
hand from the seeded rows and checked against SQL on the copy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from apptest_helpers import frame_with, metrics, run
from health_seed import BLOCKED_RUN, add_quality_results, insert_results
from showback_seed import add_showback_rows

QUALITY = "Checks: passed / warnings / blocking"


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _movers(at, column: str) -> pd.DataFrame:
    """The one top-movers table with ``column`` (Team or Model)."""
    frames = [df.value for df in at.dataframe if {column, "Change %"} <= set(df.value.columns)]
    assert len(frames) == 1, [list(df.value.columns) for df in at.dataframe]
    return frames[0]


@pytest.fixture
def health_db(serving_db: Path) -> Path:
    return add_quality_results(serving_db)


def test_freshness_and_quality_panel(health_db: Path) -> None:
    at = run()
    shown = metrics(at)
    # conftest's publish_info: published 2025-02-15 06:00, data_end 2025-02-15 (exclusive)
    assert shown["Published (UTC)"] == "2025-02-15 06:00"
    assert shown["Data through"] == "2025-02-14"
    # run-b (the latest): 8 checks, 5 passed, 3 warnings (volume, openai freshness, usage_has_price), 0 blocking
    assert shown[QUALITY] == "5 / 3 / 0"
    # the latest freshness rows: openai failed in run-b (1 day late), anthropic passed
    assert _sql(
        health_db,
        """
        select asset, status from marts.quality_results where check_name = 'freshness'
        qualify row_number() over (partition by asset order by checked_at desc) = 1 order by asset
        """,
    ) == [("anthropic/messages_usage", "passed"), ("openai/completions_usage", "failed")]
    assert shown["Stale sources"] == "1 of 2"
    stale = frame_with(at, "Stale source")
    assert stale.values.tolist() == [
        ["openai/completions_usage", "newest day 2025-02-13, 1 day late", "2025-02-15 05:50"]
    ]
    assert "The latest quality run, checked 2025-02-15 05:50 to 2025-02-15 05:50 UTC; sources of the providers " in (
        " ".join(c.value for c in at.caption)
    )


def test_quality_panel_follows_the_provider_filter(health_db: Path) -> None:
    at = run()
    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    run(at)
    shown = metrics(at)
    # openai's raw landings left out of run-b: anthropic no_negative, anthropic freshness, the mart's unique key and
    # litellm (not a provider) passed; usage_has_price (a mart) warned
    assert shown[QUALITY] == "4 / 1 / 0"
    assert shown["Stale sources"] == "0 of 1"
    assert not [df for df in at.dataframe if "Stale source" in df.value.columns]


def test_a_blocking_run_is_counted(health_db: Path) -> None:
    insert_results(health_db, BLOCKED_RUN)  # run-c: openai unique key failed on 02-14, nothing else checked
    at = run()
    shown = metrics(at)
    assert shown[QUALITY] == "0 / 0 / 1"
    assert shown["Stale sources"] == "1 of 2"  # freshness still from run-b


@pytest.mark.usefixtures("serving_db")
def test_quality_panel_empty_state_without_quality_results() -> None:
    at = run()
    shown = metrics(at)
    assert shown[QUALITY] == "—" and shown["Stale sources"] == "—"
    assert shown["Published (UTC)"] == "2025-02-15 06:00"
    assert (
        "No quality results in the serving copy yet: the next pipeline run (`finops run`, or `finops demo`) stores "
        "the quality gate's checks and the freshness of each source." in [c.value for c in at.caption]
    )


# --- top teams and top movers ------------------------------------------------------------------
# Default range 2025-01-16..2025-02-14 (30 days) against 2024-12-17..2025-01-15.


def test_top_teams_and_movers_from_request_logs(serving_db: Path) -> None:
    """Without allocated rows, team cost is the request logs' (conftest REQUESTS). In range: search 6.00 + 3.00 +
    1.20 = 10.20, support 0.015 + 8.00 = 8.015, (none) 0.50, research unpriced (3 requests); before: search 2.00."""
    at = run()
    assert _sql(
        serving_db,
        """
        select team, sum(list_cost_usd) from marts.fct_request_cost_daily
        where usage_date between '2025-01-16' and '2025-02-14' group by team order by team
        """,
    ) == [("(none)", Decimal("0.5")), ("research", None), ("search", Decimal("10.2")), ("support", Decimal("8.015"))]
    teams = frame_with(at, "Unpriced requests")
    # shares of 18.715: 54.5%, 42.8%, 2.7%
    assert teams.values.tolist() == [
        ["search", "$10.20", "54.5%", 0],
        ["support", "$8.02", "42.8%", 0],
        ["(none)", "$0.50", "2.7%", 0],
        ["research", "unpriced", "—", 3],
    ]
    captions = " ".join(c.value for c in at.caption)
    assert "Request logs at list price: what the logs attribute to teams" in captions

    team_movers = _movers(at, "Team")
    # search +8.20 over 2.00 = +410.0%; support and (none) new; research has no priced cost: not a mover
    assert team_movers.values.tolist() == [
        ["search", "$2.00", "$10.20", "+$8.20", "410.0%"],
        ["support", "$0.00", "$8.02", "+$8.02", "new"],
        ["(none)", "$0.00", "$0.50", "+$0.50", "new"],
    ]
    model_movers = _movers(at, "Model")
    # sonnet 20.005 - 7.50 = +12.505 (166.7%); gpt-4o 16.465 - 10.00 = +6.465 (64.65%); haiku, mini new;
    # the unpriced models have no priced cost either side: not movers
    assert model_movers.values.tolist() == [
        ["anthropic", "claude-sonnet-4", "$7.50", "$20.01", "+$12.51", "166.7%"],
        ["openai", "gpt-4o", "$10.00", "$16.47", "+$6.47", "64.6%"],  # 64.65%: format_pct rounds the float
        ["anthropic", "claude-haiku-4-5", "$0.00", "$3.20", "+$3.20", "new"],
        ["openai", "gpt-4o-mini", "$0.00", "$0.02", "+$0.02", "new"],
    ]
    assert "against the 30 days before (2024-12-17 to 2025-01-15)" in captions


def test_top_teams_and_movers_prefer_allocated_cost(serving_db: Path) -> None:
    """With showback_seed's allocated ledger: in range search 4.125 + 12.34 + 0.015 + 3.20 = 19.68, support 12.003,
    research 4.001, (unallocated) 4.001 and 2 unpriced rows; before: search 10.00, support 7.50."""
    add_showback_rows(serving_db)
    at = run()
    teams = frame_with(at, "Unpriced rows")
    # shares of 39.685: 49.6%, 30.2%, 10.1%, 10.1%
    assert teams.values.tolist() == [
        ["search", "$19.68", "49.6%", 0],
        ["support", "$12.00", "30.2%", 0],
        ["(unallocated)", "$4.00", "10.1%", 2],
        ["research", "$4.00", "10.1%", 0],
    ]
    assert "Allocated cost: the usage at list price split to teams" in " ".join(c.value for c in at.caption)
    movers = _movers(at, "Team")
    # +9.68 over 10.00 = 96.8%; +4.503 over 7.50 = 60.0%; ties by name
    assert movers.values.tolist() == [
        ["search", "$10.00", "$19.68", "+$9.68", "96.8%"],
        ["support", "$7.50", "$12.00", "+$4.50", "60.0%"],
        ["(unallocated)", "$0.00", "$4.00", "+$4.00", "new"],
        ["research", "$0.00", "$4.00", "+$4.00", "new"],
    ]


def test_movers_follow_the_range_and_providers(serving_db: Path) -> None:
    """openai only, 2025-02-01..2025-02-14 (14 days) against 2025-01-18..2025-01-31: gpt-4o 12.34 vs 4.125
    (+8.215, +199.2%), gpt-4o-mini new at 0.015; the unpriced fine-tune is not a mover. Request logs of openai:
    search 6.00 + 3.00 = 9.00, support 0.015, none before."""
    at = run()
    at.multiselect(key="sidebar_providers").set_value(["openai"])
    at.date_input(key="sidebar_date_range").set_value((date(2025, 2, 1), date(2025, 2, 14)))
    run(at)
    assert _movers(at, "Model").values.tolist() == [
        ["openai", "gpt-4o", "$4.13", "$12.34", "+$8.22", "199.2%"],
        ["openai", "gpt-4o-mini", "$0.00", "$0.02", "+$0.02", "new"],
    ]
    assert frame_with(at, "Unpriced requests").values.tolist() == [
        ["search", "$9.00", "99.8%", 0],
        ["support", "$0.02", "0.2%", 0],
    ]


def test_top_teams_empty_state_without_team_cost(serving_db: Path) -> None:
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute("drop table marts.fct_request_cost_daily")
    at = run()
    captions = [c.value for c in at.caption]
    assert (
        "The serving copy has no team cost yet: add allocation rules (`allocation` in finops.yaml) or request logs "
        "(`FINOPS_REQUEST_LOGS`) and run the pipeline again." in captions
    )
    assert "No team cost published." in captions
    assert len(_movers(at, "Model")) == 4  # model movers still shown


# --- forecast to month end ---------------------------------------------------------------------


def test_forecast_to_month_end_from_the_org_monthly_budget(serving_db: Path) -> None:
    """conftest BUDGETS: org-monthly's current period is February 2025, as of 02-14: actual 35.56, projected 44.00
    (holt_winters_weekly_damped) against 30.00, +14.00 over; the anthropic budget is not org-wide."""
    at = run()
    assert _sql(
        serving_db,
        """
        select budget_id, forecast_usd, budget_usd from marts.mart_budget_status
        where scope_type = 'org' and period = 'month' order by period_start desc limit 1
        """,
    ) == [("org-monthly", Decimal("44.000"), Decimal("30.00"))]
    forecast = [m for m in at.metric if m.label == "Projected spend, February 2025"]
    assert len(forecast) == 1
    assert forecast[0].value == "$44.00"
    assert forecast[0].proto.delta == "+$14.00"
    assert metrics(at)["Org-wide monthly budget"] == "$30.00"
    table = frame_with(at, "Forecast method")
    assert table.values.tolist() == [
        ["org-monthly", "2025-02", "2025-02-14", "$35.56", "$44.00", "$30.00", "over", "holt_winters_weekly_damped"]
    ]


def test_forecast_empty_state_without_an_org_monthly_budget(serving_db: Path) -> None:
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute("delete from marts.mart_budget_status where scope_type = 'org'")
    at = run()
    assert "Org-wide monthly budget" not in metrics(at)
    assert (
        "No org-wide monthly budget is configured, so there is no forecast to month end: add one to `budgets` in "
        "finops.yaml (`scope: {org: true}`, `period: month`, `amount_usd`) and run the pipeline again."
        in [c.value for c in at.caption]
    )


def test_markdown_team_and_model_names_stay_in_cells(hostile_serving_db: Path, hostile_names: dict[str, str]) -> None:
    """conftest's hostile rows: a team and a model whose names are Markdown, on 2025-02-13 (the team allocated 0.70;
    in the default range, nothing before): verbatim in the tables' cells, in no caption or metric."""
    at = run()
    team, model = hostile_names["team"], hostile_names["model"]
    teams = frame_with(at, "Unpriced rows")  # the hostile copy has an allocated ledger
    assert [row[:2] for row in teams.values.tolist() if row[0] == team] == [[team, "$0.70"]]
    assert team in _movers(at, "Team")["Team"].tolist()
    assert model in _movers(at, "Model")["Model"].tolist()  # its priced token usage that day
    texts = [c.value for c in at.caption] + [m.label for m in at.metric] + [m.value for m in at.metric]
    assert not [t for t in texts if "INJECTED" in t or "evil.example" in t]
