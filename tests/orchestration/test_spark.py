"""orchestration/spark.py: the raw landing as Parquet for Spark, and Spark's settings in one place.

The round trip through a real local Spark needs Java: CI installs it (.ci/run), elsewhere the test skips."""

import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import jinja2
import pytest
import yaml

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.spark import BUILT_TABLES, RawTable, export_raw, read_back, spark_conf, table_folder

ROOT = Path(__file__).resolve().parents[2]


def needs_java() -> None:
    if shutil.which("java") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Java runtime is installed (.ci/run installs Debian's openjdk-17-jre-headless)")
        pytest.skip("no Java runtime (java) on PATH: Spark cannot start")


def rendered_spark_profile(home: Path) -> dict:
    """profiles.yml's spark output as dbt renders it (env_var with its default), for FINOPS_HOME=home."""
    environ = {"FINOPS_HOME": str(home)}

    def env_var(name, default=None):
        return environ.get(name, os.environ.get(name, default))

    text = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    rendered = jinja2.Environment().from_string(text).render(env_var=env_var)
    return yaml.safe_load(rendered)["ai_spend"]["outputs"]["spark"]


def test_dbts_spark_profile_has_the_settings_of_spark_conf(tmp_path, monkeypatch):
    monkeypatch.delenv("FINOPS_SPARK_MASTER", raising=False)
    monkeypatch.delenv("FINOPS_SPARK_DRIVER_MEMORY", raising=False)
    profile = rendered_spark_profile(tmp_path)
    assert profile["type"] == "spark" and profile["method"] == "session"
    assert {k: str(v) for k, v in profile["server_side_parameters"].items()} == spark_conf(tmp_path)
    # the catalog and the tables live under the home, and arithmetic keeps DuckDB's digits
    conf = spark_conf(tmp_path)
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "spark" / "warehouse")
    assert str(tmp_path / "spark" / "metastore_db") in conf["spark.hadoop.javax.jdo.option.ConnectionURL"]
    assert conf["spark.sql.decimalOperations.allowPrecisionLoss"] == "false"
    assert conf["spark.sql.session.timeZone"] == "UTC"


def raw_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(path))
    conn.execute("create schema raw; create schema config; create schema marts")
    conn.execute(
        "create table raw.usage (day date, model varchar, tokens bigint, cost decimal(38,12), ratio double,"
        " seen_at timestamp, ok boolean, n integer, body json)"
    )
    conn.execute(
        "insert into raw.usage values"
        " ('2025-06-08', 'gpt-4o', 1200000, 3.000000000125, 0.5, '2025-06-08 23:59:59.5', true, 7, '{\"a\": 1}'),"
        " ('2025-06-09', null, null, null, null, null, null, null, null)"
    )
    conn.execute("create table config.budgets (budget_id varchar, amount decimal(18,6))")  # empty
    conn.execute("create table marts.not_raw (x integer)")  # a built model: not landed
    return conn


def test_export_writes_each_raw_and_config_table_as_parquet_with_spark_types(tmp_path):
    conn = raw_warehouse(tmp_path / "w.duckdb")
    tables = export_raw(conn, tmp_path / "out")
    assert [(t.schema, t.name, t.rows) for t in tables] == [("config", "budgets", 0), ("raw", "usage", 2)]
    usage = tables[1]
    assert usage.columns == (
        ("day", "date"),
        ("model", "string"),
        ("tokens", "bigint"),
        ("cost", "decimal(38,12)"),
        ("ratio", "double"),
        ("seen_at", "timestamp"),
        ("ok", "boolean"),
        ("n", "int"),
        ("body", "string"),
    )
    # the Parquet holds the same values; the timestamp as an instant (UTC), the decimal exact
    rows = conn.execute(
        f"select * from read_parquet('{tmp_path / 'out' / 'raw' / 'usage' / 'part-0.parquet'}') order by day"
    ).fetchall()
    assert rows[0][3] == Decimal("3.000000000125") and rows[1][1:] == (None,) * 8
    kinds = conn.execute(
        f"describe select * from read_parquet('{tmp_path / 'out' / 'raw' / 'usage' / 'part-0.parquet'}')"
    ).fetchall()
    assert dict((k[0], k[1]) for k in kinds)["seen_at"] == "TIMESTAMP WITH TIME ZONE"
    # an empty table still has its file (and its columns in tables.json)
    assert (tmp_path / "out" / "config" / "budgets" / "part-0.parquet").exists()
    listed = json.loads((tmp_path / "out" / "tables.json").read_text())
    assert [RawTable(t["schema"], t["name"], tuple(map(tuple, t["columns"])), t["rows"]) for t in listed] == tables


