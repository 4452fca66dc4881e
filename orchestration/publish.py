"""Publish the checked marts to the read-only serving copy (DESIGN.md §8).

The copy is written aside (``serving.duckdb.tmp``) through ATTACH, detached, then swapped in with
``os.replace``, which is atomic on one filesystem: a reader sees either the previous copy or the new
one, never half of one. The app and analysts open the serving copy read-only with short-lived
connections, so a running build never blocks them.

Request-level facts (``PARTITIONED``: fct_request_cost, one row per request, 100M rows a year for a busy
organisation, and its daily roll-up by user, whose grain grows with the users) are not copied into each new serving
database: that would rewrite them whole every run. They are served as Parquet files, one per UTC day, in
``serving_parts/<table>/`` beside the serving database, which holds a view over exactly the files of its own
publish and lists them in ``marts.serving_partitions``. A publish writes a file only for a day whose rows changed
since the copy it replaces; a changed day gets a new file name, so the copy still being read keeps its own files.

A day has changed when its row count or its build stamps changed: the build stamps every row of each day it
replaces with the time that build started (``built_at``), so the stamps' bounds tell a rebuilt day without reading
its rows (hashing every row took a read of the whole table at each publish). A table without the stamp column is
fingerprinted by its rows' hash instead. Files that neither the new copy nor the one it replaced list are deleted,
so a reader that opened the previous copy during the publish still reads whole days, and the disk holds at most
two generations of the changed days.
"""

from __future__ import annotations

import hashlib
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
# quality results (every check's outcome per run, read by the app's data-health page) and the catalog of the checks
# defined now by orchestration/quality/results.py, the quarantined rows (counted by the data-health page) by the loader
# (orchestration/quality/quarantine.py).
EXTRA_TABLES = {
    "alert_log": ("ops", "alert_log"),
    "quality_results": ("ops", "quality_results"),
    "quality_checks": ("ops", "quality_checks"),
    "quarantine": ("ops", "quarantine"),
}


# Request-level facts served as day files (module docstring): table -> (its day column, its build stamp column).
PARTITIONED = {
    "fct_request_cost": ("usage_date", "built_at"),
    "fct_request_cost_daily": ("usage_date", "built_at"),
}
PARTS_DIR = "serving_parts"
# marts.serving_partitions: the day files a serving copy's views read, one row per (table, day)
PARTITIONS = "serving_partitions"


def publish_info_columns() -> str:
    return ", ".join(f"{name} {sql_type}" for name, sql_type in PUBLISH_INFO)


@dataclass(frozen=True)
class PublishResult:
    tables: tuple[str, ...]
    data_start: date | None
    data_end: date | None  # exclusive
    published_at: datetime
    days_written: int = 0  # day files of PARTITIONED tables written by this publish (unchanged days are kept)


def publish_serving(
    conn: duckdb.DuckDBPyConnection,
    serving_path: Path,
    *,
    run_id: str,
    quality_warnings: int = 0,
) -> PublishResult:
    """Copy every table of schema ``marts`` from the warehouse behind ``conn`` to ``serving_path``; the
    ``PARTITIONED`` ones as day files beside it, of which only the changed days are written."""
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

    previous = _previous_partitions(conn, serving_path)  # None: a copy whose list cannot be read
    parts = serving_path.parent / PARTS_DIR
    partitions: list[tuple[str, date, str, str]] = []  # (table, day, fingerprint, file name)
    written = 0
    for name, (column, stamp) in PARTITIONED.items():
        if name in sources:
            days = _day_fingerprints(conn, sources[name], column, stamp)
            if days is not None:  # a table with rows and no NULL day: served as day files
                source = sources.pop(name)
                for day, fingerprint in sorted(days.items()):
                    file_name = f"{day.isoformat()}-{fingerprint}.parquet"
                    if (previous or {}).get((name, day)) != file_name or not (parts / name / file_name).exists():
                        _write_day(conn, source, column, day, parts / name / file_name)
                        written += 1
                    partitions.append((name, day, fingerprint, file_name))

    conn.execute(f"attach '{_sql_path(tmp)}' as serving_tmp")
    try:
        conn.execute(f"create schema serving_tmp.{MARTS_SCHEMA}")
        for name, source in sources.items():
            conn.execute(f"create table serving_tmp.{MARTS_SCHEMA}.{name} as select * from {source}")
        for name in PARTITIONED:
            files = [str(parts / name / f) for t, _, _, f in partitions if t == name]
            if files:
                listed = ", ".join(f"'{_sql_path(Path(f))}'" for f in files)
                conn.execute(f"create view serving_tmp.{MARTS_SCHEMA}.{name} as select * from read_parquet([{listed}])")
        conn.execute(
            f"create table serving_tmp.{MARTS_SCHEMA}.{PARTITIONS} "
            "(table_name varchar, partition_day date, fingerprint varchar, file_name varchar)"
        )
        if partitions:
            conn.executemany(f"insert into serving_tmp.{MARTS_SCHEMA}.{PARTITIONS} values (?, ?, ?, ?)", partitions)
        conn.execute(f"create table serving_tmp.{MARTS_SCHEMA}.publish_info ({publish_info_columns()})")
        conn.execute(
            f"insert into serving_tmp.{MARTS_SCHEMA}.publish_info values (?, ?, ?, ?, ?)",
            [published_at, run_id, bounds[0], bounds[1], quality_warnings],
        )
        conn.execute("checkpoint serving_tmp")
    finally:
        conn.execute("detach serving_tmp")
    os.replace(tmp, serving_path)
    if previous is not None:  # else the replaced copy's files are unknown: keep every file this time
        kept = {(t, f) for t, _, _, f in partitions} | {(t, f) for (t, _), f in previous.items()}
        _delete_unlisted(parts, kept)
    published = tuple(sorted([*sources, *(t for t in PARTITIONED if any(p[0] == t for p in partitions))]))
    return PublishResult(published, bounds[0], bounds[1], published_at, written)


