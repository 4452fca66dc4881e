"""Apache Spark as the dbt engine (issue 14, DESIGN.md §8): the same models, the raw landing as Parquet.

The loader lands raw rows in DuckDB (`raw`, and the `config` and `forecast` tables written by Python). For Spark,
those tables are copied as Parquet, one folder per table, and declared as tables of Spark's catalog with their
columns, so dbt's `source()` reads them as it reads DuckDB's. dbt-spark's session method then runs every model in
a local Spark (``local[2]``); a cluster is a profile change (README, "Running the models on Spark").

Nothing here knows Dagster. Spark's settings live in one place, ``spark_conf``; dbt_project/profiles.yml's
``spark`` output repeats them for dbt's own session, and tests/orchestration/test_spark.py holds the two equal.
"""

import json
import os
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

RAW_SCHEMAS = ("raw", "config", "forecast")
# DuckDB's types of the raw and config tables, in Spark SQL's spelling; anything else is named in an error
_SPARK_TYPES = {"VARCHAR": "string", "JSON": "string", "INTEGER": "int", "BIGINT": "bigint", "DOUBLE": "double"}
_PASSED_AS_IS = ("DECIMAL(", "DATE", "BOOLEAN", "TIMESTAMP")


@dataclass(frozen=True)
class RawTable:
    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, Spark SQL type)
    rows: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.`{self.name}`"


def spark_home(home: Path) -> Path:
    """Spark's own files under FINOPS_HOME: the Parquet raw landing, the table files and the catalog."""
    return Path(home) / "spark"


def spark_conf(home: Path) -> dict[str, str]:
    """The session settings: the tables and the catalog (Derby, one process at a time, as the writer lock
    already ensures) under FINOPS_HOME, UTC for every timestamp, and decimal arithmetic that keeps every digit
    as DuckDB does (Spark's default drops a product's scale to 6 digits)."""
    base = spark_home(home)
    return {
        "spark.master": os.environ.get("FINOPS_SPARK_MASTER", "local[2]"),
        "spark.sql.warehouse.dir": str(base / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={base / 'metastore_db'};create=true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.decimalOperations.allowPrecisionLoss": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": os.environ.get("FINOPS_SPARK_DRIVER_MEMORY", "2g"),
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={base / 'derby.log'}",
    }


def _spark_type(table: str, column: str, duckdb_type: str) -> str:
    upper = duckdb_type.upper()
    if upper in _SPARK_TYPES:
        return _SPARK_TYPES[upper]
    if upper.startswith(_PASSED_AS_IS):
        return duckdb_type.lower()
    raise ValueError(
        f"{table}.{column} has DuckDB type {duckdb_type}, which has no Spark mapping in orchestration/spark.py"
    )


def export_raw(conn: duckdb.DuckDBPyConnection, out: Path) -> list[RawTable]:
    """Copy every table of the raw, config and forecast schemas to ``out/<schema>/<table>/part-0.parquet``,
    replacing what was there. TIMESTAMP (UTC, without zone) is written as an instant, which Spark reads as its
    TIMESTAMP in the UTC session."""
    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    tables = []
    listed = conn.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in ? and table_type = 'BASE TABLE' order by 1, 2",
        [list(RAW_SCHEMAS)],
    ).fetchall()
    for schema, name in listed:
        typed = conn.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
        select = ", ".join(
            f'"{column}"::timestamptz as "{column}"' if kind == "TIMESTAMP" else f'"{column}"' for column, kind in typed
        )
        folder = out / schema / name
        folder.mkdir(parents=True)
        conn.execute(
            f"copy (select {select} from {schema}.\"{name}\") to '{folder / 'part-0.parquet'}' (format parquet)"
        )
        rows = conn.execute(f'select count(*) from {schema}."{name}"').fetchone()[0]
        columns = tuple((column, _spark_type(f"{schema}.{name}", column, kind)) for column, kind in typed)
        tables.append(RawTable(schema, name, columns, rows))
    (out / "tables.json").write_text(json.dumps([t.__dict__ for t in tables], indent=1))
    return tables


def register_raw(spark, out: Path, tables: list[RawTable]) -> None:
    """Declare each exported table in Spark's catalog over its Parquet folder (columns given, so an empty
    table has them too), replacing an earlier declaration."""
    for schema in sorted({t.schema for t in tables}):
        spark.sql(f"create database if not exists {schema}")
    for table in tables:
        columns = ", ".join(f"`{name}` {kind}" for name, kind in table.columns)
        spark.sql(f"drop table if exists {table.qualified}")
        spark.sql(
            f"create table {table.qualified} ({columns}) using parquet location '{Path(out) / table.schema / table.name}'"
        )


