"""AWS CUR 2.0 (Data Exports) reader: Bedrock lines kept, other services left out and counted, the same rows as
CSV, .csv.gz and Parquet landing alike, legacy CUR accepted, whole-file rejection. The fixture and where its shape
comes from: tests/fixtures/aws_cur/README.md."""

import csv
import gzip
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.aws_cur import SOURCE
from connectors.aws_cur.reader import read_cur
from connectors.aws_cur.tables import AWS_CUR_LINE_ITEMS
from connectors.files import FileDropError, left_out
from orchestration.loader import land_file

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "aws_cur" / "cur2_bedrock.csv"
MARKETPLACE_CODE = "a1b2c3d4e5f6g7h8i9j0k1l2m"
TIMESTAMPS = {"bill_billing_period_end_date", "bill_billing_period_start_date"} | {
    "line_item_usage_end_date",
    "line_item_usage_start_date",
}
NUMBERS = {
    "line_item_blended_cost",
    "line_item_net_unblended_cost",
    "line_item_unblended_cost",
    "line_item_usage_amount",
    "pricing_public_on_demand_cost",
}


def fixture_rows() -> list[dict]:
    with open(FIXTURE, newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or list(rows[0]), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    data = out.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_parquet(path: Path, rows: list[dict], tz: str | None) -> Path:
    """The fixture's rows as Data Exports writes Parquet: timestamps, doubles, MAP<string,string> columns."""
    arrays = {}
    for name in rows[0]:
        values = [row[name] or None for row in rows]
        if name in ("product", "resource_tags"):
            arrays[name] = pa.array(
                [None if v is None else list(json.loads(v).items()) for v in values],
                type=pa.map_(pa.string(), pa.string()),
            )
        elif name in TIMESTAMPS:
            parsed = [None if v is None else datetime.fromisoformat(v.replace("Z", "+00:00")) for v in values]
            arrays[name] = pa.array(parsed, type=pa.timestamp("ms", tz="UTC")).cast(pa.timestamp("ms", tz=tz))
        elif name in NUMBERS:
            arrays[name] = pa.array([None if v is None else float(v) for v in values], type=pa.float64())
        else:
            arrays[name] = pa.array(values, type=pa.string())
    pq.write_table(pa.table(arrays), path)
    return path


def test_the_source_declares_its_file_drop():
    assert SOURCE.name == "aws_cur" and not SOURCE.is_api and SOURCE.env_vars == ("FINOPS_AWS_CUR",)
    assert SOURCE.tables == (AWS_CUR_LINE_ITEMS,) and AWS_CUR_LINE_ITEMS.from_files
    assert AWS_CUR_LINE_ITEMS.partition_column == "line_item_usage_start_date"


def test_bedrock_lines_are_kept_typed_and_other_services_counted():
    table = read_cur(FIXTURE)
    rows = {row["identity_line_item_id"]: row for row in table.to_pylist()}
    # 12 lines: 3 Nova Pro usage, 2 Claude (Marketplace) usage + its Tax, Bedrock Credit, Tax, Refund; EC2 and S3 out
    assert sorted(rows) == [f"li-{n:04d}" for n in (1, 2, 3, 5, 6, 7, 10, 11, 12)]
    assert left_out(table) == {"rows": 3, "by_service": {"AmazonEC2": 1, "AmazonS3": 2}}

    nova_in = rows["li-0001"]
    assert nova_in["line_item_usage_type"] == "USE1-NovaPro-input-tokens" and nova_in["file_row_number"] == 1
    assert nova_in["line_item_usage_amount"] == Decimal("1250.5")
    assert nova_in["line_item_unblended_cost"] == Decimal("1.0004") and nova_in["line_item_currency_code"] == "USD"
    assert nova_in["line_item_usage_start_date"] == datetime(2025, 11, 3)
    assert nova_in["bill_billing_period_start_date"] == datetime(2025, 11, 1) and nova_in["bill_invoice_id"] is None
    assert json.loads(nova_in["resource_tags"]) == {"user_team": "search", "user_env": "prod"}
    assert json.loads(nova_in["product"])["model"] == "Nova Pro"
    assert nova_in["line_item_iam_principal"] == "arn:aws:iam::444455556666:user/alice"
    assert rows["li-0003"]["line_item_usage_type"].endswith("-cache-read-input-token-count")

    claude_in = rows["li-0005"]
    assert claude_in["line_item_product_code"] == MARKETPLACE_CODE
    assert claude_in["bill_billing_entity"] == "AWS Marketplace"
    assert claude_in["product_product_name"] == "Claude Sonnet 4.6 (Amazon Bedrock Edition)"
    assert claude_in["product_product_family"] is None  # kept by its product name, not its family
    assert rows["li-0007"]["line_item_line_item_type"] == "Tax"  # the listing's tax: kept by its product code
    assert rows["li-0007"]["product"] is None  # an empty map lands as NULL

    # by hand: 1.0004 + 0.256 + 0.08 + 7.5 + 3 + 0.7875 - 1.0004 + 0.1 - 0.256 = 11.4675
    assert sum(row["line_item_unblended_cost"] for row in rows.values()) == Decimal("11.4675")
    by_type = {rows[k]["line_item_line_item_type"] for k in ("li-0010", "li-0011", "li-0012")}
    assert by_type == {"Credit", "Tax", "Refund"}
    raw = json.loads(nova_in["_raw"])
    assert raw["line_item_unblended_rate"] == "0.0008" and raw["line_item_blended_cost"] == "1.0004"


@pytest.mark.parametrize("tz", [None, "UTC"])
def test_parquet_and_csv_gz_land_identically(tmp_path, tz):
    rows = fixture_rows()
    from_csv = read_cur(FIXTURE)
    from_gz = read_cur(write_csv(tmp_path / "cur2-00001.csv.gz", rows))
    from_parquet = read_cur(write_parquet(tmp_path / "cur2-00001.snappy.parquet", rows, tz))
    landed = list(AWS_CUR_LINE_ITEMS.column_names)  # _raw is the row as each file had it: text in CSV
    assert from_gz.select(landed).equals(from_csv.select(landed))
    assert from_parquet.select(landed).to_pylist() == from_csv.select(landed).to_pylist()
    assert left_out(from_parquet) == left_out(from_csv)
    raw = json.loads(from_parquet.to_pylist()[0]["_raw"])  # the row as the Parquet file had it
    assert raw["resource_tags"] == {"user_team": "search", "user_env": "prod"}
    assert raw["line_item_usage_amount"] == 1250.5


LEGACY_CSV = """\
identity/LineItemId,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,\
lineItem/UsageType,lineItem/UsageAmount,lineItem/CurrencyCode,lineItem/UnblendedCost,product/ProductName,\
product/region,pricing/unit,resourceTags/user:team
l1,111122223333,Usage,2024-06-01T00:00:00Z,c0de4marketplace0listing0,USW2-MP:USW2_InputTokenCount-Units,0.5,USD,\
0.125,Claude 3 Haiku (Amazon Bedrock Edition),us-west-2,Units,search
l2,111122223333,Usage,2024-06-01T00:00:00Z,AmazonEC2,USW2-BoxUsage:t3.micro,24,USD,0.2496,\
Amazon Elastic Compute Cloud,us-west-2,Hrs,
"""


def test_legacy_cur_csv_headers_are_read_as_cur2(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_text(LEGACY_CSV)
    table = read_cur(path)
    (row,) = table.to_pylist()
    assert row["line_item_usage_type"] == "USW2-MP:USW2_InputTokenCount-Units"
    assert row["line_item_unblended_cost"] == Decimal("0.125")
    assert row["line_item_usage_start_date"] == datetime(2024, 6, 1)
    assert row["product_product_name"] == "Claude 3 Haiku (Amazon Bedrock Edition)" and row["pricing_unit"] == "Units"
    assert json.loads(row["product"]) == {
        "product_name": "Claude 3 Haiku (Amazon Bedrock Edition)",
        "region": "us-west-2",
    }
    assert json.loads(row["resource_tags"]) == {"user_team": "search"}
    assert json.loads(row["_raw"])["lineItem/UsageType"] == "USW2-MP:USW2_InputTokenCount-Units"
    assert left_out(table) == {"rows": 1, "by_service": {"AmazonEC2": 1}}


def test_a_file_lands_exactly_on_its_usage_days():
    conn = duckdb.connect()
    table = read_cur(FIXTURE)
    assert land_file(conn, AWS_CUR_LINE_ITEMS, table, path=str(FIXTURE), digest="d1", run_id="r1") == 9
    by_day = conn.execute(
        "select _partition_date, sum(line_item_unblended_cost) from raw.aws_cur_line_items group by 1 order by 1"
    ).fetchall()
    # Nov 1: 0.7875 + -1.0004 + 0.1; Nov 3: 1.0004 + 0.256 + 0.08; Nov 4: 7.5 + 3; Nov 6: -0.256
    assert [(str(day), total) for day, total in by_day] == [
        ("2025-11-01", Decimal("-0.1129000000")),
        ("2025-11-03", Decimal("1.3364000000")),
        ("2025-11-04", Decimal("10.5000000000")),
        ("2025-11-06", Decimal("-0.2560000000")),
    ]
    (tags,) = conn.execute(
        "select resource_tags ->> '$.user_team' from raw.aws_cur_line_items where identity_line_item_id = 'li-0002'"
    ).fetchall()[0]
    assert tags == "search"


def _changed(tmp_path: Path, name: str = "bad.csv", **changes) -> Path:
    """The fixture with the values of data row 2 changed."""
    rows = fixture_rows()
    rows[1].update(changes)
    return write_csv(tmp_path / name, rows)


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"line_item_unblended_cost": "1,0004"}, r"data row 2 has line_item_unblended_cost = '1,0004', not a number"),
        (
            {"line_item_usage_start_date": "03/11/2025 noon"},
            r"data row 2 has line_item_usage_start_date = '03/11/2025 noon', not a time",
        ),
        ({"line_item_usage_start_date": ""}, r"data row 2 has no line_item_usage_start_date"),
        (
            {"resource_tags": "{user_team=search}"},
            r"data row 2 has resource_tags = '\{user_team=search\}', not a JSON object",
        ),
    ],
)
def test_a_bad_value_rejects_the_file_naming_the_column_and_row(tmp_path, changes, where):
    with pytest.raises(FileDropError, match=rf"bad\.csv: {where}; .*nothing of this file was loaded"):
        read_cur(_changed(tmp_path, **changes))


