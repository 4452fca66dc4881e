import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from connectors.anthropic.tables import ANTHROPIC_COST_REPORT
from connectors.openai.tables import OPENAI_COSTS, OPENAI_PROJECTS
from orchestration.errors import FinopsError
from orchestration.loader import ShrinkRefused, ensure_raw_tables, land


def cost_row(day: int, project: str, value: str) -> dict:
    return {
        "bucket_start": datetime(2025, 3, day),
        "bucket_end": datetime(2025, 3, day + 1),
        "project_id": project,
        "api_key_id": None,
        "line_item": "gpt-4o-2024-08-06, input",
        "amount_value": Decimal(value),
        "amount_currency": "usd",
        "quantity": Decimal("1000"),
        "quantity_unit": "tokens",
        "_raw": {"amount": {"value": Decimal(value), "currency": "usd"}, "future_field": 1},
    }


def rows(conn, table="raw.openai_costs"):
    return conn.execute(f"select _partition_date, project_id, amount_value from {table} order by 1, 2").fetchall()


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as c:
        yield c


def test_loading_a_day_twice_leaves_the_same_rows(conn):
    batch = [cost_row(1, "proj_a", "0.1"), cost_row(1, "proj_b", "0.2"), cost_row(2, "proj_a", "0.3")]
    for _ in range(2):
        assert land(conn, OPENAI_COSTS, batch, run_id="r", window=(date(2025, 3, 1), date(2025, 3, 3))) == 3
    assert rows(conn) == [
        (date(2025, 3, 1), "proj_a", Decimal("0.1")),
        (date(2025, 3, 1), "proj_b", Decimal("0.2")),
        (date(2025, 3, 2), "proj_a", Decimal("0.3")),
    ]


def test_reload_replaces_only_its_window_and_picks_up_revisions(conn):
    land(
        conn,
        OPENAI_COSTS,
        [cost_row(1, "p", "1"), cost_row(2, "p", "2")],
        run_id="r1",
        window=(date(2025, 3, 1), date(2025, 3, 3)),
    )
    # day 2 revised by the provider, day 1 untouched
    land(conn, OPENAI_COSTS, [cost_row(2, "p", "2.5")], run_id="r2", window=(date(2025, 3, 2), date(2025, 3, 3)))
    assert rows(conn) == [(date(2025, 3, 1), "p", Decimal("1")), (date(2025, 3, 2), "p", Decimal("2.5"))]
    # a day that is now empty at the provider is emptied here too, when the run says it accepts that
    land(conn, OPENAI_COSTS, [], run_id="r3", window=(date(2025, 3, 2), date(2025, 3, 3)), accept_shrink=True)
    assert rows(conn) == [(date(2025, 3, 1), "p", Decimal("1"))]


def test_a_load_that_would_empty_or_halve_a_day_is_refused_and_changes_nothing(conn):
    # A self-contradicting reply once landed as "0 rows" and deleted good days: 45 % less spend published.
    window = (date(2025, 3, 1), date(2025, 3, 4))
    stored = [cost_row(1, p, "1") for p in "abcd"] + [cost_row(2, p, "2") for p in "ab"] + [cost_row(3, "a", "3")]
    land(conn, OPENAI_COSTS, stored, run_id="r1", window=window)
    before = rows(conn)
    fewer = [cost_row(1, "a", "1"), cost_row(2, "a", "2"), cost_row(3, "a", "3")]  # day 1: 4 -> 1 rows
    with pytest.raises(ShrinkRefused) as info:
        land(conn, OPENAI_COSTS, fewer, run_id="r2", window=window)
    assert rows(conn) == before
    assert str(info.value).startswith(
        "openai/costs: the API returned 1 rows for 2025-03-01 where the warehouse holds 4"
    )
    with pytest.raises(ShrinkRefused, match="returned 0 rows for 2025-03-01 \\(and 2 more days\\)"):
        land(conn, OPENAI_COSTS, [], run_id="r3", window=window)
    assert rows(conn) == before
    # Half the rows or more is an ordinary revision.
    land(conn, OPENAI_COSTS, [*fewer, cost_row(1, "b", "1"), cost_row(2, "b", "2")], run_id="r4", window=window)
    assert len(rows(conn)) == 5


def test_a_snapshot_that_loses_most_of_its_rows_is_refused(conn):
    project = {"id": "p1", "name": "One", "status": "active", "created_at": datetime(2025, 1, 1), "archived_at": None}
    land(conn, OPENAI_PROJECTS, [{**project, "id": f"p{i}", "_raw": {}} for i in range(4)], run_id="r1")
    with pytest.raises(ShrinkRefused, match="returned 0 rows for the snapshot where the warehouse holds 4"):
        land(conn, OPENAI_PROJECTS, [], run_id="r2")
    assert conn.execute("select count(*) from raw.openai_projects").fetchall()[0][0] == 4


def test_money_and_raw_json_are_exact(conn):
    land(
        conn, OPENAI_COSTS, [cost_row(1, "p", "0.1234567891")], run_id="r", window=(date(2025, 3, 1), date(2025, 3, 2))
    )
    value, raw_value, future, run_id, source = conn.execute(
        "select amount_value, _raw->>'$.amount.value', _raw->>'$.future_field', _run_id, _source from raw.openai_costs"
    ).fetchall()[0]
    assert value == Decimal("0.1234567891")
    assert raw_value == "0.1234567891" and future == "1"
    assert (run_id, source) == ("r", "openai")


