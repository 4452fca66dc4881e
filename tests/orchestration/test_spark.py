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
from orchestration.spark import RawTable, export_raw, spark_conf

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
