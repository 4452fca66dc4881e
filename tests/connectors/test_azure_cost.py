"""Azure Cost Management exports: the reader on files shaped as Microsoft documents them, which lines it keeps, what it
counts, and whole-file rejection.

The fixtures (tests/fixtures/azure_cost/) have the documented headers column for column: ``ea_actual_cost.csv`` the
EA schema version 2024-08-01 (learn.microsoft.com/azure/cost-management-billing/dataset-schema/cost-usage-details-ea),
``mca_actual_cost*.csv`` the MCA schema 2023-12-01-preview (.../dataset-schema/cost-usage-details-mca),
``payg_usage.csv`` the pay-as-you-go schema 2019-11-01 (.../dataset-schema/cost-usage-details-pay-as-you-go).
Value shapes follow Microsoft's docs and samples: MM/DD/YYYY dates and EA tags without their outer braces (opencost's
Azure header samples, opencost/opencost pkg/cloud/azure/resources/billingexports), ISO ``UsageDateTime`` for
pay-as-you-go, PublisherType ``Azure`` for EA and ``Microsoft`` for MCA (understand-usage-details-fields), ChargeType
``Usage`` and PricingModel ``OnDemand``, UnitOfMeasure ``1K`` (microsoft/finops-toolkit src/open-data/PricingUnits.csv),
Azure OpenAI lines under MeterCategory ``Cognitive Services`` / MeterSubCategory ``Azure OpenAI``
(MicrosoftDocs/azure-ai-docs openai/how-to/manage-costs.md), meter names of the ``gpt-4o-0806-Inp-glbl Tokens`` /
``gpt 4o 0806 cached Inp glbl Tokens`` kinds (Azure Retail Prices meter names, as reported by third parties). Ids,
names and amounts are invented; Quantity is in tokens and prices per 1K tokens (cost = quantity / 1000 x price).
"""

import gzip
import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.azure_cost import SOURCE
from connectors.azure_cost.reader import read_export
from connectors.azure_cost.tables import AZURE_COST_DETAILS
from connectors.files import FileDropError, left_out
from orchestration.loader import land_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "azure_cost"
MCA_ONLY = ("cost_in_usd", "exchange_rate_pricing_to_billing", "pricing_currency", "cost_in_pricing_currency")


def rows(path: Path) -> list[dict]:
    return read_export(path).to_pylist()


def rewritten(tmp_path: Path, fixture: str, *replacements: tuple[str, str], name: str | None = None) -> Path:
    """A copy of ``fixture`` with each (old, new) replaced once; ``old`` must occur."""
    text = (FIXTURES / fixture).read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / (name or fixture)
    path.write_text(text)
    return path


def test_the_source_declares_one_file_feed():
    assert SOURCE.name == "azure_cost" and not SOURCE.is_api and SOURCE.env_vars == ("FINOPS_AZURE_COST_EXPORT",)
    assert SOURCE.tables == (AZURE_COST_DETAILS,) and AZURE_COST_DETAILS.partition_column == "date"


def test_an_ea_export_lands_its_azure_openai_lines_typed():
    table = read_export(FIXTURES / "ea_actual_cost.csv")
    assert table.column_names == [*AZURE_COST_DETAILS.column_names, "_raw"]
    landed = table.to_pylist()
    assert [r["meter_name"] for r in landed] == [
        "gpt-4o-0806-Inp-glbl Tokens",
        "gpt-4o-0806-Outp-glbl Tokens",
        "gpt 4o 0806 cached Inp glbl Tokens",
        "gpt-4o-mini-0718-Inp-glbl Tokens",
        "gpt-4o-mini-0718-Outp-glbl Tokens",
        "gpt 4o mini 0718 cached Inp glbl Tokens",
    ]
    first = landed[0]
    assert first["date"] == datetime(2025, 6, 1) and landed[3]["date"] == datetime(2025, 6, 2)  # 06/02/2025: MM/DD
    assert (first["quantity"], first["effective_price"], first["cost_in_billing_currency"]) == (
        Decimal("1200000"),
        Decimal("0.0025"),
        Decimal("3"),
    )
    assert first["billing_currency"] == "USD" and first["export_schema"] == "ea" and first["publisher_type"] == "Azure"
    assert all(first[c] is None for c in MCA_ONLY)  # EA exports carry no USD amount, pricing currency or rate
    assert (first["meter_category"], first["meter_subcategory"], first["unit_of_measure"]) == (
        "Cognitive Services",
        "Azure OpenAI",
        "1K",
    )
    assert (first["charge_type"], first["pricing_model"], first["billing_account_id"]) == (
        "Usage",
        "OnDemand",
        "12345678",
    )
    # EA tags lack the outer braces: landed as a JSON object; _raw keeps the file's text
    assert json.loads(first["tags"]) == {"team": "search", "env": "prod"}
    raw = json.loads(first["_raw"])
    assert raw["Tags"] == '"team": "search","env": "prod"' and raw["Date"] == "06/01/2025" and len(raw) == 57
    # 3 + 1.5 + 0.5 + 0.3 + 0.3 + 0.075, by hand
    assert sum(r["cost_in_billing_currency"] for r in landed) == Decimal("5.675")


