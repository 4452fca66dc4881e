"""Google Cloud Billing exports: the reader on rows shaped as Google documents the usage cost export (field names,
types and example values from https://docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/
detailed-usage and .../standard-usage; the billing account, project numbers and SKU ids are invented), the same rows
as NDJSON, Parquet and CSV, the AI-services filter and its count, landing, and whole-file rejection.

tests/fixtures/gcp_billing/export.jsonl holds six export rows as ``bq extract --destination_format
NEWLINE_DELIMITED_JSON`` writes them (TIMESTAMP as "2025-06-10 07:00:00 UTC", the rendering reported in
googleapis/google-cloud-php#3422 and bxparks/bigquery-schema-generator#19; NUMERIC price fields as strings, FLOAT as
numbers: both are accepted): two Vertex AI Gemini lines, one Gemini API line billed in EUR, a Compute Engine and a
Cloud Storage line (left out), and a Vertex AI usage correction (cost_type adjustment, with adjustment_info).
export.csv holds the same rows as a query would write them: records flattened with dots, lists as TO_JSON_STRING.
"""

import gzip
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.files import FileDropError, left_out
from connectors.gcp_billing import SOURCE
from connectors.gcp_billing.reader import claims, read_export
from connectors.gcp_billing.tables import GCP_BILLING_EXPORT
from orchestration.loader import land_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORT = FIXTURES / "gcp_billing" / "export.jsonl"
EXPORT_CSV = FIXTURES / "gcp_billing" / "export.csv"
JSON_COLUMNS = [name for name, sql_type in GCP_BILLING_EXPORT.columns if sql_type == "JSON"]

# The export's schema as BigQuery writes it to Parquet (bq extract --destination_format PARQUET): RECORD -> struct,
# REPEATED RECORD -> list of structs, FLOAT -> double, NUMERIC -> DECIMAL(38, 9), TIMESTAMP -> microseconds
# ("Parquet export details", https://docs.cloud.google.com/bigquery/docs/exporting-data).
KEY_VALUE = pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))
NUMERIC = pa.decimal128(38, 9)
BQ_SCHEMA = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("usage_start_time", pa.timestamp("us")),
        ("usage_end_time", pa.timestamp("us")),
        (
            "project",
            pa.struct(
                [
                    ("id", pa.string()),
                    ("number", pa.string()),
                    ("name", pa.string()),
                    ("labels", KEY_VALUE),
                    ("ancestry_numbers", pa.string()),
                    ("ancestors", pa.list_(pa.struct([("resource_name", pa.string()), ("display_name", pa.string())]))),
                ]
            ),
        ),
        ("labels", KEY_VALUE),
        ("system_labels", KEY_VALUE),
        (
            "location",
            pa.struct(
                [("location", pa.string()), ("country", pa.string()), ("region", pa.string()), ("zone", pa.string())]
            ),
        ),
        (
            "tags",
            pa.list_(
                pa.struct(
                    [
                        ("key", pa.string()),
                        ("value", pa.string()),
                        ("inherited", pa.bool_()),
                        ("namespace", pa.string()),
                    ]
                )
            ),
        ),
        ("export_time", pa.timestamp("us")),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("currency_conversion_rate", pa.float64()),
        (
            "usage",
            pa.struct(
                [
                    ("amount", pa.float64()),
                    ("unit", pa.string()),
                    ("amount_in_pricing_units", pa.float64()),
                    ("pricing_unit", pa.string()),
                ]
            ),
        ),
        (
            "credits",
            pa.list_(
                pa.struct(
                    [
                        ("name", pa.string()),
                        ("amount", pa.float64()),
                        ("full_name", pa.string()),
                        ("id", pa.string()),
                        ("type", pa.string()),
                    ]
                )
            ),
        ),
        ("invoice", pa.struct([("month", pa.string()), ("publisher_type", pa.string())])),
        ("cost_type", pa.string()),
        (
            "adjustment_info",
            pa.struct(
                [("id", pa.string()), ("description", pa.string()), ("mode", pa.string()), ("type", pa.string())]
            ),
        ),
        ("cost_at_list", pa.float64()),
        ("transaction_type", pa.string()),
        ("seller_name", pa.string()),
        (
            "price",
            pa.struct(
                [
                    ("effective_price", NUMERIC),
                    ("tier_start_amount", NUMERIC),
                    ("unit", pa.string()),
                    ("pricing_unit_quantity", NUMERIC),
                ]
            ),
        ),
        ("resource", pa.struct([("name", pa.string()), ("global_name", pa.string())])),
    ]
)


