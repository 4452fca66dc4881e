"""Raw landing (DESIGN.md §4): one transaction replaces whole (source, UTC day) partitions.

``land`` drains the connector's rows into one Arrow table BEFORE it touches the warehouse, so a pull
that fails halfway (network, bad key, a killed process) changes nothing. The replace itself is one
DuckDB transaction: delete the window's days, bulk-insert the new rows, commit. Re-running a day, or
a crash in the middle, never duplicates or loses rows.

A row that fails a row-level rule (a negative token count: orchestration/quality/quarantine.py) is not landed
into the raw table but into ``ops.quarantine``, in the same transaction, replaced the same way.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from connectors.registry import RAW_TABLES
from connectors.schema import RawTable
from orchestration.config import ensure_config_tables
from orchestration.errors import FinopsError
from orchestration.quality import quarantine

# What land() takes: dicts (a connector's rows), an Arrow table, or a DuckDB relation.
Rows = Iterable[Mapping[str, Any]] | pa.Table | duckdb.DuckDBPyRelation


FILES_LEDGER = "raw._files"  # one row per landed file: which table, which content (sha256), when


def _ddl(table: RawTable) -> str:
    cols = ",\n  ".join(f'"{name}" {sql_type}' for name, sql_type in table.columns + table.metadata_columns)
    return f"create table if not exists {table.qualified_name} (\n  {cols}\n)"


def _add_new_columns(conn: duckdb.DuckDBPyConnection, table: RawTable, columns: set[str] | None) -> None:
    """A raw table landed by an older version lacks the columns added to the landing contract since (an API
    field read later, such as Anthropic's ``speed``): add them, NULL in the rows already landed, so a newer
    load appends instead of failing and no landed row is lost."""
    if columns is None:
        return  # just created with every column
    for name, sql_type in table.columns + table.metadata_columns:
        if name not in columns:
            conn.execute(f'alter table {table.qualified_name} add column "{name}" {sql_type}')


def ensure_raw_tables(conn: duckdb.DuckDBPyConnection, tables: Iterable[RawTable] | None = None) -> None:
    """Create schema ``raw`` and every raw table that does not exist yet (empty), so dbt sources resolve
    even for a provider that is not configured."""
    conn.execute("create schema if not exists raw")
    ensure_config_tables(conn)  # dbt reads finops.yaml's settings from schema config (defaults until a run writes them)
    existing: dict[str, set[str]] = {}
    for schema, name, column in conn.execute(
        "select table_schema, table_name, column_name from information_schema.columns where table_schema = 'raw'"
    ).fetchall():
        existing.setdefault(f"{schema}.{name}", set()).add(column)
    for table in tables if tables is not None else RAW_TABLES.values():
        conn.execute(_ddl(table))
        _add_new_columns(conn, table, existing.get(table.qualified_name))
        if table.from_files:
            conn.execute(
                f"create table if not exists {FILES_LEDGER} (table_name varchar, path varchar, sha256 varchar, "
                "rows bigint, loaded_at timestamp, run_id varchar)"
            )


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Keep JSON numbers as numbers when a float says exactly the same digits; else keep the digits.
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def _to_arrow(table: RawTable, rows: Rows) -> pa.Table:
    """The rows as an Arrow table of exactly the table's columns plus ``_raw`` (missing columns are NULL)."""
    if isinstance(rows, duckdb.DuckDBPyRelation):
        rows = rows.to_arrow_table()
    if isinstance(rows, pa.Table):
        return _conform(table, rows)
    return _from_dicts(table, rows)


def _conform(table: RawTable, batch: pa.Table) -> pa.Table:
    unknown = set(batch.column_names) - set(table.column_names) - {"_raw"}
    if unknown:
        raise KeyError(f"{table.name}: not columns of the table: {sorted(unknown)}")  # a reader bug
    arrays = {}
    for name in (*table.column_names, "_raw"):
        if name in batch.column_names:
            column = batch.column(name)
            arrays[name] = column.cast(pa.string()) if name == "_raw" and column.type != pa.string() else column
        else:
            arrays[name] = pa.nulls(batch.num_rows, type=pa.string())
    return pa.table(arrays)


def _from_dicts(table: RawTable, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    names = table.column_names
    columns: dict[str, list[Any]] = {name: [] for name in names}
    raw: list[str | None] = []
    for row in rows:
        for name in names:
            columns[name].append(row.get(name))
        payload = row.get("_raw")
        raw.append(None if payload is None else json.dumps(payload, default=_json_default, sort_keys=True))
    arrays = {}
    for name, sql_type in table.columns:
        values = columns[name]
        if sql_type.startswith("DECIMAL"):
            # Exact: strings, cast to DECIMAL by DuckDB on insert.
            arrays[name] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
        elif sql_type == "TIMESTAMP":
            arrays[name] = pa.array([None if v is None else _naive_utc(v) for v in values], type=pa.timestamp("us"))
        elif sql_type == "BIGINT":
            arrays[name] = pa.array(values, type=pa.int64())
        elif sql_type == "BOOLEAN":
            arrays[name] = pa.array(values, type=pa.bool_())
        else:
            arrays[name] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    arrays["_raw"] = pa.array(raw, type=pa.string())
    return pa.table(arrays)


class ShrinkRefused(FinopsError):
    """A load would replace stored rows with far fewer: refused, nothing changed."""


def _refuse_shrink(conn: duckdb.DuckDBPyConnection, table: RawTable, part_expr: str, window) -> None:
    """Raise ShrinkRefused when the batch in ``_landing`` holds less than half the rows stored for a day."""
    if table.partitioned:
        shrunk = conn.execute(
            f"""
            with stored as (
                select _partition_date as day, count(*) as n from {table.qualified_name}
                where _partition_date >= ? and _partition_date < ? group by 1
            ),
            landing as (select {part_expr} as day, count(*) as n from _landing as l group by 1)
            select stored.day, stored.n, coalesce(landing.n, 0)
            from stored left join landing using (day)
            where 2 * coalesce(landing.n, 0) < stored.n
            order by 1
            """,
            list(window),
        ).fetchall()
    else:
        stored = conn.execute(f"select count(*) from {table.qualified_name}").fetchall()[0][0]
        landing = conn.execute("select count(*) from _landing").fetchall()[0][0]
        shrunk = [("the snapshot", stored, landing)] if 2 * landing < stored else []
    if not shrunk:
        return
    day, before, after = shrunk[0]
    more = f" (and {len(shrunk) - 1} more day{'s' if len(shrunk) > 2 else ''})" if len(shrunk) > 1 else ""
    raise ShrinkRefused(
        f"{table.source}/{table.endpoint}: the API returned {after} rows for {day}{more} where the warehouse "
        f"holds {before}; refused to replace them, so nothing was replaced or published (a broken reply looks like "
        f"this); if the provider really revised those days, rerun with --accept-shrink."
    )


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _value(name: str, sql_type: str, batch: pa.Table) -> str:
    """The SQL that turns landing column ``name`` into ``sql_type``. Timestamps given as text may carry an
    offset ("...Z", "+02:00"): they go through TIMESTAMPTZ, read in UTC (the session's time zone here)."""
    column = f'l."{name}"'
    if sql_type == "TIMESTAMP" and pa.types.is_string(batch.schema.field(name).type):
        return f"cast(cast({column} as timestamptz) as timestamp)"
    return f"cast({column} as {sql_type})"


def _statements(table: RawTable, batch: pa.Table) -> tuple[str, str]:
    """(the partition-date expression, the INSERT ... SELECT from ``_landing``) for ``table``. The INSERT leaves
    out the rows that fail a row-level rule (quarantine.py): :func:`_quarantine` keeps those."""
    types = dict(table.columns)
    if table.partitioned:
        part_expr = f"cast({_value(table.partition_column, types[table.partition_column], batch)} as date)"
    else:
        part_expr = "cast(? as date)"
    names = [*table.column_names, "_source", "_partition_date", "_loaded_at", "_run_id", "_raw"]
    values = [_value(n, t, batch) for n, t in table.columns] + ["?", part_expr, "?", "?", "cast(l._raw as json)"]
    if table.from_files:
        names.append("_file")
        values.append("?")
    insert = (
        f"insert into {table.qualified_name} ({', '.join(chr(34) + n + chr(34) for n in names)}) "
        f"select {', '.join(values)} from _landing as l"
    )
    if quarantine.applies(table):
        insert += f" where not ({quarantine.bad_row_condition(table, lambda n: _value(n, types[n], batch))})"
    return part_expr, insert


def _quarantine(
    conn: duckdb.DuckDBPyConnection,
    table: RawTable,
    batch: pa.Table,
    part_expr: str,
    *,
    loaded_at: datetime,
    run_id: str,
    window: tuple[date, date] | None = None,
    path: str | None = None,
) -> None:
    """Inside the landing's transaction: replace the quarantined rows of what this landing replaces (the window's
    days, the snapshot, or the file) with the batch's rows that fail a row-level rule (quarantine.py)."""
    if not quarantine.applies(table):
        return
    quarantine.ensure_table(conn)
    if path is not None:
        conn.execute(
            f"delete from {quarantine.QUALIFIED} where raw_table = ? and file = ?", [table.qualified_name, path]
        )
        source = path
    elif window is not None:
        conn.execute(
            f"delete from {quarantine.QUALIFIED} where raw_table = ? and partition_date >= ? and partition_date < ?",
            [table.qualified_name, *window],
        )
        source = f"{table.source}/{table.endpoint} {window[0]}..{window[1] - timedelta(days=1)}"
    else:
        conn.execute(f"delete from {quarantine.QUALIFIED} where raw_table = ?", [table.qualified_name])
        source = f"{table.source}/{table.endpoint} (snapshot)"
    types = dict(table.columns)
    sql = quarantine.insert_sql(table, lambda n: _value(n, types[n], batch), part_expr)
    params: list[Any] = [loaded_at, run_id, source, *(window or (None, None)), path]
    if not table.partitioned:
        params.append(loaded_at.date())
    conn.execute(sql, params)


def land(
    conn: duckdb.DuckDBPyConnection,
    table: RawTable,
    rows: Rows,
    *,
    run_id: str,
    window: tuple[date, date] | None = None,
    loaded_at: datetime | None = None,
    accept_shrink: bool = False,
) -> int:
    """Replace ``table``'s rows for the UTC days ``[window[0], window[1])`` (partitioned tables) or the
    whole table (dimension snapshots) with ``rows`` (dicts, an Arrow table or a DuckDB relation), in one
    transaction. Returns the rows inserted.

    Rows are drained into memory first: a failing iterator leaves the warehouse untouched. A load that
    would leave a day (or a snapshot) with less than half the rows it holds, or none, is refused with
    :class:`ShrinkRefused` and changes nothing, unless ``accept_shrink``: providers revise days by adding
    late usage, and a reply that lost rows is far more often broken than true.
    """
    if table.from_files:
        raise ValueError(f"{table.qualified_name} is a file drop: use land_file()")
    if table.partitioned and window is None:
        raise ValueError(f"{table.qualified_name} is partitioned by day: pass window=(start, end)")
    if window is not None and not window[0] < window[1]:
        raise ValueError(f"empty window {window[0]}..{window[1]} for {table.qualified_name}")
    with _staged(conn, table, rows, loaded_at) as (batch, loaded_at, part_expr, insert_sql):
        if table.partitioned:
            start, end = window  # type: ignore[misc]
            outside = conn.execute(
                f"select count(*) from _landing as l where {part_expr} < ? or {part_expr} >= ?",
                [start, end],
            ).fetchall()[0][0]
            if outside:
                raise FinopsError(
                    f"{table.source}: {outside} rows returned for {table.endpoint} fall outside the requested "
                    f"UTC days {start}..{end}; refusing to load them (the API's window handling may have changed)."
                )
        with _transaction(conn):
            if not accept_shrink:
                _refuse_shrink(conn, table, part_expr, window)
            if table.partitioned:
                conn.execute(
                    f"delete from {table.qualified_name} where _partition_date >= ? and _partition_date < ?",
                    [start, end],
                )
                conn.execute(insert_sql, [table.source, loaded_at, run_id])
            else:
                conn.execute(f"delete from {table.qualified_name}")
                conn.execute(insert_sql, [table.source, loaded_at.date(), loaded_at, run_id])
            _quarantine(conn, table, batch, part_expr, loaded_at=loaded_at, run_id=run_id, window=window)
    return batch.num_rows


def loaded_digests(conn: duckdb.DuckDBPyConnection, table: RawTable) -> dict[str, str]:
    """path -> the content hash each file had when it was last landed into the file-drop ``table``."""
    ensure_raw_tables(conn, [table])
    return dict(conn.execute(f"select path, sha256 from {FILES_LEDGER} where table_name = ?", [table.name]).fetchall())


def land_file(
    conn: duckdb.DuckDBPyConnection,
    table: RawTable,
    rows: Rows,
    *,
    path: str,
    digest: str,
    run_id: str,
    loaded_at: datetime | None = None,
) -> int:
    """Replace what the file ``path`` loaded into the file-drop ``table`` with ``rows`` (its content now),
    and record its content hash, in one transaction. Every row lands on the UTC day of its partition
    column; a row without one is refused, naming the file. Returns the rows inserted."""
    if not table.from_files:
        raise ValueError(f"{table.qualified_name} is not a file drop: use land()")
    try:
        with _staged(conn, table, rows, loaded_at) as (batch, loaded_at, part_expr, insert_sql):
            undated = conn.execute(f"select count(*) from _landing as l where {part_expr} is null").fetchall()[0][0]
            if undated:
                raise FinopsError(
                    f"{path}: {undated} of {batch.num_rows} rows have no {table.partition_column}, so they belong to no "
                    f"UTC day; fix the file (nothing of it was loaded)."
                )
            with _transaction(conn):
                # a file the ledger does not know has no rows yet: skip the delete (a scan of the whole table)
                (known,) = conn.execute(
                    f"select count(*) from {FILES_LEDGER} where table_name = ? and path = ?", [table.name, path]
                ).fetchone()
                if known:
                    conn.execute(f"delete from {table.qualified_name} where _file = ?", [path])
                conn.execute(insert_sql, [table.source, loaded_at, run_id, path])
                _quarantine(conn, table, batch, part_expr, loaded_at=loaded_at, run_id=run_id, path=path)
                conn.execute(f"delete from {FILES_LEDGER} where table_name = ? and path = ?", [table.name, path])
                conn.execute(
                    f"insert into {FILES_LEDGER} values (?, ?, ?, ?, ?, ?)",
                    [table.name, path, digest, batch.num_rows, loaded_at, run_id],
                )
    except duckdb.ConversionException as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise FinopsError(
            f"{path}: a value does not fit {table.name}'s columns ({first_line}); fix the file."
        ) from None
    return batch.num_rows


# A backlog of dropped files (a first load of a year of daily files) lands several files per connection: each
# connection's close checkpoints, and DuckDB's checkpoint merges the small row groups a file leaves into full ones,
# again and again when every file is checkpointed alone (bench/RESULTS.md, session 48: a year of daily files of
# 27,397 rows lands in three quarters of the time). A group closes once it holds this many rows or bytes of Arrow,
# whichever comes first. The next group is read while one lands (land_files), so a landing holds at most about twice
# this much in memory besides one file.
LAND_GROUP_ROWS = 500_000
LAND_GROUP_BYTES = 512 * 2**20


@dataclass(frozen=True)
class DroppedFile:
    """One file as read, before it lands: its path, content hash and rows."""

    path: str
    digest: str
    rows: Rows


def land_files(
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    table: RawTable,
    files: Iterable[DroppedFile],
    *,
    run_id: str,
    on_landed: Callable[[DroppedFile, int], None] = lambda file, rows: None,
    group_rows: int = LAND_GROUP_ROWS,
    group_bytes: int = LAND_GROUP_BYTES,
) -> int:
    """``land_file`` every file of ``files`` in order, each in its own transaction, several files per connection
    (``connect()``, a context manager). ``files`` is consumed on a reader thread, one group ahead of the landing:
    a file is read before a connection opens, so a slow read never holds the warehouse, and the next group is read
    while this one lands. ``on_landed`` is called after each file, on the caller's thread. When reading or landing a
    file fails, every file before it has landed, and the error propagates; the files read ahead of a file that
    failed to land are dropped. Returns the rows landed."""
    landed = 0
    with _read_ahead(lambda stopped: _groups(files, group_rows, group_bytes, stopped)) as groups:
        for group in groups:
            with connect() as conn:
                for file in group:
                    rows = land_file(conn, table, file.rows, path=file.path, digest=file.digest, run_id=run_id)
                    landed += rows
                    on_landed(file, rows)
    return landed


def _groups(
    files: Iterable[DroppedFile], group_rows: int, group_bytes: int, stopped: Callable[[], bool]
) -> Iterator[list[DroppedFile]]:
    """``files`` in groups of at most ``group_rows`` rows or ``group_bytes`` bytes of Arrow (the file that reaches
    either closes its group). When reading a file fails, the files read before it are a group, then the error is
    raised. Once ``stopped()``, no file is read after the one being read."""
    pending: list[DroppedFile] = []
    try:
        for file in files:
            if stopped():
                return
            pending.append(file)
            # rows that are not an Arrow table (dicts, a relation) have no cheap size: they land alone
            held_rows = sum(getattr(held.rows, "num_rows", group_rows) for held in pending)
            held_bytes = sum(getattr(held.rows, "nbytes", 0) for held in pending)
            if held_rows >= group_rows or held_bytes >= group_bytes:
                yield pending
                pending = []
    except Exception:  # not an interrupt: that stops the reader at once
        if pending:
            yield pending  # the files read before the one that failed still land
        raise
    if pending:
        yield pending


_DONE = object()


@contextmanager
def _read_ahead(produce_items: Callable[[Callable[[], bool]], Iterable[Any]]) -> Iterator[Iterator[Any]]:
    """The items of ``produce_items(stopped)`` made on a thread of their own, in order, at most one ahead of the
    consumer: the next item is made while the consumer works on this one, and none after it until the consumer takes
    it. Whatever the producer raises is raised in the consumer. Leaving the block (the end, an error, an interrupt)
    makes ``stopped()`` true, which the items' maker checks between the steps of an item, and waits for the producer,
    so no thread outlives the block."""
    ahead: queue.SimpleQueue = queue.SimpleQueue()
    taken = threading.Semaphore(1)  # released when the consumer takes an item: the producer may make the next one
    stop = threading.Event()

    def may_produce() -> bool:
        while not stop.is_set():
            if taken.acquire(timeout=0.05):
                return not stop.is_set()
        return False

    def produce() -> None:
        try:
            iterator = iter(produce_items(stop.is_set))
            while may_produce():
                item = next(iterator, _DONE)
                ahead.put((item, None))
                if item is _DONE:
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            ahead.put((None, exc))

    def consume() -> Iterator[Any]:
        while True:
            item, exc = ahead.get()
            taken.release()
            if exc is not None:
                raise exc
            if item is _DONE:
                return
            yield item

    producer = threading.Thread(target=produce, name="finops-read-ahead", daemon=True)
    producer.start()
    try:
        yield consume()
    finally:
        stop.set()
        producer.join()


@contextmanager
def _staged(
    conn: duckdb.DuckDBPyConnection, table: RawTable, rows: Rows, loaded_at: datetime | None
) -> Iterator[tuple[pa.Table, datetime, str, str]]:
    """The rows as the Arrow table ``_landing`` on ``conn`` (drained first: a failing iterator writes
    nothing), with the load time, the partition-date expression and the INSERT that lands them."""
    batch = _to_arrow(table, rows)
    loaded_at = _naive_utc(loaded_at or datetime.now(UTC))
    part_expr, insert_sql = _statements(table, batch)
    ensure_raw_tables(conn, [table])
    conn.execute("set TimeZone = 'UTC'")  # timestamps given as text with an offset are read in UTC
    conn.register("_landing", batch)
    try:
        yield batch, loaded_at, part_expr, insert_sql
    finally:
        conn.unregister("_landing")


@contextmanager
def _transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    conn.execute("begin transaction")
    try:
        yield
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")
