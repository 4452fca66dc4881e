"""Cloud billing exports written by the clouds themselves (tests/fixtures/real/{azure_cost,aws_cur}/, provenance in
tests/fixtures/real/README.md), through our readers, every expected value worked out by hand from the files.

None of the real exports found has an AI line (no Azure OpenAI meter, no Bedrock line; no Google Cloud Billing export
row written by BigQuery was found at all, see the README). So each file is read twice: as it is (nothing lands, every
line is counted as another service), and with the reader's AI-line rule swapped for one naming a service the file
has (monkeypatched; the file is untouched), so that the reader's parsing of dates, amounts, tags and columns runs on
lines the cloud wrote. dbt staging is not run: these lines are not AI spend, so staging would only map them to
nothing.

Azure, EA_ActualCost_Small.csv (Microsoft's "Trey Research Demo" EA billing account, actual cost, 11 lines):
    header says Cost (not CostInBillingCurrency) and BillingCurrency; dates MM/DD/YYYY; Tags without outer braces
    left out by MeterCategory: Advanced Data Security 1, Advanced Threat Protection 1, Azure Database for MySQL 1,
      SQL Managed Instance 3, Storage 3, Virtual Machines 2 (= 11)
    every line read: 09/21/2023 one line 3.25 (a reservation Purchase); 09/05/2023 one line 0.21268368;
      09/04/2023 nine lines 0.00004 + 0.000011139 + 2.64 + 0 + 0 + 0.000002 + 0 + 1.9584 + 0.4838709677419368,
      which at DECIMAL(38,10) is 5.0823241067 (the last line rounds to 0.4838709677); file total 8.5450077867
    data row 2's Tags '"CostCenter": "1234","env": "prod","org": "trey","application": "databricks",
      "databricks-environment": "true"' -> a JSON object of 5 keys; row 1 has none; row 8 has "org": "" (kept, empty)
Azure, EA_AmortizedCost_Small.csv (same account, amortized cost, 28 lines):
    left out: Advanced Data Security 2, Advanced Threat Protection 1, Azure Database for MySQL 1, Bandwidth 4,
      Load Balancer 1, Log Analytics 2, SQL Database 1, SQL Managed Instance 4, Storage 7, Virtual Machines 3,
      Virtual Network 2 (= 28)
    every line read, Cost per day to the cent: 09/03 0.66, 09/04 11.75, 09/05 0.21, 09/09 2.49, 09/10 0.67,
      09/16 0.01, 09/17 0.02, 09/20 0.00, 09/22 0.49 (total 16.30); data row 12 writes Quantity '8.00E-8' and Cost
      '0.0000000072922557592391990000' -> 0.00000008 and 0.0000000073
AWS, Dec2018-WorkshopCUR-00001 (legacy CUR, Athena-style Parquet, of AWS's Well-Architected Labs workshop account;
    the 136 lines of its eight smallest services):
    left out: AWSBudgets 18, AWSConfig 8, AWSQueueService 25, AmazonAthena 5, AmazonCloudWatch 2, AmazonGlacier 15,
      AmazonRDS 31, awskms 32 (= 136)
    AmazonAthena read as the AI service: data rows 111, 112, 120, 122, 123, usage type USE1-DataScannedInTB,
      pricing unit Terabytes; per day 2018-12-21 0.0001 + 0.00035 = 0.00045, 12-23 0.0005, 12-24 0.00195 + 0.00005 =
      0.002 (total 0.00295, the month's Athena bill); its resource_tags_* columns hold '' (no tag): no tags
    AmazonRDS: 31 daily lines of 0.0072423135 = 0.2245117185 exactly (a float sum says 0.22451171849999985)
AWS, sample-anonymous-aws-export-dataset.first24.csv (legacy CUR CSV, lineItem/... headers, first 24 lines):
    left out: 12 Tax lines (one per product code) + AWSCloudShell 1 + AmazonS3 11 usage lines: by product code
      AmazonS3 12, the 12 other codes 1 each (= 24)
    AmazonS3 read as the AI service: 12 lines; Tax 2023-11-01 0.07 ('Canada Tax', legal entity 'Amazon Web Services
      Canada, Inc.'); Usage per day 11-04 1.81E-8 + 1.3E-9 + 8.4E-9 + 1.8E-9 = 2.96E-8, 11-05 1.8E-9, 11-07 0.0,
      11-08 1.3E-9, 11-10 1.8E-9, 11-11 4.65E-8 + 1.46E-8 = 6.11E-8, 11-13 1.3E-9 (all exact at DECIMAL(38,10))
"""