def local_session(home: Path):
    """A Spark session with ``spark_conf(home)``, Hive catalog on; quiet on the console."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("finops").enableHiveSupport()
    for key, value in spark_conf(home).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    import logging

    logging.getLogger("SQLQueryContextLogger").disabled = True  # pyspark logs every failed statement as JSON
    return session


def land_for_spark(warehouse: Path, home: Path) -> list[RawTable]:
    """Export ``warehouse``'s raw, config and forecast tables and declare them in the Spark catalog of ``home``."""
    out = spark_home(home) / "raw_parquet"
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = export_raw(conn, out)
    finally:
        conn.close()
    register_raw(local_session(home), out, tables)
    return tables


def dbt_on_spark(home: Path, args: list[str]):
    """Run dbt with ``args`` against the ``spark`` target, in this process (so in the session made here)."""
    from dbt.cli.main import dbtRunner

    from orchestration.defs.transform.project import vars_arg
    from orchestration.settings import DBT_PROJECT_DIR

    os.environ["FINOPS_HOME"] = str(home)
    local_session(home)
    return dbtRunner().invoke(
        [
            *args,
            "--target",
            "spark",
            *vars_arg(),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(spark_home(home) / "dbt_target"),
            "--log-path",
            str(spark_home(home) / "dbt_logs"),
        ]
    )


BUILT_TABLES = "spark_tables.json"  # written beside dbt's run_results.json: what read_back copies into DuckDB


def table_folder(home: Path, schema: str, name: str) -> Path:
    """Where Spark keeps a table dbt built: a managed table's folder under spark.sql.warehouse.dir."""
    return spark_home(home) / "warehouse" / f"{schema.lower()}.db" / name.lower()


def spark_relations(home: Path) -> set[tuple[str, str]]:
    """(schema, name) of every table Spark holds under ``home`` (lower case, as dbt_state compares them)."""
    base = spark_home(home) / "warehouse"
    if not base.is_dir():
        return set()
    return {
        (schema.name.removesuffix(".db"), table.name)
        for schema in base.glob("*.db")
        for table in schema.iterdir()
        if table.is_dir()
    }


def describe_built(spark, results) -> list[dict]:
    """The columns (Spark types, in the table's order) and partition columns of every model, seed and snapshot
    a dbt invocation built (``results``: its run results)."""
    described = []
    for result in results:
        node = result.node
        if node.resource_type not in ("model", "seed", "snapshot") or str(result.status) != "success":
            continue
        name = node.alias or node.name
        columns = spark.catalog.listColumns(name, node.schema)
        described.append(
            {
                "unique_id": node.unique_id,
                "schema": node.schema,
                "name": name,
                "columns": [[c.name, c.dataType] for c in columns],
                "partition_columns": [c.name for c in columns if c.isPartition],
            }
        )
    return described


def dbt_child(args: list[str]) -> int:
    """The Spark engine's ``finops-dbt``: land the warehouse's raw, config and forecast tables for Spark, run dbt
    with ``args`` in this process (dbt-spark's session method shares the session made here), and list what it
    built in ``spark_tables.json`` beside run_results.json. Returns dbt's exit code (0, 1 failed, 2 error)."""
    from dbt.cli.main import dbtRunner

    home = Path(os.environ["FINOPS_HOME"])
    _start_jvm_on_stderr(home)
    land_for_spark(home / "warehouse.duckdb", home)
    outcome = dbtRunner().invoke(args)
    target = os.environ.get("DBT_TARGET_PATH")
    results = getattr(outcome.result, "results", None)
    if target and results is not None:
        built = describe_built(local_session(home), results)
        (Path(target) / BUILT_TABLES).write_text(json.dumps(built, indent=1))
    if outcome.success:
        return 0
    return 2 if outcome.exception is not None else 1


# Spark's types of the tables dbt builds, in DuckDB's spelling (decimal(p,s) is spelled alike); read_back names
# anything else in an error
_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",  # an instant; the session is UTC and so is the warehouse's TIMESTAMP
    "timestamp_ntz": "TIMESTAMP",
}