def test_a_raw_type_spark_has_no_mapping_for_is_named(tmp_path):
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    conn.execute("create schema raw; create table raw.odd (tags varchar[])")
    with pytest.raises(ValueError, match=r"raw\.odd\.tags has DuckDB type VARCHAR\[\]"):
        export_raw(conn, tmp_path / "out")


def spark_shaped_tables(home: Path) -> list[dict]:
    """Tables laid out as Spark writes a dbt build's (a managed table's folder under the warehouse dir, a day
    partition as a folder whose column the files leave out, _SUCCESS and .crc files beside the data), and the
    list dbt_child writes of them (Spark's types, the table's column order: partition columns last)."""
    scratch = duckdb.connect()
    cost = table_folder(home, "marts", "fct_cost")
    cost.mkdir(parents=True)
    scratch.execute(
        "copy (select * from (values ('a', 12.345678901234::decimal(38,12), 3::bigint, date '2026-11-30',"
        " timestamp '2026-11-30 23:59:59.123456'), ('b', 0.000000000001::decimal(38,12), 0::bigint, date '2026-12-01',"
        " timestamp '2026-12-01 00:00:00')) t(id, usd, tokens, usage_date, loaded_at))"
        f" to '{cost}' (format parquet, partition_by (usage_date))"
    )
    (cost / "_SUCCESS").write_text("")
    (cost / ".part-0.parquet.crc").write_bytes(b"crc")
    empty = table_folder(home, "marts", "fct_empty")
    empty.mkdir(parents=True)
    (empty / "_SUCCESS").write_text("")
    view = table_folder(home, "intermediate", "int_x")
    view.mkdir(parents=True)
    scratch.execute(f"copy (select 'spark' as engine) to '{view / 'part-00000.parquet'}' (format parquet)")
    return [
        {
            "unique_id": "model.ai_spend.fct_cost",
            "schema": "marts",
            "name": "fct_cost",
            "columns": [
                ["id", "string"],
                ["usd", "decimal(38,12)"],
                ["tokens", "bigint"],
                ["loaded_at", "timestamp"],
                ["usage_date", "date"],
            ],
            "partition_columns": ["usage_date"],
        },
        {
            "unique_id": "model.ai_spend.fct_empty",
            "schema": "marts",
            "name": "fct_empty",
            "columns": [["usd", "decimal(18,6)"], ["day", "date"]],
            "partition_columns": ["day"],
        },
        {
            "unique_id": "model.ai_spend.int_x",
            "schema": "intermediate",
            "name": "int_x",
            "columns": [["engine", "string"]],
            "partition_columns": [],
        },
    ]