def test_the_other_services_are_left_out_and_counted_by_meter_category():
    table = read_export(FIXTURES / "ea_actual_cost.csv")
    assert left_out(table) == {"rows": 2, "by_service": {"Storage": 1, "Virtual Machines": 1}}
    assert not {"Storage", "Virtual Machines"} & {r["meter_category"] for r in table.to_pylist()}


def test_ea_and_mca_files_of_the_same_lines_land_identically():
    ea, mca = rows(FIXTURES / "ea_actual_cost.csv"), rows(FIXTURES / "mca_actual_cost.csv")
    differ = {"export_schema", "publisher_type", "_raw", *MCA_ONLY}
    assert [{k: v for k, v in r.items() if k not in differ} for r in ea] == [
        {k: v for k, v in r.items() if k not in differ} for r in mca
    ]
    assert {r["export_schema"] for r in mca} == {"mca"} and {r["publisher_type"] for r in mca} == {"Microsoft"}
    assert [(r["cost_in_usd"], r["exchange_rate_pricing_to_billing"], r["pricing_currency"]) for r in mca][:2] == [
        (Decimal("3"), Decimal("1"), "USD"),
        (Decimal("1.5"), Decimal("1"), "USD"),
    ]
    assert left_out(read_export(FIXTURES / "mca_actual_cost.csv"))["rows"] == 2


def test_a_eur_billed_mca_file_lands_its_currency_amounts_unconverted():
    table = read_export(FIXTURES / "mca_actual_cost_eur.csv")
    first, second = table.to_pylist()
    assert (first["billing_currency"], first["cost_in_billing_currency"], first["cost_in_usd"]) == (
        "EUR",
        Decimal("2.7"),
        Decimal("3"),
    )
    assert (
        first["pricing_currency"],
        first["cost_in_pricing_currency"],
        first["exchange_rate_pricing_to_billing"],
    ) == (
        "USD",
        Decimal("3"),
        Decimal("0.9"),
    )
    assert (second["cost_in_billing_currency"], second["cost_in_usd"]) == (Decimal("1.35"), Decimal("1.5"))
    assert left_out(table) == {"rows": 1, "by_service": {"Storage": 1}}


def test_a_pay_as_you_go_file_maps_its_own_names():
    (line,) = rows(FIXTURES / "payg_usage.csv")
    assert line["date"] == datetime(2025, 6, 2)  # UsageDateTime, ISO
    assert (line["quantity"], line["effective_price"], line["cost_in_billing_currency"]) == (
        Decimal("2000000"),
        Decimal("0.00015"),
        Decimal("0.3"),
    )
    assert line["subscription_id"] == "00000000-0000-0000-0000-000000000000"  # SubscriptionGuid
    assert line["resource_id"].endswith("/accounts/example-openai") and line["billing_currency"] == "USD"
    assert line["export_schema"] == "payg" and line["billing_account_id"] is None and line["charge_type"] is None


def test_header_casing_spacing_and_localised_names_do_not_matter(tmp_path):
    path = rewritten(
        tmp_path,
        "ea_actual_cost.csv",
        (
            "InvoiceSectionName,AccountName,AccountOwnerId,SubscriptionId",
            "invoicesectionname,ACCOUNTNAME,AccountOwnerId,SUBSCRIPTIONID",
        ),
        ("MeterCategory,MeterSubCategory", "Kategorie der Verbrauchseinheit (MeterCategory),Meter Sub-Category"),
        ("CostInBillingCurrency", "costInBillingCurrency"),
    )
    differ = {"_raw"}
    assert [{k: v for k, v in r.items() if k not in differ} for r in rows(path)] == [
        {k: v for k, v in r.items() if k not in differ} for r in rows(FIXTURES / "ea_actual_cost.csv")
    ]