import json
from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

import connectors.aws_cur.reader as aws_reader
import connectors.azure_cost.reader as azure_reader
from connectors.aws_cur.tables import AWS_CUR_LINE_ITEMS
from connectors.azure_cost.tables import AZURE_COST_DETAILS
from connectors.files import left_out

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
EA_ACTUAL = REAL / "azure_cost" / "EA_ActualCost_Small.csv"
EA_AMORTIZED = REAL / "azure_cost" / "EA_AmortizedCost_Small.csv"
WORKSHOP_CUR = REAL / "aws_cur" / "Dec2018-WorkshopCUR-00001.small-products.snappy.parquet"
ANONYMOUS_CUR = REAL / "aws_cur" / "sample-anonymous-aws-export-dataset.first24.csv"
CENT = Decimal("0.01")


def _per_day(rows: list[dict], day: str, amount: str) -> dict:
    totals: dict = defaultdict(Decimal)
    for row in rows:
        totals[row[day].date()] += row[amount]
    return dict(totals)


@pytest.fixture
def every_azure_line_is_ai(monkeypatch):
    monkeypatch.setattr(azure_reader, "_is_ai", lambda: "true")


# -- Azure ---------------------------------------------------------------------------------------------------------


def test_the_real_ea_actual_cost_export_lands_nothing_and_counts_every_line():
    table = azure_reader.read_export(EA_ACTUAL)
    assert table.num_rows == 0 and table.column_names == [*AZURE_COST_DETAILS.column_names, "_raw"]
    assert left_out(table) == {
        "rows": 11,
        "by_service": {
            "Advanced Data Security": 1,
            "Advanced Threat Protection": 1,
            "Azure Database for MySQL": 1,
            "SQL Managed Instance": 3,
            "Storage": 3,
            "Virtual Machines": 2,
        },
    }


def test_the_real_ea_amortized_cost_export_lands_nothing_and_counts_every_line():
    table = azure_reader.read_export(EA_AMORTIZED)
    assert table.num_rows == 0
    assert left_out(table) == {
        "rows": 28,
        "by_service": {
            "Advanced Data Security": 2,
            "Advanced Threat Protection": 1,
            "Azure Database for MySQL": 1,
            "Bandwidth": 4,
            "Load Balancer": 1,
            "Log Analytics": 2,
            "SQL Database": 1,
            "SQL Managed Instance": 4,
            "Storage": 7,
            "Virtual Machines": 3,
            "Virtual Network": 2,
        },
    }


def test_every_line_of_the_real_ea_actual_export_parses(every_azure_line_is_ai):
    rows = azure_reader.read_export(EA_ACTUAL).to_pylist()
    assert len(rows) == 11
    assert {(r["export_schema"], r["billing_currency"], r["billing_account_id"]) for r in rows} == {
        ("ea", "USD", "8611537")
    }
    # MM/DD/YYYY: 09/21/2023, 09/04/2023 (x 9), 09/05/2023; the amounts come from the "Cost" column
    assert _per_day(rows, "date", "cost_in_billing_currency") == {
        date(2023, 9, 21): Decimal("3.25"),
        date(2023, 9, 5): Decimal("0.21268368"),
        date(2023, 9, 4): Decimal("5.0823241067"),
    }
    assert rows[10]["cost_in_billing_currency"] == Decimal("0.4838709677")  # 0.4838709677419368 at ten decimals
    assert (rows[0]["charge_type"], rows[0]["pricing_model"], rows[0]["unit_of_measure"]) == (
        "Purchase",
        "Reservation",
        "1 Hour",
    )
    # Tags are written without the outer braces; the reader adds them
    assert json.loads(rows[1]["tags"]) == {
        "CostCenter": "1234",
        "env": "prod",
        "org": "trey",
        "application": "databricks",
        "databricks-environment": "true",
    }
    assert json.loads(rows[1]["_raw"])["Tags"].startswith('"CostCenter": "1234",')
    assert rows[0]["tags"] is None and json.loads(rows[7]["tags"]) == {"CostCenter": "SubACM", "org": ""}
    # AdditionalInfo keeps its braces in this export
    assert json.loads(rows[3]["additional_info"])["UsageType"] == "ComputeCR"
    assert all(r[c] is None for r in rows for c in ("cost_in_usd", "exchange_rate_pricing_to_billing"))


