"""A serving copy whose request day files are gone (its data folder moved since the publish: the views name the files
by absolute path, orchestration/publish.py) gets one sentence on the page that reads them, not DuckDB's traceback;
the pages that do not read them are unaffected."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from apptest_helpers import PAGES, run

from apps.lib import queries

TEAMS = "app_pages/teams.py"


@pytest.fixture
def moved_parts(serving_db: Path, tmp_path: Path) -> Path:
    """The seeded copy with fct_request_cost_daily served as a view over a day file, as a publish makes it, then the
    file's folder moved away."""
    parts = tmp_path / "old_home" / "serving_parts" / "fct_request_cost_daily"
    parts.mkdir(parents=True)
    day_file = parts / "days.parquet"
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute(f"copy marts.fct_request_cost_daily to '{day_file}' (format parquet)")
        conn.execute("drop table marts.fct_request_cost_daily")
        conn.execute(f"create view marts.fct_request_cost_daily as select * from read_parquet(['{day_file}'])")
    shutil.move(tmp_path / "old_home", tmp_path / "new_home")
    return serving_db


def test_the_page_that_reads_the_moved_files_says_what_to_do(moved_parts: Path) -> None:
    at = run()
    at.switch_page(TEAMS)
    at = run(at)  # run() fails on any exception the page shows

    assert [e.value for e in at.error] == [queries.FILES_MISSING]
    assert "finops run" in queries.FILES_MISSING


def test_only_the_pages_that_read_them_say_so(moved_parts: Path) -> None:
    told = set()
    for page in PAGES:
        at = run()
        at.switch_page(page)
        at = run(at)  # no page shows an exception
        if queries.FILES_MISSING in [e.value for e in at.error]:
            told.add(page)
    # with the default filters only Teams (its by-feature view) reads fct_request_cost_daily; the rest read roll-ups
    assert told == {TEAMS}