def test_iso_dates_read_like_us_dates(tmp_path):
    path = rewritten(
        tmp_path,
        "mca_actual_cost.csv",
        (",06/01/2025,AI + Machine Learning,", ",2025-06-01,AI + Machine Learning,"),
        (",06/02/2025,AI + Machine Learning,", ",2025-06-02T00:00:00.0000000Z,AI + Machine Learning,"),
    )
    assert [r["date"] for r in rows(path)][2:4] == [datetime(2025, 6, 1), datetime(2025, 6, 2)]


def test_gzipped_and_parquet_exports(tmp_path):
    expected = rows(FIXTURES / "mca_actual_cost.csv")
    gz = tmp_path / "part_0_0001.csv.gz"
    gz.write_bytes(gzip.compress((FIXTURES / "mca_actual_cost.csv").read_bytes()))
    assert rows(gz) == expected
    parquet = tmp_path / "part_0_0001.parquet"
    with duckdb.connect() as conn:
        conn.execute(
            f"copy (select * from read_csv('{FIXTURES / 'mca_actual_cost.csv'}', all_varchar = true)) to '{parquet}'"
        )
    assert [{k: v for k, v in r.items() if k != "_raw"} for r in rows(parquet)] == [
        {k: v for k, v in r.items() if k != "_raw"} for r in expected
    ]


def test_which_lines_are_ai_spend(tmp_path):
    path = rewritten(
        tmp_path,
        "mca_actual_cost.csv",
        # the newer category of models sold by Azure, here a model that is not OpenAI's
        (
            "gpt-4o-0806-Outp-glbl Tokens,Cognitive Services,Azure OpenAI,US East,DZH318Z0BQ4M,Azure OpenAI,",
            "R1 Outp glbl Tokens,Foundry Models,DeepSeek,US East,DZH318Z0BQ4M,DeepSeek R1,",
        ),
        # another Azure AI service that shares Microsoft.CognitiveServices: not LLM spend
        (
            "gpt 4o 0806 cached Inp glbl Tokens,Cognitive Services,Azure OpenAI,US East,DZH318Z0BQ4M,Azure OpenAI,",
            "S1 Text Records,Cognitive Services,Language,US East,DZH318Z0BQ4M,Language,",
        ),
        # a line named only by its product (meter fields blank, as for purchases)
        ("gpt-4o-mini-0718-Inp-glbl Tokens,Cognitive Services,Azure OpenAI,", "gpt-4o-mini-0718-Inp-glbl Tokens,,,"),
    )
    table = read_export(path)
    assert [r["meter_category"] for r in table.to_pylist()] == [
        "Cognitive Services",
        "Foundry Models",
        None,
        "Cognitive Services",
        "Cognitive Services",
    ]
    assert left_out(table) == {"rows": 3, "by_service": {"Cognitive Services": 1, "Storage": 1, "Virtual Machines": 1}}


def test_a_non_usd_line_converts_through_the_rate_when_usd_is_blank(tmp_path):
    path = rewritten(tmp_path, "mca_actual_cost_eur.csv", (",EUR,USD,2.7,3,3,2.7,", ",EUR,USD,2.7,3,,2.7,"))
    assert rows(path)[0]["cost_in_usd"] is None  # exchangeRatePricingToBilling 0.9 from USD pricing remains


def test_problems_in_left_out_lines_do_not_reject_the_file(tmp_path):
    path = rewritten(tmp_path, "ea_actual_cost.csv", ("1 GB/Month,10,0.0184,0.184,", "1 GB/Month,ten,0.0184,0.184,"))
    assert len(rows(path)) == 6


