"""`finops export chargeback --month YYYY-MM --out FILE` (DESIGN.md §7; issue 10 item 3).

A chargeback statement a finance team can book: one line per cost center x team x provider x model of the
month, read from mart_showback_monthly in the published serving copy (read-only and short-lived, as the app
reads it), so its total is the app's. CSV (header row, UTF-8, comma, ISO dates, amounts as exact decimal
text) or Parquet (amount DECIMAL(38,12), written by DuckDB's COPY), chosen by the file's extension. No total
row inside the data: the printed summary gives the line count and the total. Unallocated cost is a line
with cost center '(unallocated)', so the total equals the ledger. Usage without a price has no amount to
book: it is left out and the summary says how many rows of the month were unpriced.

A refusal (bad month, extension, no published data for the month, a path that cannot be written) is one
sentence on stderr and exit code 1; nothing is written then. The file is written aside and renamed into
place, so a failed export leaves no half-written file.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.errors import FinopsError
from orchestration.settings import Paths, finops_home
from statements.chargeback import AMOUNT, CHARGEBACK_SQL, MONTHS_SQL, SHOWBACK, UNPRICED_SQL, csv_text, parquet_copy_sql

FORMATS = (".csv", ".parquet")


class ExportError(FinopsError):
    """An export refused: one sentence, exit code 1."""


@dataclass(frozen=True)
class ChargebackSummary:
    path: Path
    month: date
    lines: int
    total_usd: Decimal
    unpriced_rows: int

    def lines_text(self) -> list[str]:
        text = [
            f"chargeback {self.month:%Y-%m}: {self.lines} line{'s' if self.lines != 1 else ''} written to "
            f"{self.path}; total {self.total_usd} USD (mart_showback_monthly for the month)."
        ]
        if self.unpriced_rows:
            text.append(
                f"note: {self.unpriced_rows} row(s) of the month are usage without a price: no amount to book, "
                "left out (see finops prices check)."
            )
        return text


def parse_month(value: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ExportError(f"--month must be a month like 2026-03 (got {value!r}).")
    return date(int(match[1]), int(match[2]), 1)


def export_format(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(
            f"--out must end in .csv or .parquet, which chooses the format (got {str(out)!r}); e.g. --out "
            "chargeback-2026-03.csv."
        )
    return suffix[1:]


def _serving_rows(serving: Path, month: date) -> tuple[list[tuple], int]:
    if not serving.exists():
        raise ExportError(f"nothing is published yet ({serving} does not exist); run finops run, then export again.")
    config = {"python_enable_replacements": False}
    with duckdb.connect(str(serving), read_only=True, config=config) as conn:
        try:
            months = [r[0] for r in conn.execute(MONTHS_SQL).fetchall()]
        except duckdb.CatalogException:
            raise ExportError(
                f"the published data in {serving} has no {SHOWBACK} yet; run finops run to publish it."
            ) from None
        if month not in months:
            published = ", ".join(f"{m:%Y-%m}" for m in months) or "none"
            raise ExportError(
                f"no published showback for {month:%Y-%m} (months published: {published}); pick one of them or "
                "run finops run for that month."
            )
        rows = conn.execute(CHARGEBACK_SQL, {"month": month}).fetchall()
        [(unpriced,)] = conn.execute(UNPRICED_SQL, {"month": month}).fetchall()
    return rows, unpriced


def _write_parquet(serving: Path, month: date, path: Path) -> None:
    with duckdb.connect(str(serving), read_only=True) as conn:
        conn.execute(parquet_copy_sql(path), {"month": month})


def export_chargeback(serving: Path, month: date, out: Path) -> ChargebackSummary:
    """Write the month's chargeback statement from the serving copy to ``out`` (CSV or Parquet by extension)."""
    kind = export_format(out)
    rows, unpriced = _serving_rows(serving, month)
    out = out.expanduser().resolve()
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if kind == "csv":
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                handle.write(csv_text(rows))
        else:
            _write_parquet(serving, month, tmp)
        os.replace(tmp, out)
    except (OSError, duckdb.IOException) as exc:
        tmp.unlink(missing_ok=True)
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise ExportError(f"cannot write {out} ({reason}); pick a folder you can write with --out.") from None
    total = sum((row[AMOUNT] for row in rows), Decimal(0))
    return ChargebackSummary(out, month, len(rows), total, unpriced)


def cmd_chargeback(args: argparse.Namespace) -> int:
    try:
        month = parse_month(args.month)
        out = Path(args.out)
        export_format(out)  # a bad extension is refused before anything is read
        summary = export_chargeback(Paths(finops_home()).serving, month, out)
    except ExportError as exc:
        print(f"finops: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines_text()))
    return 0


def add_commands(export: argparse._SubParsersAction) -> None:
    """chargeback, on the `finops export` subparser."""
    chargeback = export.add_parser(
        "chargeback", help="a month's chargeback statement per cost center x team x provider x model (CSV or Parquet)"
    )
    chargeback.add_argument("--month", required=True, metavar="YYYY-MM", help="the month, e.g. 2026-03")
    chargeback.add_argument("--out", required=True, metavar="FILE", help="FILE.csv or FILE.parquet")
    chargeback.set_defaults(func=cmd_chargeback)