def test_every_line_of_the_real_ea_amortized_export_parses(every_azure_line_is_ai):
    rows = azure_reader.read_export(EA_AMORTIZED).to_pylist()
    assert len(rows) == 28
    to_the_cent = {
        day: total.quantize(CENT, ROUND_HALF_UP)
        for day, total in _per_day(rows, "date", "cost_in_billing_currency").items()
    }
    assert to_the_cent == {
        date(2023, 9, 3): Decimal("0.66"),
        date(2023, 9, 4): Decimal("11.75"),
        date(2023, 9, 5): Decimal("0.21"),
        date(2023, 9, 9): Decimal("2.49"),
        date(2023, 9, 10): Decimal("0.67"),
        date(2023, 9, 16): Decimal("0.01"),
        date(2023, 9, 17): Decimal("0.02"),
        date(2023, 9, 20): Decimal("0.00"),
        date(2023, 9, 22): Decimal("0.49"),
    }
    # the exponent notation and the 28-decimal amount of data row 12
    assert (rows[11]["quantity"], rows[11]["cost_in_billing_currency"]) == (
        Decimal("0.00000008"),
        Decimal("0.0000000073"),
    )
    assert {r["pricing_model"] for r in rows} == {"OnDemand", "Reservation", "SavingsPlan"}


# -- AWS -----------------------------------------------------------------------------------------------------------


def test_the_real_workshop_cur_parquet_lands_nothing_and_counts_every_line():
    table = aws_reader.read_cur(WORKSHOP_CUR)
    assert table.num_rows == 0 and table.column_names == [*AWS_CUR_LINE_ITEMS.column_names, "_raw"]
    assert left_out(table) == {
        "rows": 136,
        "by_service": {
            "AWSBudgets": 18,
            "AWSConfig": 8,
            "AWSQueueService": 25,
            "AmazonAthena": 5,
            "AmazonCloudWatch": 2,
            "AmazonGlacier": 15,
            "AmazonRDS": 31,
            "awskms": 32,
        },
    }


def test_the_real_workshop_cur_lines_land_typed_when_their_service_is_kept(monkeypatch):
    monkeypatch.setattr(aws_reader, "BEDROCK_PRODUCT_CODES", ("AmazonAthena",))
    table = aws_reader.read_cur(WORKSHOP_CUR)
    rows = table.to_pylist()
    assert [r["file_row_number"] for r in rows] == [111, 112, 120, 122, 123]
    assert left_out(table)["rows"] == 131
    assert _per_day(rows, "line_item_usage_start_date", "line_item_unblended_cost") == {
        date(2018, 12, 21): Decimal("0.00045"),
        date(2018, 12, 23): Decimal("0.0005"),
        date(2018, 12, 24): Decimal("0.002"),
    }
    first = rows[0]
    assert (first["line_item_usage_start_date"], first["line_item_usage_end_date"]) == (
        datetime(2018, 12, 21, 1),
        datetime(2018, 12, 21, 2),
    )
    assert first["identity_time_interval"] == "2018-12-21T01:00:00Z/2018-12-21T02:00:00Z"
    assert (first["line_item_usage_type"], first["pricing_unit"], first["line_item_usage_amount"]) == (
        "USE1-DataScannedInTB",
        "Terabytes",
        Decimal("0.00002"),
    )
    assert (first["product_product_name"], first["line_item_currency_code"]) == ("Amazon Athena", "USD")
    assert json.loads(first["product"])["region"] == "us-east-1"  # the legacy product_region column, gathered
    # the file writes '' in every resource_tags_* column of these lines: no tag, not {"user_name": "", ...}
    assert {r["resource_tags"] for r in rows} == {None}
    assert all(r["line_item_resource_id"] is None for r in rows)  # '' in the file