def _start_jvm_on_stderr(home: Path) -> None:
    """Start Spark's session with the JVM's standard output on stderr. Dagster reads dbt's JSON log lines from
    this process's stdout; a line of the JVM's among them (a progress bar ends in a carriage return, not a
    newline) made a model's result line unreadable, and its asset was never marked built."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        local_session(home)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _duckdb_type(table: str, column: str, spark_type: str) -> str:
    lower = spark_type.lower()
    if lower in _DUCKDB_TYPES:
        return _DUCKDB_TYPES[lower]
    if lower.startswith("decimal("):
        return lower.upper()
    raise ValueError(
        f"{table}.{column} has Spark type {spark_type}, which has no DuckDB mapping in orchestration/spark.py"
    )


def read_back(conn: duckdb.DuckDBPyConnection, home: Path, target_path: Path) -> list[str]:
    """Copy every table the last Spark build listed in ``spark_tables.json`` into the DuckDB warehouse under the
    same schema and name (replacing the view or table there), reading its Parquet files with each column cast to
    its Spark type's DuckDB spelling: the quality gate, the publish step and the app then read the warehouse as
    after a DuckDB build. One transaction: all the tables or none. Returns the relations copied."""
    listed = Path(target_path) / BUILT_TABLES
    if not listed.exists():
        return []
    tables = json.loads(listed.read_text())
    existing = {
        (schema.lower(), name.lower()): kind
        for schema, name, kind in conn.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
            " where table_catalog = current_database()"
        ).fetchall()
    }
    copied = []
    conn.execute("begin")
    try:
        for table in tables:
            schema, name = table["schema"], table["name"]
            relation = f'"{schema}"."{name}"'
            typed = [(f'"{c}"', _duckdb_type(f"{schema}.{name}", c, kind)) for c, kind in table["columns"]]
            folder = table_folder(home, schema, name)
            if not folder.is_dir():
                raise ValueError(
                    f"{schema}.{name} has no table files in {folder}: a Spark view cannot be copied into the "
                    "warehouse; materialize the model as a table on Spark (dbt_project/dbt_project.yml)"
                )
            files = sorted(str(f) for f in folder.rglob("*.parquet") if not f.name.startswith((".", "_")))
            conn.execute(f'create schema if not exists "{schema}"')
            if existing.get((schema.lower(), name.lower())) == "VIEW":
                conn.execute(f"drop view {relation}")
            if files:
                select = ", ".join(f"cast({c} as {t}) as {c}" for c, t in typed)
                partitioned = "true" if table["partition_columns"] else "false"
                conn.execute(
                    f"create or replace table {relation} as select {select}"
                    f" from read_parquet(?, hive_partitioning = {partitioned})",
                    [files],
                )
            else:  # Spark writes no file for an empty partitioned table
                columns = ", ".join(f"{c} {t}" for c, t in typed)
                conn.execute(f"create or replace table {relation} ({columns})")
            copied.append(f"{schema}.{name}")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return copied


def _normal(value):
    """One value as both engines' rows can be compared: decimals by value, floats to 9 places."""
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, (list, tuple)):
        return tuple(_normal(v) for v in value)
    return value


def compare_relation(spark, conn: duckdb.DuckDBPyConnection, relation: str) -> dict:
    """The rows of ``relation`` (schema.name) on Spark and on DuckDB, as multisets: how many each side has, and
    up to five rows found on one side only. Columns are matched by name (DuckDB's order)."""
    names = [c[0] for c in conn.execute(f"select * from {relation} limit 0").description]
    duck = Counter(tuple(_normal(v) for v in row) for row in conn.execute(f"select * from {relation}").fetchall())
    listed = ", ".join(f"`{n}`" for n in names)
    sparked = Counter(tuple(_normal(v) for v in row) for row in spark.sql(f"select {listed} from {relation}").collect())
    return {
        "relation": relation,
        "duckdb_rows": sum(duck.values()),
        "spark_rows": sum(sparked.values()),
        "only_duckdb": list((duck - sparked).elements())[:5],
        "only_spark": list((sparked - duck).elements())[:5],
        "columns": names,
    }


def main(argv: list[str]) -> int:
    """Development entry points:
    ``python -m orchestration.spark HOME [--land WAREHOUSE] -- <dbt args>`` runs dbt on Spark;
    ``python -m orchestration.spark HOME --compare WAREHOUSE schema.model ...`` compares relations' rows."""
    home = Path(argv[0]).resolve()
    rest = argv[1:]
    if rest[:1] == ["--compare"]:
        conn = duckdb.connect(rest[1], read_only=True)
        spark = local_session(home)
        same = True
        for relation in rest[2:]:
            found = compare_relation(spark, conn, relation)
            equal = not found["only_duckdb"] and not found["only_spark"]
            same = same and equal
            print(("SAME " if equal else "DIFF ") + json.dumps(found, default=str))
        return 0 if same else 1
    if rest[:1] == ["--land"]:
        land_for_spark(Path(rest[1]), home)
        rest = rest[2:]
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if not rest:
        return 0
    return 0 if dbt_on_spark(home, rest).success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