def _day_fingerprints(conn: duckdb.DuckDBPyConnection, source: str, column: str, stamp: str) -> dict[date, str] | None:
    """day -> a fingerprint of that day's rows, or None when the table is empty or has a row without a day (then it
    is copied whole, as the other marts are). The fingerprint is the day's row count and the bounds of its build
    stamps (column ``stamp``, when the table has it), else the row count and the sum of every row's hash."""
    columns = {row[0] for row in conn.execute(f"select * from {source} limit 0").description}
    what = (
        f"cast(min({stamp}) as varchar) || '..' || cast(max({stamp}) as varchar)"
        if stamp in columns
        else "cast(sum(hash(published_row)) as varchar)"
    )
    rows = conn.execute(
        f"select {column}, count(*), coalesce({what}, '') from {source} as published_row group by {column}"
    ).fetchall()
    if not rows or any(day is None for day, _, _ in rows):
        return None
    return {day: hashlib.sha256(f"{count}|{digest}".encode()).hexdigest()[:16] for day, count, digest in rows}


def _write_day(conn: duckdb.DuckDBPyConnection, source: str, column: str, day: date, path: Path) -> None:
    """One day's rows as a Parquet file, written aside and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(path.name + ".tmp")
    conn.execute(
        f"copy (select * from {source} where {column} = date '{day.isoformat()}') "
        f"to '{_sql_path(aside)}' (format parquet, compression zstd)"
    )
    os.replace(aside, path)


def _previous_partitions(conn: duckdb.DuckDBPyConnection, serving_path: Path) -> dict[tuple[str, date], str] | None:
    """(table, day) -> file name, as the serving copy about to be replaced lists them: empty when there is no
    copy yet or it lists none (then every day is written), None when the copy cannot be opened."""
    if not serving_path.exists():
        return {}
    try:
        conn.execute(f"attach '{_sql_path(serving_path)}' as serving_previous (read_only)")
    except duckdb.Error:
        return None
    try:
        listed = conn.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = 'serving_previous' and table_schema = ? and table_name = ?",
            [MARTS_SCHEMA, PARTITIONS],
        ).fetchall()[0][0]
        if not listed:
            return {}
        return {
            (table, day): file_name
            for table, day, file_name in conn.execute(
                f"select table_name, partition_day, file_name from serving_previous.{MARTS_SCHEMA}.{PARTITIONS}"
            ).fetchall()
        }
    finally:
        conn.execute("detach serving_previous")


def _delete_unlisted(parts: Path, keep: set[tuple[str, str]]) -> None:
    """Delete the day files (and leftovers of an interrupted write) that neither the new copy nor the one it
    replaced lists."""
    for name in PARTITIONED:
        folder = parts / name
        if folder.is_dir():
            for path in folder.iterdir():
                if path.is_file() and (name, path.name) not in keep:
                    path.unlink(missing_ok=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