def test_a_csv_lacking_required_columns_names_them(tmp_path):
    rows = fixture_rows()
    header = [c for c in rows[0] if c not in ("line_item_currency_code", "line_item_unblended_cost")]
    path = write_csv(tmp_path / "narrow.csv.gz", rows, header)
    with pytest.raises(
        FileDropError,
        match=r"narrow\.csv\.gz: lacks the CUR columns line_item_unblended_cost, line_item_currency_code; add them",
    ):
        read_cur(path)


def test_a_file_that_is_not_a_cur_export_says_what_was_expected(tmp_path):
    other = tmp_path / "spend.csv"
    other.write_text("request_id,call_type,spend,startTime\nr1,acompletion,0.1,2025-06-01T00:00:00Z\n")
    with pytest.raises(FileDropError, match=r"spend\.csv: is not an AWS Cost and Usage Report: .*expected a CUR 2\.0"):
        read_cur(other)
    manifest = tmp_path / "cur2-Manifest.json"
    manifest.write_text("{}")
    with pytest.raises(FileDropError, match=r"is a Data Exports manifest, not cost data"):
        read_cur(manifest)
    lines = tmp_path / "cur.jsonl"
    lines.write_text("{}\n")
    with pytest.raises(FileDropError, match=r"cur\.jsonl: is not an AWS Cost and Usage Report file; .*\.csv\.gz"):
        read_cur(lines)


