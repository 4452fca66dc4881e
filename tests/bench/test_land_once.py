"""bench/scale.py --land-once: a home put back as landed (bench/request_logs.py reset_to_landed) holds what the
landing left, table for table and row for row, so a second run builds and checks its increment as the first did."""

import shutil

import pytest

from bench.request_logs import build_run, connect, generate, land_home, reset_to_landed

pytestmark = pytest.mark.slow

DAYS = 3
LOAD_COLUMNS = {"_loaded_at", "_run_id", "loaded_at", "run_id"}  # when and by which run, not what was landed


def contents(warehouse) -> dict[tuple[str, str], tuple]:
    """Each table's and view's row count and an order-free hash of its rows, load columns left out."""
    out = {}
    with connect(warehouse, read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
        for schema, name in tables:
            columns = [
                c
                for (c,) in conn.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if c not in LOAD_COLUMNS
            ]
            hashed = ", ".join(f'"{c}"' for c in columns)
            out[(schema, name)] = conn.execute(
                f'select count(*), coalesce(sum(hash({hashed})), 0) from "{schema}"."{name}"'
            ).fetchone()
    return out


def request_totals(warehouse) -> tuple:
    with connect(warehouse, read_only=True) as conn:
        return conn.execute("select count(*), sum(list_cost_usd) from marts.fct_request_cost").fetchone()


@pytest.fixture
def landing(tmp_path):
    files, new_file = generate(900, DAYS, tmp_path / "files")
    landing = land_home(files, DAYS)
    yield landing, new_file
    shutil.rmtree(landing["home"], ignore_errors=True)


def test_a_home_put_back_as_landed_builds_again_as_the_first_run_did(landing):
    landing, new_file = landing
    home = landing["home"]
    warehouse = home / "warehouse.duckdb"
    landed = contents(warehouse)
    assert set(landed) == landing["landed"]
    assert landed[("raw", "litellm_spend_logs")][0] == 900

    first = build_run(home, new_file, DAYS)
    assert first["problems"] == [] and first["mismatches"] == []
    built = contents(warehouse)
    assert ("marts", "fct_request_cost") in built and built[("raw", "litellm_spend_logs")] != landed[
        ("raw", "litellm_spend_logs")
    ], "the run built the marts and landed its new day"
    first_totals = request_totals(warehouse)

    reset_to_landed(home, landing["landed"], DAYS)
    assert contents(warehouse) == landed
    assert sorted(p.name for p in home.iterdir()) in (
        ["warehouse.duckdb"],
        ["warehouse.duckdb", "warehouse.duckdb.wal"],
    )

    second = build_run(home, new_file, DAYS)
    assert second["problems"] == [] and second["mismatches"] == []
    assert second["new_rows"] == first["new_rows"] > 0
    assert request_totals(warehouse) == first_totals
