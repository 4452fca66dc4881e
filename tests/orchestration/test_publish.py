from datetime import date
from decimal import Decimal

import duckdb
import pytest

from orchestration.publish import publish_serving


def make_warehouse(path, cost="1.50"):
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create or replace table marts.fct_usage_cost_daily as "
            f"select date '2025-03-01' + cast(i as integer) as usage_date, cast('{cost}' as decimal(38,12)) as list_cost_usd "
            "from range(3) t(i)"
        )
        conn.execute("create schema if not exists staging")
        conn.execute("create or replace table staging.not_published as select 1 as x")


def test_publish_copies_marts_only_with_publish_info(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        result = publish_serving(conn, serving, run_id="run-1", quality_warnings=1)
    assert result.tables == ("fct_usage_cost_daily",)
    assert (result.data_start, result.data_end) == (date(2025, 3, 1), date(2025, 3, 4))
    with duckdb.connect(str(serving), read_only=True) as reader:
        assert reader.execute("select sum(list_cost_usd) from marts.fct_usage_cost_daily").fetchall() == [
            (Decimal("4.5"),)
        ]
        assert reader.execute("select run_id, data_end, quality_warnings from marts.publish_info").fetchall() == [
            ("run-1", date(2025, 3, 4), 1)
        ]
        schemas = {
            r[0] for r in reader.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
    assert schemas == {"marts"}
    assert not (tmp_path / "serving.duckdb.tmp").exists()


def test_republish_swaps_in_the_new_copy_for_the_next_reader(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse, "1.00")
    with duckdb.connect(str(warehouse)) as conn:
        publish_serving(conn, serving, run_id="a")
    make_warehouse(warehouse, "2.00")
    with duckdb.connect(str(warehouse)) as conn:
        publish_serving(conn, serving, run_id="b")
    with duckdb.connect(str(serving), read_only=True) as reader:
        assert reader.execute(
            "select sum(list_cost_usd), any_value(run_id) from marts.fct_usage_cost_daily, marts.publish_info"
        ).fetchall() == [(Decimal("6.00"), "b")]


def test_publish_without_marts_fails_and_keeps_the_last_copy(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        publish_serving(conn, serving, run_id="good")
    empty = tmp_path / "empty.duckdb"
    with duckdb.connect(str(empty)) as conn, pytest.raises(RuntimeError, match="no tables in schema 'marts'"):
        publish_serving(conn, serving, run_id="bad")
    with duckdb.connect(str(serving), read_only=True) as reader:
        assert reader.execute("select run_id from marts.publish_info").fetchall() == [("good",)]


# ---------------------------------------------------------------- request-level facts as day files

DAY1, DAY2, DAY3 = date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)


def set_requests(path, rows):
    """marts.fct_request_cost := rows of (day, request_id, cost), shaped as the mart is (decimal money, a
    load time, a nullable model)."""
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create or replace table marts.fct_request_cost (usage_date date, request_id varchar, "
            "model_id varchar, list_cost_usd decimal(38,12), loaded_at timestamp)"
        )
        if rows:
            conn.executemany(
                "insert into marts.fct_request_cost values (?, ?, ?, ?, timestamp '2025-03-04 06:00:00')",
                [(day, rid, None if rid.endswith("x") else "gpt-4o", Decimal(cost)) for day, rid, cost in rows],
            )


def publish(warehouse, serving, run_id):
    with duckdb.connect(str(warehouse)) as conn:
        return publish_serving(conn, serving, run_id=run_id)


def served(serving, sql="select usage_date, request_id, list_cost_usd from marts.fct_request_cost order by 2"):
    with duckdb.connect(str(serving), read_only=True) as reader:
        return reader.execute(sql).fetchall()


def day_files(tmp_path):
    folder = tmp_path / "serving_parts" / "fct_request_cost"
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} if folder.exists() else {}


REQUESTS = [(DAY1, "a", "1.25"), (DAY1, "bx", "0.000000000001"), (DAY2, "c", "2.50")]


def test_request_facts_are_served_as_day_files_with_the_marts_types_and_rows(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    set_requests(warehouse, REQUESTS)
    result = publish(warehouse, serving, "r1")

    assert result.days_written == 2 and "fct_request_cost" in result.tables
    assert [name[:10] for name in sorted(day_files(tmp_path))] == ["2025-03-01", "2025-03-02"]
    assert served(serving) == [(d, r, Decimal(c)) for d, r, c in REQUESTS]  # to the last of 12 decimals
    describe = "select column_name, data_type from information_schema.columns where table_name = 'fct_request_cost'"
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert (
            served(serving, describe + " order by ordinal_position")
            == conn.execute(describe + " and table_schema = 'marts' order by ordinal_position").fetchall()
        )
    # a view over the files, not a copy; and the copy says which files it reads
    assert served(
        serving, "select table_type from information_schema.tables where table_name = 'fct_request_cost'"
    ) == [("VIEW",)]
    assert served(serving, "select partition_day from marts.serving_partitions order by 1") == [(DAY1,), (DAY2,)]


def test_a_publish_writes_only_the_changed_days_and_an_open_reader_keeps_its_own_days(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    set_requests(warehouse, REQUESTS)
    publish(warehouse, serving, "r1")
    first = day_files(tmp_path)
    old_day2 = next(name for name in first if name.startswith("2025-03-02"))

    # day 2 repriced, day 3 new, day 1 untouched
    set_requests(warehouse, [*REQUESTS[:2], (DAY2, "c", "2.75"), (DAY3, "d", "4.00")])
    with duckdb.connect(str(serving), read_only=True) as reader:  # opened on the first copy, read after the swap
        assert publish(warehouse, serving, "r2").days_written == 2
        assert reader.execute("select sum(list_cost_usd) from marts.fct_request_cost").fetchall() == [
            (Decimal("3.750000000001"),)
        ]
    second = day_files(tmp_path)
    day1 = next(name for name in first if name.startswith("2025-03-01"))
    assert second[day1] == first[day1]  # the same file, not rewritten
    assert old_day2 in second  # still there: the first copy's readers may be reading it
    assert served(serving, "select sum(list_cost_usd) from marts.fct_request_cost") == [(Decimal("8.000000000001"),)]

    # nothing changed: nothing written, and the first copy's replaced file goes
    assert publish(warehouse, serving, "r3").days_written == 0
    third = day_files(tmp_path)
    assert old_day2 not in third
    assert sorted(third) == sorted(set(second) - {old_day2})
    assert served(serving, "select count(*), sum(list_cost_usd) from marts.fct_request_cost") == [
        (4, Decimal("8.000000000001"))
    ]


def test_a_day_that_left_the_mart_leaves_the_serving_copy(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    set_requests(warehouse, REQUESTS)
    publish(warehouse, serving, "r1")
    set_requests(warehouse, REQUESTS[:2])  # day 2 gone (a re-pulled source that no longer has it)
    publish(warehouse, serving, "r2")
    assert served(serving, "select distinct usage_date from marts.fct_request_cost") == [(DAY1,)]
    publish(warehouse, serving, "r3")
    assert [name[:10] for name in day_files(tmp_path)] == ["2025-03-01"]


def test_a_deleted_day_file_is_written_again(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    set_requests(warehouse, REQUESTS)
    publish(warehouse, serving, "r1")
    next(iter((tmp_path / "serving_parts" / "fct_request_cost").glob("2025-03-02-*"))).unlink()
    assert publish(warehouse, serving, "r2").days_written == 1
    assert served(serving, "select count(*) from marts.fct_request_cost") == [(3,)]


def test_no_requests_yet_is_an_empty_table_not_a_view_over_no_files(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    set_requests(warehouse, [])
    assert publish(warehouse, serving, "r1").days_written == 0
    assert served(serving, "select count(*) from marts.fct_request_cost") == [(0,)]
    assert day_files(tmp_path) == {}


def test_a_day_is_written_again_when_its_build_stamps_change_and_only_then(tmp_path):
    """With the mart's build stamp (built_at, the same on every row of the days one build replaces), a day's
    fingerprint is its row count and its stamps: a publish needs no read of the rows to find the changed days."""
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    first_build, second_build = "2025-03-04 06:00:00", "2025-03-05 06:00:00"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create table marts.fct_request_cost (usage_date date, request_id varchar, list_cost_usd decimal(38,12), "
            "built_at timestamp)"
        )
        conn.executemany(
            "insert into marts.fct_request_cost values (?, ?, ?, ?)",
            [(day, rid, Decimal(cost), first_build) for day, rid, cost in REQUESTS],
        )
    publish(warehouse, serving, "r1")
    first = day_files(tmp_path)

    with duckdb.connect(str(warehouse)) as conn:
        # day 2 rebuilt by a later build, to the same rows; day 1 left as it was
        conn.execute(f"update marts.fct_request_cost set built_at = '{second_build}' where usage_date = '{DAY2}'")
    assert publish(warehouse, serving, "r2").days_written == 1
    second = day_files(tmp_path)
    assert {n for n in second if n.startswith("2025-03-01")} == {n for n in first if n.startswith("2025-03-01")}
    assert len([n for n in second if n.startswith("2025-03-02")]) == 2  # the new file, and the one r1 still lists

    with duckdb.connect(str(warehouse)) as conn:  # day 1 loses a row: its count changes
        conn.execute("delete from marts.fct_request_cost where request_id = 'bx'")
    assert publish(warehouse, serving, "r3").days_written == 1
    assert served(serving) == [(DAY1, "a", Decimal("1.25")), (DAY2, "c", Decimal("2.50"))]
    assert publish(warehouse, serving, "r4").days_written == 0

    # the rows themselves are not read: a value changed outside a build (same count, same stamps) is not seen. Only
    # a build writes the mart, and it stamps what it writes; hashing every row found it, at a read of every row.
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_request_cost set list_cost_usd = 9 where request_id = 'a'")
    assert publish(warehouse, serving, "r5").days_written == 0


def test_the_daily_request_roll_up_is_served_as_day_files_too(tmp_path):
    """fct_request_cost_daily's grain is the user's: with many users it nears a row per request, and copying it into
    each new serving database rewrote it whole every run. Its days are files too, each written when its day changed."""
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving.duckdb"
    make_warehouse(warehouse)
    set_requests(warehouse, REQUESTS)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(
            "create table marts.fct_request_cost_daily as select usage_date, 'u1' as user_id, count(*) as requests, "
            "sum(list_cost_usd) as list_cost_usd, timestamp '2025-03-04 06:00:00' as built_at "
            "from marts.fct_request_cost group by usage_date"
        )
    assert publish(warehouse, serving, "r1").days_written == 4  # 2 days of each table
    daily = "select usage_date, requests, list_cost_usd from marts.fct_request_cost_daily order by 1"
    assert served(serving, daily) == [(DAY1, 2, Decimal("1.250000000001")), (DAY2, 1, Decimal("2.5"))]
    assert served(
        serving,
        "select table_name, table_type from information_schema.tables where table_name like 'fct_request%' order by 1",
    ) == [("fct_request_cost", "VIEW"), ("fct_request_cost_daily", "VIEW")]
    assert served(serving, "select table_name, count(*) from marts.serving_partitions group by 1 order by 1") == [
        ("fct_request_cost", 2),
        ("fct_request_cost_daily", 2),
    ]

    with duckdb.connect(str(warehouse)) as conn:  # a later build replaces day 2 of the roll-up
        conn.execute(
            "update marts.fct_request_cost_daily set requests = 5, built_at = timestamp '2025-03-05 06:00:00' "
            f"where usage_date = '{DAY2}'"
        )
    assert publish(warehouse, serving, "r2").days_written == 1
    assert served(serving, daily)[1] == (DAY2, 5, Decimal("2.5"))