@pytest.mark.parametrize(
    ("fixture", "replacement", "message"),
    [
        (
            "ea_actual_cost.csv",
            ("MeterName,MeterRegion,UnitOfMeasure,Quantity,", "Meter,MeterRegion,UnitOfMeasure,Amount,"),
            r"this Azure cost export lacks the columns MeterName, Quantity or UsageQuantity or ConsumedQuantity; "
            r"export the 'Cost and usage",
        ),
        (
            "ea_actual_cost.csv",
            (",1K,150000,0.01,1.5,", ",1K,150 000,0.01,1.5,"),
            r"data row 2 has Quantity = '150 000', which is not a number; export the file again",
        ),
        (
            "ea_actual_cost.csv",
            (",06/02/2025,Azure OpenAI,", ",13/02/2025,Azure OpenAI,"),
            r"data row 5 has Date = '13/02/2025', which is neither MM/DD/YYYY nor YYYY-MM-DD; export it "
            r"again as Cost Management writes it",
        ),
        (
            "mca_actual_cost.csv",
            (",06/01/2025,AI + Machine Learning,", ",01.06.2025,AI + Machine Learning,"),
            r"data row 1 has date = '01.06.2025', which is neither",
        ),
        (
            "mca_actual_cost_eur.csv",
            (",EUR,USD,1.35,1.5,1.5,1.35,1.5,0.9,", ",EUR,USD,1.35,1.5,,1.35,1.5,,"),
            r"data row 2 is billed in EUR but has no CostInUsd and no ExchangeRatePricingToBilling from USD pricing, "
            r"so it cannot be converted to USD; export a dataset that carries them",
        ),
        (
            "mca_actual_cost_eur.csv",
            (",EUR,USD,2.7,3,3,2.7,", ",EUR,EUR,2.7,3,,2.7,"),
            r"data row 1 is billed in EUR but has no CostInUsd",
        ),
        (
            "ea_actual_cost.csv",
            ('"""team"": ""search"",""env"": ""prod"""', '"team=search;env=prod"'),
            r"data row 1 has Tags that are not a JSON object",
        ),
        (
            "mca_actual_cost.csv",
            (",Usage,USD,USD,3,", ",Usage,USD,USD,,"),
            r"data row 1 has no costInBillingCurrency",
        ),
    ],
)
def test_a_bad_file_is_rejected_whole_naming_the_file_and_the_row(tmp_path, fixture, replacement, message):
    path = rewritten(tmp_path, fixture, replacement)
    with pytest.raises(
        FileDropError, match=rf"^{re.escape(str(path))}: {message}.*\(nothing of this file was loaded\)\.$"
    ):
        read_export(path)


def test_the_first_bad_row_is_named_and_the_others_counted(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(
        (FIXTURES / "ea_actual_cost.csv").read_text().replace(",06/02/2025,Azure OpenAI,", ",2025/06/02,Azure OpenAI,")
    )
    with pytest.raises(
        FileDropError, match=r"data row 5 has Date = '2025/06/02', .* \(2 more rows too\); export it again"
    ):
        read_export(path)


def test_files_that_are_not_azure_cost_exports(tmp_path):
    helicone = tmp_path / "requests.csv"
    helicone.write_text("request_id,request_created_at,cost\nr1,2025-06-01T00:00:00Z,0.1\n")
    with pytest.raises(FileDropError, match=r"requests\.csv: is not an Azure cost export; expected an Azure Cost Man"):
        read_export(helicone)
    focus = tmp_path / "focus.csv"
    focus.write_text("BilledCost,ChargePeriodStart,x_SkuMeterCategory,ServiceName\n1,2025-06-01T00:00:00Z,Storage,S\n")
    with pytest.raises(
        FileDropError, match=r"focus\.csv: is a FOCUS cost export .* export the 'Cost and usage details"
    ):
        read_export(focus)
    as_json = tmp_path / "export.json"
    as_json.write_text("[]")
    with pytest.raises(FileDropError, match=r"export\.json: is a json file; expected an Azure Cost Management"):
        read_export(as_json)


def test_a_read_export_lands_on_its_usage_days():
    conn = duckdb.connect()
    table = read_export(FIXTURES / "mca_actual_cost_eur.csv")
    landed = land_file(conn, AZURE_COST_DETAILS, table, path="/exports/eur.csv", digest="d", run_id="r1")
    assert landed == 2
    (day, cost, tags) = conn.execute(
        "select _partition_date, sum(cost_in_billing_currency), any_value(tags) "
        "from raw.azure_cost_cost_details group by 1"
    ).fetchall()[0]
    assert str(day) == "2025-06-01" and cost == Decimal("4.05") and json.loads(tags)["team"] == "search"
