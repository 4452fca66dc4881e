"""Publish the checked marts to the read-only serving copy (DESIGN.md §8).

The copy is written aside (``serving.duckdb.tmp``) through ATTACH, detached, then swapped in with
``os.replace``, which is atomic on one filesystem: a reader sees either the previous copy or the new
one, never half of one. The app and analysts open the serving copy read-only with short-lived
connections, so a running build never blocks them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
# marts.publish_info, the one table of the serving copy that dbt does not build: what was published, when.
PUBLISH_INFO = (
    ("published_at", "timestamp"),
    ("run_id", "varchar"),
    ("data_start", "date"),
    ("data_end", "date"),  # exclusive
    ("quality_warnings", "integer"),
)


# Tables the pipeline writes outside schema marts (which dbt owns) that the serving copy carries too, in its
# schema marts: serving name -> warehouse table. The alert log is written by orchestration/alerts.py, the
# quality results (every check's outcome per run, read by the app's data-health page) by
# orchestration/quality/results.py, the quarantined rows (counted by the data-health page) by the loader
# (orchestration/quality/quarantine.py).
EXTRA_TABLES = {
    "alert_log": ("ops", "alert_log"),
    "quality_results": ("ops", "quality_results"),
    "quarantine": ("ops", "quarantine"),
}


def publish_info_columns() -> str:
    return ", ".join(f"{name} {sql_type}" for name, sql_type in PUBLISH_INFO)


@dataclass(frozen=True)
class PublishResult:
    tables: tuple[str, ...]
    data_start: date | None
    data_end: date | None  # exclusive
    published_at: datetime


def publish_serving(
    conn: duckdb.DuckDBPyConnection,
    serving_path: Path,
    *,
    run_id: str,
    quality_warnings: int = 0,
) -> PublishResult:
    """Copy every table of schema ``marts`` from the warehouse behind ``conn`` to ``serving_path``."""
    serving_path = Path(serving_path)
    tmp = serving_path.with_name(serving_path.name + ".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)

    tables = [
        row[0]
        for row in conn.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' and table_catalog = current_database() "
            "order by table_name",
            [MARTS_SCHEMA],
        ).fetchall()
    ]
    if not tables:
        raise RuntimeError("the warehouse has no tables in schema 'marts' yet: run the dbt build before publishing")
    sources = {name: f"{MARTS_SCHEMA}.{name}" for name in tables}
    for name, (schema, table) in EXTRA_TABLES.items():
        found = conn.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ? "
            "and table_catalog = current_database()",
            [schema, table],
        ).fetchall()[0][0]
        if found and name not in sources:
            sources[name] = f"{schema}.{table}"

    bounds = (None, None)
    if "fct_usage_cost_daily" in tables:
        bounds = conn.execute(
            f"select min(usage_date), max(usage_date) + 1 from {MARTS_SCHEMA}.fct_usage_cost_daily"
        ).fetchall()[0]
    published_at = datetime.now(UTC).replace(tzinfo=None)

    conn.execute(f"attach '{_sql_path(tmp)}' as serving_tmp")
    try:
        conn.execute(f"create schema serving_tmp.{MARTS_SCHEMA}")
        for name, source in sources.items():
            conn.execute(f"create table serving_tmp.{MARTS_SCHEMA}.{name} as select * from {source}")
        conn.execute(f"create table serving_tmp.{MARTS_SCHEMA}.publish_info ({publish_info_columns()})")
        conn.execute(
            f"insert into serving_tmp.{MARTS_SCHEMA}.publish_info values (?, ?, ?, ?, ?)",
            [published_at, run_id, bounds[0], bounds[1], quality_warnings],
        )
        conn.execute("checkpoint serving_tmp")
    finally:
        conn.execute("detach serving_tmp")
    os.replace(tmp, serving_path)
    return PublishResult(tuple(sources), bounds[0], bounds[1], published_at)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