def export_rows() -> list[dict]:
    return [json.loads(line) for line in EXPORT.read_text().splitlines()]


def write_parquet(rows: list[dict], path: Path) -> Path:
    """The rows as BigQuery's Parquet export holds them: typed values in nested structs and lists."""

    def typed(row: dict) -> dict:
        row = dict(row)
        for name in ("usage_start_time", "usage_end_time", "export_time"):
            row[name] = datetime.strptime(
                row[name], "%Y-%m-%d %H:%M:%S.%f UTC" if "." in row[name] else "%Y-%m-%d %H:%M:%S UTC"
            )
        if row.get("price"):
            row["price"] = {k: Decimal(v) if k != "unit" else v for k, v in row["price"].items()}
        return row

    pq.write_table(pa.Table.from_pylist([typed(r) for r in rows], schema=BQ_SCHEMA), path)
    return path


def landed(table: pa.Table) -> list[dict]:
    """The rows without _raw (which is each file's own text), JSON columns parsed."""
    rows = table.drop_columns(["_raw"]).to_pylist()
    for row in rows:
        for name in JSON_COLUMNS:
            row[name] = None if row[name] is None else json.loads(row[name])
    return rows


def line(**changes) -> str:
    """A minimal Vertex AI export row as one NDJSON line, with ``changes`` applied (None removes a field)."""
    row = {
        "billing_account_id": "012345-6789AB-CDEF01",
        "service": {"id": "C7E2-9256-1C43", "description": "Vertex AI"},
        "sku": {"id": "A1B2-C3D4-E5F6", "description": "Gemini 2.5 Flash GA Text Input - Predictions"},
        "usage_start_time": "2025-06-10 07:00:00 UTC",
        "cost": 1.5,
        "currency": "USD",
        "currency_conversion_rate": 1.0,
        "credits": [],
    }
    row.update(changes)
    return json.dumps({k: v for k, v in row.items() if v is not None}) + "\n"


def test_the_ndjson_export_lands_the_ai_lines_typed():
    first, second, gemini, correction = landed(read_export(EXPORT))
    assert (first["service_description"], first["sku_description"]) == (
        "Vertex AI",
        "Gemini 2.5 Flash GA Text Input - Predictions",
    )
    assert first["usage_start_time"] == datetime(2025, 6, 10, 7) and first["usage_end_time"] == datetime(2025, 6, 10, 8)
    assert first["export_time"] == datetime(2025, 6, 10, 11, 23, 45, 678000)  # "... 11:23:45.678 UTC"
    assert (first["project_id"], first["project_number"], first["invoice_month"]) == (
        "my-project-123",
        "123456789012",
        "202506",
    )
    assert (first["location_location"], first["location_region"]) == ("us-central1", "us-central1")
    assert first["cost"] == Decimal("1.5") and first["currency_conversion_rate"] == Decimal("1")
    assert (first["usage_amount"], first["usage_unit"], first["usage_pricing_unit"]) == (5_000_000.0, "count", "count")
    # labels (a list of {key, value} in the export) land as one object: the line's tags
    assert first["labels"] == {"team": "search", "env": "prod"} and first["project_labels"] == {"cost-center": "ml"}
    assert first["system_labels"] == {} and first["adjustment_info"] is None
    # the credits list is kept whole, and summed
    assert first["credits"] == [
        {
            "name": "Free trial credit",
            "amount": -0.25,
            "full_name": "Free trial credit",
            "id": "12-b34-c56-d78",
            "type": "PROMOTION",
        }
    ]
    assert first["credits_amount"] == Decimal("-0.25")
    # detailed export fields; NUMERIC price fields given as strings
    assert first["resource_global_name"].endswith("/publishers/google/models/gemini-2.5-flash")
    assert (first["price_effective_price"], first["price_unit"], first["price_pricing_unit_quantity"]) == (
        Decimal("0.3"),
        "count",
        Decimal("1000000"),
    )
    # -0.1 + -0.2 is -0.30000000000000004 in floats; the sum is exact
    assert [c["type"] for c in second["credits"]] == ["PROMOTION", "DISCOUNT"]
    assert second["credits_amount"] == Decimal("-0.3") and second["usage_start_time"] == datetime(2025, 6, 10, 23)
    # the Gemini API line in EUR: the cost and the rate land as the file has them, not converted
    assert (gemini["service_id"], gemini["service_description"]) == ("AEFD-7695-64FA", "Gemini API")
    assert (gemini["cost"], gemini["currency"], gemini["currency_conversion_rate"]) == (
        Decimal("0.828"),
        "EUR",
        Decimal("0.92"),
    )
    assert gemini["credits"] == [] and gemini["credits_amount"] == Decimal(0) and gemini["labels"] == {}
    assert gemini["location_location"] == "global" and gemini["location_region"] is None
    assert gemini["price_effective_price"] is None and gemini["resource_name"] is None
    assert (correction["cost_type"], correction["cost"], correction["transaction_type"]) == (
        "adjustment",
        Decimal("-0.5"),
        None,
    )
    assert correction["adjustment_info"] == {
        "id": "adj-2025-06-0001",
        "description": "Correction of reported usage",
        "mode": "PARTIAL_CORRECTION",
        "type": "USAGE_CORRECTION",
    }
    raw = json.loads(read_export(EXPORT).column("_raw")[0].as_py())
    assert (
        raw["invoice"]["publisher_type"] == "GOOGLE" and raw["project"]["ancestors"][1]["display_name"] == "example.com"
    )


