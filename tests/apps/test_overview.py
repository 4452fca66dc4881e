"""The Overview page's panels beyond the headline metrics (test_pages.py has those), on conftest.py's seeded serving
copy: data freshness and quality (with health_seed.py's two quality runs). Every expected number is worked out by
hand from the seeded rows and checked against SQL on the copy."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from apptest_helpers import frame_with, metrics, run
from health_seed import BLOCKED_RUN, add_quality_results, insert_results

QUALITY = "Checks: passed / warnings / blocking"


def _sql(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


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
