"""`finops export focus` through orchestration.cli main(), on a small serving copy in a temporary FINOPS_HOME whose
focus_cost_and_usage (a few of its columns) and fct_usage_cost_daily are written here. The mart itself is checked
by hand in its dbt unit test and end to end in tests/e2e/test_focus_export.py.

June 2025: a usage row ($8.00 billed, 2,000,000 tokens), a credit (-$5.00) and an adjustment ($3.00): 3 rows,
BilledCost 8.00 - 5.00 + 3.00 = 6.00; one unpriced usage row of June is counted, July's is not.
"""

import csv
from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from orchestration import cli

D = Decimal
MART = [
    # usage_date, line_key, ChargeCategory, ChargePeriodStart, BilledCost, ConsumedQuantity, x_ApiKeyId
    ("2025-06-10", "usage|openai|proj_a|key_1|gpt-4o|standard|all||input_tokens", "Usage", "2025-06-10 00:00:00",
     "8.000000000000", 2_000_000, "key_1"),
    ("2025-06-10", "billed|openai|proj_a|Credit", "Credit", "2025-06-10 00:00:00", "-5.000000000000", None, None),
    ("2025-06-11", "adjustment|openai|proj_a", "Adjustment", "2025-06-11 00:00:00", "3.000000000000", None, None),
    ("2025-07-01", "adjustment|openai|proj_a", "Adjustment", "2025-07-01 00:00:00", "1.000000000000", None, None),
]  # fmt: skip


@pytest.fixture
def serving(tmp_path):
    home = tmp_path / "finops_home"
    home.mkdir()
    path = home / "serving.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute(
            'create table marts.focus_cost_and_usage (usage_date date, line_key varchar, "ChargeCategory" varchar, '
            '"ChargePeriodStart" timestamp, "BilledCost" decimal(38,12), "ConsumedQuantity" decimal(38,0), '
            '"x_ApiKeyId" varchar)'
        )
        conn.executemany("insert into marts.focus_cost_and_usage values (?, ?, ?, ?, ?, ?, ?)", MART)
        conn.execute("create table marts.fct_usage_cost_daily (usage_date date, is_priced boolean)")
        conn.execute(
            "insert into marts.fct_usage_cost_daily values "
            "('2025-06-10', true), ('2025-06-10', false), ('2025-07-01', false)"
        )
    return path


def finops(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["export", "focus", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_has_the_focus_columns_utc_instants_and_exact_amounts(serving, tmp_path, capsys):
    out_file = tmp_path / "focus-2025-06.csv"
    code, out, err = finops(capsys, "--month", "2025-06", "--out", str(out_file))
    assert (code, err) == (0, "")
    with out_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["ChargeCategory", "ChargePeriodStart", "BilledCost", "ConsumedQuantity", "x_ApiKeyId"],  # no usage_date, line_key
        ["Credit", "2025-06-10T00:00:00Z", "-5.000000000000", "", ""],  # by day, then line key
        ["Usage", "2025-06-10T00:00:00Z", "8.000000000000", "2000000", "key_1"],
        ["Adjustment", "2025-06-11T00:00:00Z", "3.000000000000", "", ""],
    ]  # fmt: skip
    assert f"focus 2025-06: 3 rows written to {out_file}; BilledCost total 6.000000000000 USD" in out
    assert "note: 1 usage row(s) of the month have no price" in out  # June's; July's is not counted


def test_parquet_keeps_decimals_and_utc(serving, tmp_path, capsys):
    out_file = tmp_path / "focus.parquet"
    code, out, _ = finops(capsys, "--month", "2025-07", "--out", str(out_file))
    assert code == 0 and "1 row written" in out and "BilledCost total 1.000000000000 USD" in out
    with duckdb.connect() as conn:
        conn.execute("set TimeZone = 'UTC'")
        rows = conn.execute(f"select ChargePeriodStart, BilledCost from read_parquet('{out_file}')").fetchall()
        types = dict(
            (name, sql_type)
            for name, sql_type, *_ in conn.execute(f"describe select * from read_parquet('{out_file}')").fetchall()
        )
    assert [(start.replace(tzinfo=None), billed) for start, billed in rows] == [(datetime(2025, 7, 1), D(1))]
    assert rows[0][0].utcoffset().total_seconds() == 0
    assert (types["ChargePeriodStart"], types["BilledCost"]) == ("TIMESTAMP WITH TIME ZONE", "DECIMAL(38,12)")


@pytest.mark.parametrize(
    ("month", "out_name", "fragment"),
    [
        ("June", "x.csv", "--month must be a month like 2026-03 (got 'June')."),
        ("2025-06", "x.json", "--out must end in .csv or .parquet"),
        ("2025-08", "x.csv", "no published FOCUS rows for 2025-08 (months published: 2025-06, 2025-07)"),
        ("2025-06", "missing/x.csv", "cannot write"),
    ],
)
def test_refusals_are_one_sentence_exit_1_and_write_nothing(serving, tmp_path, capsys, month, out_name, fragment):
    out_file = tmp_path / out_name
    code, out, err = finops(capsys, "--month", month, "--out", str(out_file))
    assert (code, out) == (1, "")
    assert err.startswith("finops: ") and fragment in err and err.count("\n") == 1, err
    assert not out_file.exists() and not list(tmp_path.rglob(".*.tmp"))


def test_a_serving_copy_without_the_mart_says_to_run(tmp_path, capsys):
    home = tmp_path / "finops_home"
    home.mkdir()
    duckdb.connect(str(home / "serving.duckdb")).close()
    code, _, err = finops(capsys, "--month", "2025-06", "--out", str(tmp_path / "x.csv"))
    assert code == 1 and "has no marts.focus_cost_and_usage yet; run finops run" in err
    assert not (tmp_path / "x.csv").exists()