def test_other_services_are_left_out_and_counted():
    table = read_export(EXPORT)
    assert set(table.column("service_description").to_pylist()) == {"Vertex AI", "Gemini API"}
    assert left_out(table) == {"rows": 2, "by_service": {"Cloud Storage": 1, "Compute Engine": 1}}
    assert json.loads(table.schema.metadata[b"finops.left_out"])["rows"] == 2


def test_the_same_rows_as_parquet_and_csv_land_identically(tmp_path):
    expected = landed(read_export(EXPORT))
    parquet = write_parquet(export_rows(), tmp_path / "export.parquet")
    assert pq.read_schema(parquet).field("credits").type == BQ_SCHEMA.field("credits").type  # nested, as BigQuery's
    assert landed(read_export(parquet)) == expected
    assert landed(read_export(EXPORT_CSV)) == expected
    # a CSV whose flattened columns use underscores (service_description, project_labels, ...) reads the same
    lines = EXPORT_CSV.read_text().splitlines(keepends=True)
    underscored = tmp_path / "underscored.csv"
    underscored.write_text(lines[0].replace(".", "_") + "".join(lines[1:]))
    assert landed(read_export(underscored)) == expected
    for table in (read_export(parquet), read_export(EXPORT_CSV)):
        assert left_out(table) == {"rows": 2, "by_service": {"Cloud Storage": 1, "Compute Engine": 1}}
    assert json.loads(read_export(EXPORT_CSV).column("_raw")[0].as_py())["service.description"] == "Vertex AI"


def test_the_file_lands_in_the_raw_table_and_nets_and_converts_by_hand(tmp_path):
    table = read_export(EXPORT)
    with duckdb.connect() as conn:
        rows = land_file(conn, GCP_BILLING_EXPORT, table, path=str(EXPORT), digest="d1", run_id="run-1")
        assert rows == 4
        days = conn.execute(
            "select _partition_date, count(*) from raw.gcp_billing_export group by 1 order by 1"
        ).fetchall()
        assert days == [(date(2025, 6, 10), 3), (date(2025, 6, 11), 1)]
        # what dbt will do: net = cost + credits_amount, in USD = net / currency_conversion_rate
        # (1.5 - 0.25) + (2.5 - 0.3) + 0.828 / 0.92 + (-0.5) = 1.25 + 2.2 + 0.9 - 0.5 (DuckDB divides decimals as
        # doubles: dbt should cast the quotient back to DECIMAL)
        (net, usd) = conn.execute(
            "select sum(cost + credits_amount), sum((cost + credits_amount) / currency_conversion_rate) "
            "from raw.gcp_billing_export"
        ).fetchall()[0]
        assert net == Decimal("3.778") and usd == pytest.approx(3.85, abs=1e-12)
        tags = conn.execute(
            "select labels ->> 'team', json_array_length(credits), json_type(adjustment_info) "
            "from raw.gcp_billing_export order by usage_start_time, cost"
        ).fetchall()
        assert tags == [(None, 0, "OBJECT"), ("search", 1, None), ("search", 2, None), (None, 0, None)]


