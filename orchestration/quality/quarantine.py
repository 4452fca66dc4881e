"""Quarantine (issue 12 item 4): rows that fail a row-level check are kept aside, not landed.

A row with a negative value in a never-negative column (``RawTable.never_negative``: token and request counts,
money the vendor never credits) is a bad row, not a bad page: ``orchestration.loader`` lands the rest of the
batch into the raw table and writes that row here instead, in the same transaction, so it never reaches the
marts. The raw-landing check ``quarantined_rows`` (a warning, orchestration/quality/raw.py) counts them; the run
publishes the rest. A page that repeats a row is a bad page: ``unique_natural_key`` stays blocking and publishes
nothing.

The table is ``ops.quarantine``, not ``raw.quarantine``: schema raw holds only what the vendors sent, one dbt
source per table (``ensure_raw_tables`` creates them all), while ops holds what the pipeline records about its own
runs (``ops.quality_results``, ``ops.alert_log``), which publish carries to the serving copy
(orchestration/publish.py EXTRA_TABLES) as ``marts.quarantine`` for the app's data-health page.

Re-landing the same window (or file) replaces its quarantined rows, as it replaces its raw rows: never twice.

Columns (an interface: the app is built against them):

* ``landed_at`` when the batch was landed (UTC, naive); ``run_id`` the Dagster run
* ``raw_table`` 'raw.openai_usage_completions'; ``asset`` 'openai/usage_completions' (as quality_results names it)
* ``source`` where the row came from: the file's path, or the endpoint and the UTC days asked for
  ('openai/usage_completions 2025-06-08..2025-06-08')
* ``window_start``, ``window_end`` (exclusive) the UTC days of the request (NULL for files and snapshots);
  ``file`` the file's path (NULL for API pulls); ``partition_date`` the row's UTC day
* ``natural_key`` a JSON object of the row's natural key (``RawTable.natural_key``)
* ``reason`` one sentence fragment per failed rule ('output_tokens is negative (-642448)')
* ``row_json`` the row as the vendor sent it (``_raw``), or its landed columns when the reader kept no ``_raw``
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from connectors.schema import RawTable

SCHEMA = "ops"
TABLE = "quarantine"
QUALIFIED = f"{SCHEMA}.{TABLE}"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("landed_at", "TIMESTAMP"),
    ("run_id", "VARCHAR"),
    ("raw_table", "VARCHAR"),
    ("asset", "VARCHAR"),
    ("source", "VARCHAR"),
    ("window_start", "DATE"),
    ("window_end", "DATE"),
    ("file", "VARCHAR"),
    ("partition_date", "DATE"),
    ("natural_key", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("row_json", "VARCHAR"),
)


def ensure_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {SCHEMA}")
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in COLUMNS)
    conn.execute(f"create table if not exists {QUALIFIED} ({columns})")


def applies(table: RawTable) -> bool:
    """Whether ``table`` has a row-level rule (a never-negative column) whose failures are quarantined."""
    return bool(table.never_negative)


def bad_row_condition(table: RawTable, value: Callable[[str], str]) -> str:
    """SQL that is true for a landing row failing a row-level rule (``value``: a column name -> its typed SQL)."""
    return " or ".join(f"coalesce({value(c)} < 0, false)" for c in table.never_negative) or "false"


def insert_sql(table: RawTable, value: Callable[[str], str], part_expr: str) -> str:
    """The INSERT that copies the bad rows of ``_landing`` into ops.quarantine. Parameters, in order: landed_at,
    run_id, source, window_start, window_end, file (the partition-date expression's own parameter, for a
    snapshot, comes last)."""
    key = ", ".join(f"'{c}': {value(c)}" for c in table.natural_key)
    reasons = ", ".join(
        f"case when {value(c)} < 0 then '{c} is negative (' || cast({value(c)} as varchar) || ')' end"
        for c in table.never_negative
    )
    landed = ", ".join(f"'{c}': {value(c)}" for c in table.column_names)
    return (
        f"insert into {QUALIFIED} ({', '.join(name for name, _ in COLUMNS)}) "
        "select cast(? as timestamp), ?, "
        f"'{table.qualified_name}', '{table.source}/{table.endpoint}', ?, cast(? as date), cast(? as date), ?, "
        f"{part_expr}, cast(to_json({{{key}}}) as varchar), concat_ws('; ', {reasons}), "
        f"coalesce(cast(l._raw as varchar), cast(to_json({{{landed}}}) as varchar)) "
        f"from _landing as l where {bad_row_condition(table, value)}"
    )