def test_spark_s_tables_are_read_back_into_the_warehouse_with_their_types(tmp_path):
    home, target = tmp_path / "home", tmp_path / "target"
    target.mkdir()
    (target / BUILT_TABLES).write_text(json.dumps(spark_shaped_tables(home)))
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    # what a DuckDB build left: a view where Spark builds a table, and a table to be replaced
    conn.execute("create schema intermediate; create view intermediate.int_x as select 'duckdb' as engine")
    conn.execute("create schema marts; create table marts.fct_cost (id varchar)")
    copied = read_back(conn, home, target)
    assert copied == ["marts.fct_cost", "marts.fct_empty", "intermediate.int_x"]
    rows = conn.execute("select * from marts.fct_cost order by id").fetchall()
    assert rows == [
        ("a", Decimal("12.345678901234"), 3, datetime(2026, 11, 30, 23, 59, 59, 123456), date(2026, 11, 30)),
        ("b", Decimal("0.000000000001"), 0, datetime(2026, 12, 1), date(2026, 12, 1)),
    ]
    types = conn.execute(
        "select table_name, column_name, data_type from information_schema.columns"
        " where table_schema in ('marts', 'intermediate') order by table_name, ordinal_position"
    ).fetchall()
    assert types == [
        ("fct_cost", "id", "VARCHAR"),
        ("fct_cost", "usd", "DECIMAL(38,12)"),
        ("fct_cost", "tokens", "BIGINT"),
        ("fct_cost", "loaded_at", "TIMESTAMP"),
        ("fct_cost", "usage_date", "DATE"),
        ("fct_empty", "usd", "DECIMAL(18,6)"),
        ("fct_empty", "day", "DATE"),
        ("int_x", "engine", "VARCHAR"),
    ]
    assert conn.execute("select count(*) from marts.fct_empty").fetchone() == (0,)
    kind = "select table_type from information_schema.tables where table_name = 'int_x'"
    assert conn.execute(kind).fetchone() == ("BASE TABLE",)
    assert conn.execute("select engine from intermediate.int_x").fetchall() == [("spark",)]


def test_a_spark_view_is_refused_not_copied_as_an_empty_table(tmp_path):
    home, target = tmp_path / "home", tmp_path / "target"
    target.mkdir()
    tables = spark_shaped_tables(home)
    tables.append({"schema": "staging", "name": "stg_x", "columns": [["id", "string"]], "partition_columns": []})
    (target / BUILT_TABLES).write_text(json.dumps(tables))
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(ValueError, match=r"staging\.stg_x has no table files in .*: a Spark view cannot be copied"):
        read_back(conn, home, target)
    assert conn.execute("select count(*) from information_schema.tables where table_schema = 'marts'").fetchone() == (
        0,
    )


def test_a_read_back_that_fails_leaves_the_warehouse_as_it_was(tmp_path):
    home, target = tmp_path / "home", tmp_path / "target"
    target.mkdir()
    tables = spark_shaped_tables(home)
    tables[2]["columns"] = [["engine", "map<string,string>"]]
    (target / BUILT_TABLES).write_text(json.dumps(tables))
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    conn.execute(
        "create schema marts; create table marts.fct_cost (id varchar); insert into marts.fct_cost values ('x')"
    )
    with pytest.raises(ValueError, match=r"intermediate\.int_x\.engine has Spark type map<string,string>"):
        read_back(conn, home, target)
    assert conn.execute("select * from marts.fct_cost").fetchall() == [("x",)]
    assert conn.execute("select count(*) from information_schema.tables where table_name = 'fct_empty'").fetchone() == (
        0,
    )


@pytest.mark.slow
def test_spark_reads_the_landed_tables_as_duckdb_has_them(tmp_path):
    """A real local Spark (a child process: its JVM ends with it) reads the declared tables back."""
    needs_java()
    raw_warehouse(tmp_path / "w.duckdb").close()
    script = f"""
import json
from pathlib import Path
from orchestration.spark import land_for_spark, local_session
land_for_spark(Path({str(tmp_path / "w.duckdb")!r}), Path({str(tmp_path / "home")!r}))
spark = local_session(Path({str(tmp_path / "home")!r}))
usage = [r.asDict() for r in spark.sql("select * from raw.usage order by day").collect()]
budgets = spark.sql("select * from config.budgets")
print(json.dumps({{"usage": usage, "budgets": [budgets.count(), budgets.columns, budgets.schema.simpleString()]}},
                 default=str))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "TZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    first, second = found["usage"]
    assert first == {
        "day": str(date(2025, 6, 8)),
        "model": "gpt-4o",
        "tokens": 1200000,
        "cost": "3.000000000125",
        "ratio": 0.5,
        "seen_at": str(datetime(2025, 6, 8, 23, 59, 59, 500000)),
        "ok": True,
        "n": 7,
        "body": '{"a": 1}',  # the JSON text as landed
    }
    assert set(second.values()) == {None, str(date(2025, 6, 9))}
    assert found["budgets"] == [0, ["budget_id", "amount"], "struct<budget_id:string,amount:decimal(18,6)>"]
