"""The chargeback statement (DESIGN.md §7; issue 10 item 3): a month's bookable lines from mart_showback_monthly.

One line per cost center x team x provider x model of the month. Unallocated cost is a line with cost center
'(unallocated)', so the lines sum to the ledger; usage without a price has no amount to book and is left out
(``UNPRICED_SQL`` counts it). ``finops export chargeback`` (orchestration/export.py) and the app's Chargeback
page (apps/app_pages/chargeback.py) both run ``CHARGEBACK_SQL`` with the parameter ``$month`` (the first day
of the month) and write CSV with ``csv_text`` and Parquet with ``parquet_copy_sql``, so they cannot disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

SHOWBACK = "marts.mart_showback_monthly"
# the statement's columns, in order (what finance books), and where each comes from
CHARGEBACK_COLUMNS = (
    ("period_start", "month"),
    ("period_end", "last_day(month)"),
    ("cost_center", "cost_center"),
    ("team", "team"),
    ("provider", "provider"),
    ("model_id", "model_id"),
    ("amount_usd", "cost_usd"),
    ("currency", "'USD'"),
    ("allocation_basis", "allocation_basis"),
)
COLUMN_NAMES = [name for name, _ in CHARGEBACK_COLUMNS]
AMOUNT = COLUMN_NAMES.index("amount_usd")
CHARGEBACK_SQL = (
    "select "
    + ", ".join(f"{source} as {name}" for name, source in CHARGEBACK_COLUMNS)
    + f" from {SHOWBACK} where month = $month and cost_usd is not null"
    " order by cost_center, team, provider, model_id"
)
MONTHS_SQL = f"select distinct month from {SHOWBACK} order by 1"
UNPRICED_SQL = f"select count(*) as unpriced_rows from {SHOWBACK} where month = $month and cost_usd is null"


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """The statement as CSV: a header row, comma, ISO dates, amounts as exact decimal text, empty for NULL."""
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow(COLUMN_NAMES)
    for row in rows:
        writer.writerow([value.isoformat() if isinstance(value, date) else value for value in row])
    return handle.getvalue()


def parquet_copy_sql(target: Path) -> str:
    """DuckDB ``COPY`` of the statement (``$month`` bound by the caller) to ``target`` as Parquet, amounts
    DECIMAL(38,12). COPY takes no parameter for its file name: the path is quoted here, never user SQL."""
    quoted = str(target).replace("'", "''")
    return f"copy ({CHARGEBACK_SQL}) to '{quoted}' (format parquet)"
