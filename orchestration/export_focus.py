"""`finops export focus --month YYYY-MM --out FILE` (DESIGN.md §7; issue 14 item 1).

A month of FOCUS 1.2 cost-and-usage rows, read from focus_cost_and_usage in the published serving copy
(read-only and short-lived, as `finops export chargeback` reads it), for the FinOps tools that read FOCUS.
CSV (header row, UTF-8, comma, datetimes as ISO 8601 UTC with 'Z', amounts as exact decimal text, empty for
NULL) or Parquet (amounts DECIMAL(38,12), datetimes TIMESTAMP WITH TIME ZONE in UTC), chosen by the file's
extension. The mart's own columns (usage_date, line_key) are left out. BilledCost totals what the bills of the
month say (fct_billed_cost_daily); usage without a price has no cost to state: it is left out of the rows and
the summary says how many usage rows of the month were unpriced.

Refusals (bad month, extension, no published data for the month, a path that cannot be written) are one
sentence on stderr and exit code 1, and nothing is written; the file is written aside and renamed into place.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.export import ExportError, export_format, parse_month
from orchestration.settings import Paths, finops_home

FOCUS_MART = "marts.focus_cost_and_usage"
USAGE_MART = "marts.fct_usage_cost_daily"
# the mart's columns that are not FOCUS columns: left out of the export
OWN_COLUMNS = ("usage_date", "line_key")
IN_MONTH = "usage_date >= $month and usage_date < $month + interval 1 month"
MONTHS_SQL = f"select distinct cast(date_trunc('month', usage_date) as date) from {FOCUS_MART} order by 1"
UNPRICED_SQL = f"select count(*) from {USAGE_MART} where not is_priced and {IN_MONTH}"
TIMESTAMPS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")


@dataclass(frozen=True)
class FocusSummary:
    path: Path
    month: date
    rows: int
    billed_cost_usd: Decimal
    unpriced_rows: int

    def lines_text(self) -> list[str]:
        text = [
            f"focus {self.month:%Y-%m}: {self.rows} row{'s' if self.rows != 1 else ''} written to {self.path}; "
            f"BilledCost total {self.billed_cost_usd} USD (the month's bills, fct_billed_cost_daily)."
        ]
        if self.unpriced_rows:
            text.append(
                f"note: {self.unpriced_rows} usage row(s) of the month have no price: no cost to state, left out of "
                "the usage rows (what their bills charged is in the Adjustment rows; see finops prices check)."
            )
        return text


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def focus_columns(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """The mart's FOCUS columns, in its order."""
    described = conn.execute(f"describe {FOCUS_MART}").fetchall()
    return [name for name, *_ in described if name not in OWN_COLUMNS]


def rows_sql(columns: Sequence[str], *, for_parquet: bool = False) -> str:
    """The month's rows (``$month`` bound by the caller). For Parquet the datetimes become UTC instants."""
    selected = [
        f"timezone('UTC', {_quoted(c)}) as {_quoted(c)}" if for_parquet and c in TIMESTAMPS else _quoted(c)
        for c in columns
    ]
    return f"select {', '.join(selected)} from {FOCUS_MART} where {IN_MONTH} order by usage_date, line_key"


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return handle.getvalue()


def _connect(serving: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(serving), read_only=True, config={"python_enable_replacements": False})


def _serving_rows(serving: Path, month: date) -> tuple[list[str], list[tuple], int]:
    if not serving.exists():
        raise ExportError(f"nothing is published yet ({serving} does not exist); run finops run, then export again.")
    with _connect(serving) as conn:
        try:
            months = [r[0] for r in conn.execute(MONTHS_SQL).fetchall()]
        except duckdb.CatalogException:
            raise ExportError(
                f"the published data in {serving} has no {FOCUS_MART} yet; run finops run to publish it."
            ) from None
        if month not in months:
            published = ", ".join(f"{m:%Y-%m}" for m in months) or "none"
            raise ExportError(
                f"no published FOCUS rows for {month:%Y-%m} (months published: {published}); pick one of them or "
                "run finops run for that month."
            )
        columns = focus_columns(conn)
        rows = conn.execute(rows_sql(columns), {"month": month}).fetchall()
        [(unpriced,)] = conn.execute(UNPRICED_SQL, {"month": month}).fetchall()
    return columns, rows, unpriced


def _write_parquet(serving: Path, month: date, columns: Sequence[str], path: Path) -> None:
    # COPY takes no parameter for its file name: the path is quoted here, never user SQL
    quoted = str(path).replace("'", "''")
    with _connect(serving) as conn:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute(f"copy ({rows_sql(columns, for_parquet=True)}) to '{quoted}' (format parquet)", {"month": month})


def export_focus(serving: Path, month: date, out: Path) -> FocusSummary:
    """Write the month's FOCUS rows from the serving copy to ``out`` (CSV or Parquet by extension)."""
    kind = export_format(out)
    columns, rows, unpriced = _serving_rows(serving, month)
    out = out.expanduser().resolve()
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if kind == "csv":
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                handle.write(csv_text(columns, rows))
        else:
            _write_parquet(serving, month, columns, tmp)
        os.replace(tmp, out)
    except (OSError, duckdb.IOException) as exc:
        tmp.unlink(missing_ok=True)
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise ExportError(f"cannot write {out} ({reason}); pick a folder you can write with --out.") from None
    billed = columns.index("BilledCost")
    total = sum((row[billed] for row in rows), Decimal(0))
    return FocusSummary(out, month, len(rows), total, unpriced)


def cmd_focus(args: argparse.Namespace) -> int:
    try:
        month = parse_month(args.month)
        out = Path(args.out)
        export_format(out)  # a bad extension is refused before anything is read
        summary = export_focus(Paths(finops_home()).serving, month, out)
    except ExportError as exc:
        print(f"finops: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines_text()))
    return 0


def add_command(export: argparse._SubParsersAction) -> None:
    """focus, on the `finops export` subparser."""
    focus = export.add_parser("focus", help="a month's FOCUS 1.2 cost-and-usage rows for FinOps tools (CSV or Parquet)")
    focus.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-03")
    focus.add_argument("--out", required=True, metavar="FILE", help="FILE.csv or FILE.parquet")
    focus.set_defaults(func=cmd_focus)
