"""The scale benchmark's anchors answer what the raw rows say (bench/postgres_anchor.py; no timing here).

2,000 generated LiteLLM spend-log rows over 4 UTC days (bench/request_logs.py's generator), landed by the real
reader and loader into raw.litellm_spend_logs: the engine floor's totals equal the raw rows', and a real
PostgreSQL's answers to the five spend queries equal DuckDB's to the cent. Skipped when no PostgreSQL binaries
are found, except under CI=true (CI installs them), where their absence fails."""

import os
from datetime import timedelta
from decimal import Decimal

import duckdb
import pytest

from bench.postgres_anchor import (
    PG_SETTINGS,
    compare,
    duckdb_raw_answers,
    engine_floor,
    land_raw,
    load,
    postgres_queries,
)
from bench.request_logs import FIRST_DAY, QUERIES, generate
from emulator.postgres import PostgresServer

ROWS, DAYS = 2000, 4
START, END = FIRST_DAY, FIRST_DAY + timedelta(days=DAYS)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """(the 4 day files, a warehouse with their rows in raw.litellm_spend_logs)."""
    folder = tmp_path_factory.mktemp("anchor")
    files, _ = generate(ROWS, DAYS, folder / "files")
    return files, land_raw(files, folder)


def raw_totals(warehouse) -> tuple[int, Decimal]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return tuple(conn.execute("select count(*), sum(spend) from raw.litellm_spend_logs").fetchall()[0])


def test_the_engine_floor_sums_every_raw_row(landed):
    files, warehouse = landed
    runs, rows = engine_floor(files, times=1)
    count, spend = raw_totals(warehouse)
    assert count == ROWS == sum(r[3] for r in rows)
    assert spend > 0 and sum(r[4] for r in rows) == spend  # DECIMAL on both sides: exact
    assert {r[0] for r in rows} == {FIRST_DAY + timedelta(days=k) for k in range(DAYS)}
    assert len(runs) == 1


def test_postgres_answers_the_five_queries_as_duckdb_does_to_the_cent(landed, tmp_path):
    files, warehouse = landed
    server = PostgresServer(settings=PG_SETTINGS | {"shared_buffers": "128MB"})
    if server.bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL's initdb/pg_ctl are not installed (.ci/run installs them)")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on PATH")
    with server:
        loaded = load(server.dsn, files, tmp_path)
        _, answers = postgres_queries(server.dsn, START, END, times=1)
    assert loaded["rows"] == ROWS
    duck = duckdb_raw_answers(warehouse, START, END)
    assert compare(answers, duck) == []
    _, spend = raw_totals(warehouse)
    team_total = sum(Decimal(str(cost)) for _, cost in answers["cost by team"])
    assert abs(team_total - spend) < Decimal("0.005")  # every row belongs to one team: the total is every row's
    assert len(answers["top 20 users"]) == 20 and len(answers["by model per day"]) == len(duck["by model per day"])
    assert len(answers) == len(QUERIES) == 5

    # the check can fail: one cent more on one group, or a group missing, is reported
    off = dict(answers, **{"cost by team": [(answers["cost by team"][0][0], answers["cost by team"][0][1] + 0.01)]})
    assert any(p.startswith("cost by team: groups differ") for p in compare(off, duck))
    first, *rest = answers["daily total by provider"]
    nudged = dict(answers, **{"daily total by provider": [(*first[:-1], first[-1] + 0.01), *rest]})
    assert compare(nudged, duck) and compare(nudged, duck)[0].startswith("daily total by provider: 1 groups differ")