def test_a_real_parquet_double_sums_exactly_at_ten_decimals(monkeypatch):
    monkeypatch.setattr(aws_reader, "BEDROCK_PRODUCT_CODES", ("AmazonRDS",))
    rows = aws_reader.read_cur(WORKSHOP_CUR).to_pylist()
    assert len(rows) == 31 and {r["line_item_unblended_cost"] for r in rows} == {Decimal("0.0072423135")}
    assert sum(r["line_item_unblended_cost"] for r in rows) == Decimal("0.2245117185")
    assert len({r["line_item_usage_start_date"].date() for r in rows}) == 31  # one line a day, all of December


def test_the_real_legacy_cur_csv_lands_nothing_and_counts_every_line():
    table = aws_reader.read_cur(ANONYMOUS_CUR)
    assert table.num_rows == 0
    others = dict.fromkeys(
        [
            "AWSCloudShell",
            "AWSCloudTrail",
            "AWSDataTransfer",
            "AWSGlue",
            "AWSIoT",
            "AWSMigrationHubRefactorSpaces",
            "AWSQueueService",
            "AWSSecretsManager",
            "AmazonCloudWatch",
            "AmazonEFS",
            "AmazonSNS",
            "awskms",
        ],
        1,
    )
    assert left_out(table) == {"rows": 24, "by_service": {**others, "AmazonS3": 12}}


def test_the_real_legacy_cur_csv_lines_land_typed_when_their_service_is_kept(monkeypatch):
    monkeypatch.setattr(aws_reader, "BEDROCK_PRODUCT_CODES", ("AmazonS3",))
    rows = aws_reader.read_cur(ANONYMOUS_CUR).to_pylist()
    assert len(rows) == 12
    tax, usage = [r for r in rows if r["line_item_line_item_type"] == "Tax"], rows[1:]
    assert len(tax) == 1 and tax[0] is rows[0] and {r["line_item_line_item_type"] for r in usage} == {"Usage"}
    assert (tax[0]["line_item_unblended_cost"], tax[0]["line_item_tax_type"], tax[0]["line_item_legal_entity"]) == (
        Decimal("0.07"),
        "Canada Tax",
        "Amazon Web Services Canada, Inc.",
    )
    assert (tax[0]["line_item_usage_start_date"], tax[0]["line_item_usage_type"]) == (datetime(2023, 11, 1), None)
    assert _per_day(usage, "line_item_usage_start_date", "line_item_unblended_cost") == {
        date(2023, 11, 4): Decimal("2.96E-8"),
        date(2023, 11, 5): Decimal("1.8E-9"),
        date(2023, 11, 7): Decimal("0"),
        date(2023, 11, 8): Decimal("1.3E-9"),
        date(2023, 11, 10): Decimal("1.8E-9"),
        date(2023, 11, 11): Decimal("6.11E-8"),
        date(2023, 11, 13): Decimal("1.3E-9"),
    }
    # lineItem/UsageStartDate '2023-11-04T23:00:00.000Z' is UTC
    assert usage[1]["line_item_usage_start_date"] == datetime(2023, 11, 4, 23)
    # product/regionCode is empty on this line; the other product/* columns land in the product map, snake_cased
    first = usage[0]
    assert (first["line_item_usage_type"], first["product_region_code"]) == ("CAN1-MEC1-AWS-In-Bytes", None)
    assert (first["product_servicecode"], first["product_product_family"]) == ("AWSDataTransfer", "Data Transfer")
    assert json.loads(first["product"])["to_region_code"] == "me-central-1"  # CUR 2.0 key spelling
    assert json.loads(usage[0]["_raw"])["lineItem/ProductCode"] == "AmazonS3"
