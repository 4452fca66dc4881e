"""Quality results kept in the warehouse: ``ops.quality_results``, one row per check x scope per run.

Append-only; every check execution (a raw-landing check, a mart gate) writes its rows in one bulk insert.
Publish carries the table into the serving copy as ``marts.quality_results`` (orchestration/publish.py
EXTRA_TABLES), where the app's data-health page reads it. Dagster's event log keeps the same outcomes as
asset check evaluations; this table is the one analysts and the app can query.

Columns (an interface: the app is built against them):

* ``checked_at`` when the check ran (UTC, naive); ``run_id`` the Dagster run
* ``layer`` 'raw' | 'staging' | 'intermediate' | 'mart' | 'seed'; ``asset`` '<source>/<endpoint>' for raw,
  '<schema>/<model>' for dbt models ('marts/<table>' for marts), 'seeds/<seed>'; dbt's own tests are written by
  orchestration/quality/dbt_tests.py
* ``check_name`` the rule ('unique_natural_key', 'no_negative_quantity', ...)
* ``severity`` 'error' (blocking) | 'warning'; ``status`` 'passed' | 'failed'
* ``partition_start``, ``partition_end`` (exclusive) the UTC days checked; both NULL: the whole table
* ``rows_checked`` (NULL: not known, e.g. a dbt test over several models), ``unexpected_count``
* ``observed_value`` a short human fragment ('2 duplicate keys'); ``sample`` a JSON array (as text) of up to
  5 offending examples; ``description`` what the rule demands

Beside it, ``ops.quality_checks`` is the catalog of the checks the pipeline defines now: one row per (layer, asset,
check_name), in the names quality_results uses, under the ``scope`` of the part that defines it ('dbt' for dbt's
data tests, 'raw:<source>/<endpoint>' for a raw landing's checks, 'gate:<table>' for a mart's gate). Each part
replaces its scope's rows whenever it runs (``define``), whether or not each check ran: dbt leaves out a test whose
inputs are unchanged, and a raw landing judges freshness only on the days it is due. So a check that was removed
or renamed (a dbt test taken out, per-column tests merged into one) drops out of the catalog at the next run of
its part, while its past results stay in quality_results as history. Publish carries it as
``marts.quality_checks``; the Data health page shows the latest result of the checks in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd

SCHEMA = "ops"
TABLE = "quality_results"
QUALIFIED = f"{SCHEMA}.{TABLE}"

COLUMNS: tuple[tuple[str, str], ...] = (
    ("checked_at", "TIMESTAMP"),
    ("run_id", "VARCHAR"),
    ("layer", "VARCHAR"),
    ("asset", "VARCHAR"),
    ("check_name", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("status", "VARCHAR"),
    ("partition_start", "DATE"),
    ("partition_end", "DATE"),
    ("rows_checked", "BIGINT"),
    ("unexpected_count", "BIGINT"),
    ("observed_value", "VARCHAR"),
    ("sample", "VARCHAR"),
    ("description", "VARCHAR"),
)
LAYERS = ("raw", "staging", "intermediate", "mart", "seed")

CATALOG = "quality_checks"
CATALOG_QUALIFIED = f"{SCHEMA}.{CATALOG}"
CATALOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("scope", "VARCHAR"),
    ("layer", "VARCHAR"),
    ("asset", "VARCHAR"),
    ("check_name", "VARCHAR"),
    ("run_id", "VARCHAR"),  # the run that last defined it
    ("defined_at", "TIMESTAMP"),
)
SAMPLE_SIZE = 5


@dataclass(frozen=True)
class CheckResult:
    """One row of ``ops.quality_results`` (``checked_at`` and ``run_id`` are given when written)."""

    layer: str
    asset: str
    check_name: str
    blocking: bool
    passed: bool
    window: tuple[date, date] | None  # [start, end) UTC days; None: the whole table
    rows_checked: int | None  # None: not known (stored as NULL)
    unexpected_count: int
    observed_value: str
    sample: Sequence[Any]
    description: str

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"layer must be one of {LAYERS}, not {self.layer!r}")

    @property
    def severity(self) -> str:
        return "error" if self.blocking else "warning"

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"

    def sample_json(self) -> str:
        return json.dumps(list(self.sample)[:SAMPLE_SIZE], default=str, sort_keys=True)


def ensure_table(conn: duckdb.DuckDBPyConnection, table: str = QUALIFIED, columns=COLUMNS) -> None:
    """Create ``table`` (default ``ops.quality_results``) with ``columns`` if it does not exist."""
    conn.execute(f"create schema if not exists {SCHEMA}")
    spelled = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
    conn.execute(f"create table if not exists {table} ({spelled})")


def write(
    conn: duckdb.DuckDBPyConnection,
    results: Iterable[CheckResult],
    *,
    run_id: str,
    checked_at: datetime | None = None,
) -> int:
    """Append ``results`` to ``ops.quality_results`` in one bulk insert (the table is created if missing)."""
    checked_at = checked_at or datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "checked_at": checked_at,
            "run_id": run_id,
            "layer": r.layer,
            "asset": r.asset,
            "check_name": r.check_name,
            "severity": r.severity,
            "status": r.status,
            "partition_start": r.window[0] if r.window else None,
            "partition_end": r.window[1] if r.window else None,
            "rows_checked": None if r.rows_checked is None else int(r.rows_checked),
            "unexpected_count": int(r.unexpected_count),
            "observed_value": r.observed_value,
            "sample": r.sample_json(),
            "description": r.description,
        }
        for r in results
    ]
    ensure_table(conn)
    if not rows:
        return 0
    frame = pd.DataFrame(rows, columns=[name for name, _ in COLUMNS])  # noqa: F841 - read by DuckDB below
    casts = ", ".join(f"cast({name} as {sql_type}) as {name}" for name, sql_type in COLUMNS)
    conn.execute(f"insert into {QUALIFIED} select {casts} from frame")
    return len(rows)


def define(
    conn: duckdb.DuckDBPyConnection,
    scope: str,
    checks: Iterable[tuple[str, str, str]],
    *,
    run_id: str,
    defined_at: datetime | None = None,
) -> int:
    """Make ``checks`` ((layer, asset, check_name) each) the checks ``scope`` defines in ``ops.quality_checks``,
    replacing what it defined before, in one transaction (the table is created if missing). Returns their number."""
    keys = sorted(set(checks))
    for layer, _, _ in keys:
        if layer not in LAYERS:
            raise ValueError(f"layer must be one of {LAYERS}, not {layer!r}")
    defined_at = defined_at or datetime.now(UTC).replace(tzinfo=None)
    ensure_table(conn, CATALOG_QUALIFIED, CATALOG_COLUMNS)
    conn.execute("begin")
    try:
        conn.execute(f"delete from {CATALOG_QUALIFIED} where scope = ?", [scope])
        if keys:
            layers, assets, names = (list(column) for column in zip(*keys, strict=True))
            conn.execute(
                f"insert into {CATALOG_QUALIFIED} select ?, unnest(?::varchar[]), unnest(?::varchar[]), "
                "unnest(?::varchar[]), ?, ?",
                [scope, layers, assets, names, run_id, defined_at],
            )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return len(keys)


def run_warnings(conn: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """The warnings of run ``run_id``: its checks (one check = layer x asset x check_name, whatever the scopes it ran
    on) that failed with severity warning and failed no blocking scope. The Data health page counts the latest run's
    warnings the same way (apps/lib/queries.py quality_runs), and publish_info.quality_warnings is this number.
    0 when no check has written the table yet."""
    if not _exists(conn):
        return 0
    return conn.execute(
        f"""
        select count(*) from (
            select layer, asset, check_name
            from {QUALIFIED}
            where run_id = ?
            group by layer, asset, check_name
            having bool_or(status <> 'passed') and not bool_or(status <> 'passed' and severity = 'error')
        )
        """,
        [run_id],
    ).fetchall()[0][0]


def run_errors(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """The failed checks of severity error of run ``run_id`` (raw landings, dbt tests, the mart gate), one line each
    naming the asset, the check, what it found and the days it looked at; empty when none (or no table yet).
    Publish and the alert log refuse a run that has any: a raw check no longer stops the build (so the same run
    can name every problem of a day), so these rows, not Dagster's skipping, hold the serving copy back."""
    if not _exists(conn):
        return []
    rows = conn.execute(
        f"""
        select distinct asset, check_name, observed_value, partition_start, partition_end
        from {QUALIFIED}
        where run_id = ? and status <> 'passed' and severity = 'error'
        order by 1, 2, 4, 3
        """,
        [run_id],
    ).fetchall()
    return [
        f"{asset} {check}: {observed}" + (f" in {start}..{end} (exclusive)" if start is not None else "")
        for asset, check, observed, start, end in rows
    ]


def gate_failed_message(failures: Sequence[str]) -> str:
    """The sentence a run with blocking failures ends on (`finops run`, and publish or alerts refusing it)."""
    return (
        "the quality gate failed (" + "; ".join(failures) + "); nothing was published and "
        "the serving copy still holds the last good data; see the failing checks in `finops dagster` and "
        "the dbt output in FINOPS_HOME/logs/finops-run.log."
    )


def _exists(conn: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ? "
            "and table_catalog = current_database()",
            [SCHEMA, TABLE],
        ).fetchall()[0][0]
    )


def count_phrase(n: int, singular: str, plural: str | None = None) -> str:
    """'1 duplicate key', '1,204 negative values'."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"