def test_bq_extract_files_named_json_ndjson_and_gzipped(tmp_path):
    text = EXPORT.read_text()
    as_json = tmp_path / "billing-000000000000.json"  # bq extract's usual name for an NDJSON shard
    as_json.write_text(text)
    gzipped = tmp_path / "billing.ndjson.gz"
    gzipped.write_bytes(gzip.compress(text.encode()))
    array = tmp_path / "rows.json"
    array.write_text(json.dumps(export_rows(), indent=2))
    expected = landed(read_export(EXPORT))
    for path in (as_json, gzipped, array):
        assert landed(read_export(path)) == expected, path.name
        assert claims(path), path.name


def test_a_left_out_line_needs_no_conversion_rate(tmp_path):
    path = tmp_path / "export.jsonl"
    compute = {"id": "6F81-5844-456A", "description": "Compute Engine"}
    path.write_text(line() + line(service=compute, currency="JPY", currency_conversion_rate=None))
    table = read_export(path)
    assert table.num_rows == 1 and left_out(table) == {"rows": 1, "by_service": {"Compute Engine": 1}}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (line() + '{"billing_account_id": "012345-6789AB-CDEF01", "cost": \n', r"line 2 is not JSON"),
        (line(cost="abc"), r'line 1 has cost = "abc", which is not a number'),
        (
            line() + line(usage_start_time="yesterday"),
            r'line 2 has usage_start_time = "yesterday", which is not a time',
        ),
        (
            line(currency="JPY", currency_conversion_rate=None),
            r"line 1 is in JPY but has no currency_conversion_rate, so its cost cannot be converted to US dollars",
        ),
        (
            line(credits=[{"name": "x", "amount": "lots"}]),
            r"line 1 has a credit whose amount is missing or not a number",
        ),
        (
            line(labels=[{"key": "team", "value": "a"}, {"key": "team", "value": "b"}]),
            r"line 1 has labels that name one",
        ),
        (line() + line(cost=None), r"line 2 has no cost"),
    ],
)
def test_a_bad_line_rejects_the_file_naming_it(tmp_path, text, where):
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(FileDropError, match=rf"bad\.jsonl: {where}.*nothing of this file was loaded"):
        read_export(path)


def test_a_bad_csv_value_names_the_row_and_column(tmp_path):
    lines = EXPORT_CSV.read_text().splitlines(keepends=True)
    path = tmp_path / "bad.csv"
    path.write_text(lines[0] + lines[1] + lines[2].replace(",2.5,2.5,USD,", ",2.5,2.5 USD,USD,"))
    with pytest.raises(
        FileDropError, match=r'bad\.csv: data row 2 has cost_at_list = "2\.5 USD", which is not a number'
    ):
        read_export(path)


def test_a_csv_lacking_required_columns_is_rejected_naming_them(tmp_path):
    path = tmp_path / "query.csv"
    path.write_text(
        "billing_account_id,service.description,sku.description,usage_start_time,cost\n"
        "012345-6789AB-CDEF01,Vertex AI,Gemini 2.5 Flash GA Text Input - Predictions,2025-06-10 07:00:00 UTC,1.5\n"
    )
    with pytest.raises(FileDropError, match=r"query\.csv: lacks the columns currency, credits of a Cloud Billing"):
        read_export(path)


def test_a_file_that_is_not_a_billing_export_is_rejected(tmp_path):
    helicone = FIXTURES / "helicone" / "requests.csv"
    with pytest.raises(FileDropError, match=r"requests\.csv: is not a Google Cloud Billing export .*expected"):
        read_export(helicone)
    assert not claims(helicone) and not claims(FIXTURES / "helicone" / "requests.jsonl")


def test_a_truncated_parquet_is_rejected(tmp_path):
    whole = write_parquet(export_rows(), tmp_path / "whole.parquet").read_bytes()
    path = tmp_path / "cut.parquet"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(FileDropError, match=r"cut\.parquet: is not a readable Parquet file .*copy it again whole"):
        read_export(path)
    assert not claims(path) and claims(tmp_path / "whole.parquet")


def test_the_source_declares_its_file_drop():
    assert SOURCE.setting.paths_env == "FINOPS_GCP_BILLING_EXPORT" and not SOURCE.is_api
    assert SOURCE.tables == (GCP_BILLING_EXPORT,) and GCP_BILLING_EXPORT.name == "gcp_billing_export"
    assert GCP_BILLING_EXPORT.partition_column == "usage_start_time" and GCP_BILLING_EXPORT.from_files
    assert claims(EXPORT) and claims(EXPORT_CSV)
