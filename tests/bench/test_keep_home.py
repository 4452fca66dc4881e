"""bench/scale.py --keep-homes: a kept home's serving copy still reads its request day files after the move (the
views name them by absolute path, so the home is published again where it now is), for bench/app_pages.py."""

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from bench.request_logs import connect, publish
from bench.scale import move_home

QUERY = "select count(*), sum(list_cost_usd) from marts.fct_request_cost"


@pytest.fixture
def published_home(tmp_path):
    """A home whose warehouse holds three requests over two days in marts.fct_request_cost, published once."""
    home = tmp_path / "finops-bench-requests-x"
    home.mkdir()
    with connect(home / "warehouse.duckdb") as conn:
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.fct_request_cost (request_id varchar, usage_date date, built_at timestamp, "
            "list_cost_usd decimal(38, 12))"
        )
        built = datetime(2026, 3, 3, 1, 0)
        conn.executemany(
            "insert into marts.fct_request_cost values (?, ?, ?, ?)",
            [
                ("a", date(2026, 3, 1), built, Decimal("0.000150000000")),
                ("b", date(2026, 3, 1), built, Decimal("1.250000000000")),
                ("c", date(2026, 3, 2), built, Decimal("0.000000617284")),
            ],
        )
    publish(home, "bench-full")
    return home


def day_files(home) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (home / "serving_parts").rglob("*.parquet")}


def read(home):
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as conn:
        return conn.execute(QUERY).fetchone()


def test_a_kept_home_reads_its_day_files_where_it_now_is(published_home, tmp_path):
    assert read(published_home) == (3, Decimal("1.250150617284"))
    files = day_files(published_home)
    assert len(files) == 2  # one per day

    kept = tmp_path / "home-3"
    move_home(published_home, kept, republish=True)

    assert not published_home.exists()
    assert read(kept) == (3, Decimal("1.250150617284"))
    assert day_files(kept) == files, "the day files were moved, not written again"


def test_without_publishing_again_the_moved_copy_reads_the_old_place(published_home, tmp_path):
    kept = tmp_path / "home-3"
    move_home(published_home, kept, republish=False)
    with pytest.raises(duckdb.IOException, match="No files found"):
        read(kept)
