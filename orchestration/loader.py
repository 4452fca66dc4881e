"""Raw landing (DESIGN.md §4): one transaction replaces whole (source, UTC day) partitions.

``land`` drains the connector's rows into one Arrow table BEFORE it touches the warehouse, so a pull
that fails halfway (network, bad key, a killed process) changes nothing. The replace itself is one
DuckDB transaction: delete the window's days, bulk-insert the new rows, commit. Re-running a day, or
a crash in the middle, never duplicates or loses rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa

from connectors.schema import METADATA_COLUMNS, RAW_TABLES, RawTable
from orchestration.errors import FinopsError


def _ddl(table: RawTable) -> str:
    cols = ",\n  ".join(f'"{name}" {sql_type}' for name, sql_type in table.columns + METADATA_COLUMNS)
    return f"create table if not exists {table.qualified_name} (\n  {cols}\n)"


def ensure_raw_tables(conn: duckdb.DuckDBPyConnection, tables: Iterable[RawTable] | None = None) -> None:
    """Create schema ``raw`` and every raw table that does not exist yet (empty), so dbt sources resolve
    even for a provider that is not configured."""
    conn.execute("create schema if not exists raw")
    for table in tables if tables is not None else RAW_TABLES.values():
        conn.execute(_ddl(table))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Keep JSON numbers as numbers when a float says exactly the same digits; else keep the digits.
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def _to_arrow(table: RawTable, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
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
            arrays[name] = pa.array(
                [None if v is None else _naive_utc(v) for v in values], type=pa.timestamp("us")
            )
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
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def land(
    conn: duckdb.DuckDBPyConnection,
    table: RawTable,
    rows: Iterable[Mapping[str, Any]],
    *,
    run_id: str,
    window: tuple[date, date] | None = None,
    loaded_at: datetime | None = None,
    accept_shrink: bool = False,
) -> int:
    """Replace ``table``'s rows for the UTC days ``[window[0], window[1])`` (partitioned tables) or the
    whole table (dimension snapshots) with ``rows``, in one transaction. Returns the rows inserted.

    Rows are drained into memory first: a failing iterator leaves the warehouse untouched. A load that
    would leave a day (or a snapshot) with less than half the rows it holds, or none, is refused with
    :class:`ShrinkRefused` and changes nothing, unless ``accept_shrink``: providers revise days by adding
    late usage, and a reply that lost rows is far more often broken than true.
    """
    if table.partitioned and window is None:
        raise ValueError(f"{table.qualified_name} is partitioned by day: pass window=(start, end)")
    if window is not None and not window[0] < window[1]:
        raise ValueError(f"empty window {window[0]}..{window[1]} for {table.qualified_name}")
    batch = _to_arrow(table, rows)  # may raise: nothing written yet
    loaded_at = _naive_utc(loaded_at or datetime.now(timezone.utc))

    names = table.column_names
    select_cols = ", ".join(f'cast(l."{n}" as {t}) as "{n}"' for n, t in table.columns)
    if table.partitioned:
        part_expr = f'cast(cast(l."{table.partition_column}" as timestamp) as date)'
    else:
        part_expr = "cast(? as date)"
    insert_sql = (
        f"insert into {table.qualified_name} "
        f"({', '.join(chr(34) + n + chr(34) for n in names)}, _source, _partition_date, _loaded_at, _run_id, _raw) "
        f"select {select_cols}, ?, {part_expr}, ?, ?, cast(l._raw as json) from _landing as l"
    )

    ensure_raw_tables(conn, [table])
    conn.register("_landing", batch)
    try:
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
        conn.execute("begin transaction")
        try:
            if not accept_shrink:
                _refuse_shrink(conn, table, part_expr, window)
            if table.partitioned:
                conn.execute(
                    f"delete from {table.qualified_name} where _partition_date >= ? and _partition_date < ?",
                    [start, end],
                )
                params: list[Any] = [table.source, loaded_at, run_id]
            else:
                conn.execute(f"delete from {table.qualified_name}")
                params = [table.source, loaded_at.date(), loaded_at, run_id]
            conn.execute(insert_sql, params)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
    finally:
        conn.unregister("_landing")
    return batch.num_rows
