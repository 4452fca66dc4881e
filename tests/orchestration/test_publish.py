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
