"""`finops export chargeback` through orchestration.cli main(), on a small serving copy in a temporary FINOPS_HOME
whose mart_showback_monthly is written here (the mart itself is checked by hand in tests/dbt/test_showback_dbt.py).

March 2026 as published: search $14.30 (CC-1), platform $6.70 (CC-2), support $1.00 (no cost center: '(none)'),
the unallocated $1.50 and an unpriced model (cost NULL, not booked). Total 14.30 + 6.70 + 1.00 + 1.50 = 23.50 in
4 lines. April has one line (search $0.30).
"""

import csv
import os
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from orchestration import cli

D = Decimal
OPUS = "claude-opus-4-6"
MART = [
    # month, team, cost_center, provider, model_id, allocation_basis, cost_usd
    ("2026-03-01", "search", "CC-1", "anthropic", OPUS, "direct+proportional", "14.300000000000"),
    ("2026-03-01", "platform", "CC-2", "anthropic", OPUS, "direct+fixed_share", "6.700000000000"),
    ("2026-03-01", "support", "(none)", "anthropic", OPUS, "direct", "1.000000000000"),
    ("2026-03-01", "(unallocated)", "(unallocated)", "anthropic", OPUS, "unallocated", "1.500000000000"),
    ("2026-03-01", "(unallocated)", "(unallocated)", "anthropic", "mystery-model-9000", "unallocated", None),
    ("2026-04-01", "search", "CC-1", "anthropic", OPUS, "direct", "0.300000000000"),
]


@pytest.fixture
def serving(tmp_path):
    home = tmp_path / "finops_home"
    home.mkdir()
    path = home / "serving.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.mart_showback_monthly (month date, team varchar, cost_center varchar, "
            "provider varchar, model_id varchar, allocation_basis varchar, cost_usd decimal(38,12))"
        )
        conn.executemany("insert into marts.mart_showback_monthly values (?, ?, ?, ?, ?, ?, ?)", MART)
    return path


def finops(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["export", "chargeback", *args])
    out, err = capsys.readouterr()
    return code, out, err


def mart_total(path, month: str) -> Decimal:
    with duckdb.connect(str(path), read_only=True) as conn:
        [(total,)] = conn.execute(
            "select sum(cost_usd) from marts.mart_showback_monthly where month = ?", [month]
        ).fetchall()
    return total


def test_csv_lines_are_bookable_and_total_the_mart(serving, tmp_path, capsys):
    out_file = tmp_path / "chargeback-2026-03.csv"
    code, out, err = finops(capsys, "--month", "2026-03", "--out", str(out_file))
    assert (code, err) == (0, "")
    with out_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["period_start", "period_end", "cost_center", "team", "provider", "model_id", "amount_usd", "currency",
         "allocation_basis"],
        ["2026-03-01", "2026-03-31", "(none)", "support", "anthropic", OPUS, "1.000000000000", "USD", "direct"],
        ["2026-03-01", "2026-03-31", "(unallocated)", "(unallocated)", "anthropic", OPUS, "1.500000000000", "USD",
         "unallocated"],
        ["2026-03-01", "2026-03-31", "CC-1", "search", "anthropic", OPUS, "14.300000000000", "USD",
         "direct+proportional"],
        ["2026-03-01", "2026-03-31", "CC-2", "platform", "anthropic", OPUS, "6.700000000000", "USD",
         "direct+fixed_share"],
    ]  # fmt: skip
    total = sum(D(row[6]) for row in rows[1:])
    assert total == mart_total(serving, "2026-03-01") == D("23.50")  # 14.30 + 6.70 + 1.00 + 1.50
    assert f"4 lines written to {out_file}; total 23.500000000000 USD" in out
    assert "1 row(s) of the month are usage without a price" in out  # mystery-model-9000: nothing to book


def test_parquet_keeps_the_amount_decimal(serving, tmp_path, capsys):
    out_file = tmp_path / "chargeback.parquet"
    code, out, _ = finops(capsys, "--month", "2026-04", "--out", str(out_file))
    assert code == 0 and "1 line written" in out and "total 0.300000000000 USD" in out
    with duckdb.connect() as conn:
        rows = conn.execute(f"select * from read_parquet('{out_file}')").fetchall()
        described = conn.execute(f"describe select * from read_parquet('{out_file}')").fetchall()
    types = {name: sql_type for name, sql_type, *_ in described if name in ("period_start", "amount_usd")}
    assert rows == [
        (
            date(2026, 4, 1),
            date(2026, 4, 30),
            "CC-1",
            "search",
            "anthropic",
            OPUS,
            D("0.300000000000"),
            "USD",
            "direct",
        )
    ]
    assert types == {"period_start": "DATE", "amount_usd": "DECIMAL(38,12)"}
    assert rows[0][6] == mart_total(serving, "2026-04-01")


@pytest.mark.parametrize(
    ("month", "out_name", "fragment"),
    [
        ("2026-13", "x.csv", "--month must be a month like 2026-03 (got '2026-13')."),
        ("2026-03", "x.xlsx", "--out must end in .csv or .parquet"),
        ("2026-05", "x.csv", "no published showback for 2026-05 (months published: 2026-03, 2026-04)"),
        ("2026-03", "no_such_folder/x.csv", "cannot write"),
    ],
)
def test_refusals_are_one_sentence_exit_1_and_write_nothing(serving, tmp_path, capsys, month, out_name, fragment):
    out_file = tmp_path / out_name
    code, out, err = finops(capsys, "--month", month, "--out", str(out_file))
    assert (code, out) == (1, "")
    assert err.startswith("finops: ") and fragment in err and err.count("\n") == 1, err
    assert not out_file.exists() and not list(tmp_path.glob(".*.tmp"))


def test_without_a_serving_copy_it_says_to_run_first(tmp_path, capsys):
    code, _, err = finops(capsys, "--month", "2026-03", "--out", str(tmp_path / "x.csv"))
    assert code == 1 and "nothing is published yet" in err and "run finops run" in err
    assert os.listdir(tmp_path) == []
