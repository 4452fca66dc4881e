"""The Chargeback page on the seeded serving copy plus showback_seed.py's mart_showback_monthly.

February 2025 (the newest month, the default), in the statement's order (cost center, team, provider, model):
  (none)         research       anthropic  claude-sonnet-4    4.001
  (unallocated)  (unallocated)  anthropic  claude-sonnet-4    4.001
  CC-100         search         anthropic  claude-haiku-4-5   3.200
  CC-100         search         openai     gpt-4o            12.340
  CC-100         search         openai     gpt-4o-mini        0.015
  CC-200         support        anthropic  claude-sonnet-4   12.003
  total 4.001 + 4.001 + 3.2 + 12.34 + 0.015 + 12.003 = 35.56 in 6 lines; 2 unpriced rows are not booked.
January: search 14.125 (CC-100) + support 7.50 (CC-200) = 21.625.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from apptest_helpers import frame_with, metrics, open_page, run
from showback_seed import add_showback_rows

from orchestration.export import export_chargeback

PAGE = "app_pages/chargeback.py"
D = Decimal


@pytest.fixture
def showback_db(serving_db: Path) -> Path:
    return add_showback_rows(serving_db)


def test_chargeback_statement_matches_sql(showback_db: Path, downloads: dict[str, tuple[str, bytes]]) -> None:
    at = open_page(PAGE)
    assert metrics(at) == {"Total to book": "$35.56", "Lines": "6", "Cost centers": "4"}
    with duckdb.connect(str(showback_db), read_only=True) as conn:
        assert conn.execute(
            "select sum(cost_usd), count(cost_usd), count(*) - count(cost_usd) from marts.mart_showback_monthly "
            "where month = '2025-02-01'"
        ).fetchall() == [(D("35.56"), 6, 2)]
    assert "2 rows of the month are usage without a price" in at.warning[0].value

    centers = frame_with(at, "Lines")
    assert list(centers["Cost center"]) == ["(none)", "(unallocated)", "CC-100", "CC-200"]
    # CC-100: 3.20 + 12.34 + 0.015 = 15.555 → $15.56 half up
    assert list(centers["Amount"]) == ["$4.00", "$4.00", "$15.56", "$12.00"]
    assert list(centers["Lines"]) == [1, 1, 3, 1]

    lines = frame_with(at, "Allocation basis")
    assert list(lines["Model"]) == [
        "claude-sonnet-4",
        "claude-sonnet-4",
        "claude-haiku-4-5",
        "gpt-4o",
        "gpt-4o-mini",
        "claude-sonnet-4",
    ]
    assert lines.iloc[4]["Exact amount (USD)"] == "0.015000000000"
    assert set(lines["Period"]) == {"2025-02-01 to 2025-02-28"}

    at.selectbox(key="chargeback_month").set_value(date(2025, 1, 1))
    run(at)
    assert metrics(at) == {"Total to book": "$21.63", "Lines": "2", "Cost centers": "2"}  # 21.625 half up
    assert not at.warning


def test_chargeback_downloads_are_what_export_writes(
    showback_db: Path, downloads: dict[str, tuple[str, bytes]], tmp_path: Path
) -> None:
    at = open_page(PAGE)
    assert metrics(at)["Total to book"] == "$35.56"
    summary = export_chargeback(showback_db, date(2025, 2, 1), tmp_path / "chargeback.csv")
    assert (summary.total_usd, summary.lines, summary.unpriced_rows) == (D("35.56"), 6, 2)

    csv_name, csv_data = downloads["chargeback_download_csv"]
    assert csv_name == "chargeback-2025-02.csv"
    assert csv_data == (tmp_path / "chargeback.csv").read_bytes()  # the same text, byte for byte

    export_chargeback(showback_db, date(2025, 2, 1), tmp_path / "chargeback.parquet")
    parquet_name, parquet_data = downloads["chargeback_download_parquet"]
    assert parquet_name == "chargeback-2025-02.parquet"
    page_table = pq.read_table(io.BytesIO(parquet_data))
    assert page_table.equals(pq.read_table(tmp_path / "chargeback.parquet"))
    assert str(page_table.schema.field("amount_usd").type) == "decimal128(38, 12)"
    assert sum(page_table.column("amount_usd").to_pylist()) == D("35.56")


def test_chargeback_empty_state_without_showback_rows(serving_db: Path) -> None:
    at = open_page(PAGE)
    assert [i.value for i in at.info][0].startswith("No chargeback statement yet")
    assert not at.error


def test_chargeback_empty_state_on_older_serving_copy(serving_db: Path) -> None:
    with duckdb.connect(str(serving_db)) as conn:
        conn.execute("drop table marts.mart_showback_monthly")
    at = open_page(PAGE)
    assert [i.value for i in at.info][0].startswith("No chargeback statement yet")


def test_chargeback_no_serving_copy(finops_home: Path) -> None:
    at = open_page(PAGE)
    assert [i.value for i in at.info] == ["No published data yet. Run `finops demo` or `finops run` first."]


def test_chargeback_month_with_only_unpriced_usage(showback_db: Path) -> None:
    """February without its priced rows: nothing to book, said so, never a $0 statement."""
    with duckdb.connect(str(showback_db)) as conn:
        conn.execute("delete from marts.mart_showback_monthly where month = '2025-02-01' and cost_usd is not null")
    at = open_page(PAGE)
    assert at.info[0].value.startswith("Nothing to book for 2025-02: its 2 showback rows are all usage without a price")
    assert not at.metric