def test_failing_pull_changes_nothing(conn):
    land(conn, OPENAI_COSTS, [cost_row(1, "p", "1")], run_id="r1", window=(date(2025, 3, 1), date(2025, 3, 2)))

    def broken():
        yield cost_row(1, "p", "999")
        raise ConnectionError("network gone halfway through the pages")

    with pytest.raises(ConnectionError):
        land(conn, OPENAI_COSTS, broken(), run_id="r2", window=(date(2025, 3, 1), date(2025, 3, 2)))
    assert rows(conn) == [(date(2025, 3, 1), "p", Decimal("1"))]


def test_rows_outside_the_window_are_refused(conn):
    land(conn, OPENAI_COSTS, [cost_row(1, "p", "1")], run_id="r1", window=(date(2025, 3, 1), date(2025, 3, 2)))
    with pytest.raises(FinopsError, match="outside the requested UTC days"):
        land(conn, OPENAI_COSTS, [cost_row(5, "p", "7")], run_id="r2", window=(date(2025, 3, 1), date(2025, 3, 2)))
    assert rows(conn) == [(date(2025, 3, 1), "p", Decimal("1"))]


def test_snapshot_tables_are_replaced_whole(conn):
    project = {"id": "proj_a", "name": "A", "status": "active", "created_at": datetime(2024, 1, 1), "archived_at": None}
    land(conn, OPENAI_PROJECTS, [project, {**project, "id": "proj_b"}], run_id="r1")
    land(conn, OPENAI_PROJECTS, [{**project, "name": "A renamed"}], run_id="r2")
    assert conn.execute("select id, name from raw.openai_projects").fetchall() == [("proj_a", "A renamed")]


def test_cents_strings_land_as_exact_decimals(conn):
    row = {c: None for c in ANTHROPIC_COST_REPORT.column_names}
    row.update(
        bucket_start=datetime(2025, 8, 1),
        bucket_end=datetime(2025, 8, 2),
        amount_cents=Decimal("123.78912"),
        currency="USD",
        _raw={"amount": "123.78912"},
    )
    land(conn, ANTHROPIC_COST_REPORT, [row], run_id="r", window=(date(2025, 8, 1), date(2025, 8, 2)))
    assert conn.execute("select amount_cents, _raw->>'$.amount' from raw.anthropic_cost_report").fetchall() == [
        (Decimal("123.78912"), "123.78912")
    ]


def test_a_column_added_to_the_landing_contract_is_added_to_an_older_warehouse(conn):
    # a warehouse landed before the cost report's `speed` was read: its table has no such column
    older = replace(ANTHROPIC_COST_REPORT, columns=tuple(c for c in ANTHROPIC_COST_REPORT.columns if c[0] != "speed"))

    def row(day: int, **extra) -> dict:
        values = dict.fromkeys(older.column_names) | {"bucket_start": datetime(2026, 8, day)}
        return values | {"bucket_end": datetime(2026, 8, day + 1), "amount_cents": Decimal(100), **extra, "_raw": {}}

    land(conn, older, [row(1)], run_id="old", window=(date(2026, 8, 1), date(2026, 8, 2)))
    ensure_raw_tables(conn, [ANTHROPIC_COST_REPORT])
    land(conn, ANTHROPIC_COST_REPORT, [row(2, speed="fast")], run_id="new", window=(date(2026, 8, 2), date(2026, 8, 3)))
    assert conn.execute(
        "select _partition_date, speed, amount_cents from raw.anthropic_cost_report order by 1"
    ).fetchall() == [(date(2026, 8, 1), None, Decimal(100)), (date(2026, 8, 2), "fast", Decimal(100))]


KILL_SCRIPT = textwrap.dedent(
    """
    import os, sys, duckdb
    from datetime import date, datetime
    from decimal import Decimal
    from connectors.openai.tables import OPENAI_COSTS
    import orchestration.loader as loader

    path, mode = sys.argv[1], sys.argv[2]
    conn = duckdb.connect(path)

    def row(project, value):
        return {"bucket_start": datetime(2025, 3, 1), "bucket_end": datetime(2025, 3, 2), "project_id": project,
                "line_item": "x", "amount_value": Decimal(value), "amount_currency": "usd", "_raw": {}}

    def rows():
        yield row("proj_new", "5")
        if mode == "during_pull":
            os._exit(9)  # killed while paging: the transaction has not started
        yield row("proj_new2", "6")

    if mode == "during_insert":
        class KillAfterDelete:
            def __init__(self, inner):
                self.inner = inner
            def __getattr__(self, name):
                return getattr(self.inner, name)
            def execute(self, sql, *args):
                result = self.inner.execute(sql, *args)
                if sql.startswith("delete from raw.openai_costs"):
                    os._exit(9)  # killed after the delete, before the commit
                return result
        conn = KillAfterDelete(conn)
    loader.land(conn, OPENAI_COSTS, rows(), run_id="killed", window=(date(2025, 3, 1), date(2025, 3, 2)))
    """
)


@pytest.mark.parametrize("mode", ["during_pull", "during_insert"])
def test_load_killed_halfway_then_rerun_leaves_the_same_rows(tmp_path, mode):
    path = str(tmp_path / "w.duckdb")
    good = [cost_row(1, "proj_a", "1"), cost_row(1, "proj_b", "2")]
    with duckdb.connect(path) as c:
        land(c, OPENAI_COSTS, good, run_id="r1", window=(date(2025, 3, 1), date(2025, 3, 2)))
        before = rows(c)

    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), path, mode], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr

    with duckdb.connect(path) as c:
        assert rows(c) == before  # the killed load left no trace
        land(c, OPENAI_COSTS, good, run_id="r2", window=(date(2025, 3, 1), date(2025, 3, 2)))
        assert rows(c) == before