def test_truncated_gzip_and_parquet_are_rejected_whole(tmp_path):
    rows = fixture_rows() * 50
    gz = write_csv(tmp_path / "cut.csv.gz", rows)
    gz.write_bytes(gz.read_bytes()[: gz.stat().st_size // 2])
    with pytest.raises(FileDropError, match=r"cut\.csv\.gz: cannot be read as a gzip-compressed CSV .*copy it again"):
        read_cur(gz)
    parquet = write_parquet(tmp_path / "cut.parquet", fixture_rows(), None)
    parquet.write_bytes(parquet.read_bytes()[: parquet.stat().st_size // 2])
    with pytest.raises(FileDropError, match=r"cut\.parquet: cannot be read as a parquet file .*truncated or damaged"):
        read_cur(parquet)


def test_a_bedrock_line_in_another_currency_rejects_the_file(tmp_path):
    """CUR has no exchange rate: a EUR line could only be summed as dollars, so the file is refused whole."""
    with pytest.raises(
        FileDropError,
        match=r"bad\.csv: 1 Amazon Bedrock line is in EUR \(first at data row 2\), and a CUR carries no exchange rate"
        r".*nothing of this file was loaded",
    ):
        read_cur(_changed(tmp_path, line_item_currency_code="eur"))


def test_a_left_out_line_in_another_currency_is_no_concern(tmp_path):
    rows = fixture_rows()
    ec2 = next(row for row in rows if row["line_item_product_code"] == "AmazonEC2")
    ec2["line_item_currency_code"] = "EUR"
    table = read_cur(write_csv(tmp_path / "ec2_in_eur.csv", rows))
    assert set(table.column("line_item_currency_code").to_pylist()) == {"USD"}
