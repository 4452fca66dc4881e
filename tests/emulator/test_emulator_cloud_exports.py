"""The cloud billing exports the emulator writes (Google Cloud Billing, AWS CUR 2.0, Azure Cost Management), read back
by the connectors' own readers: the AI lines land and exactly the other services' lines are left out; each day's
lines in US dollars (converted as the warehouse converts them) are the plugins' ground truth to the cent; the same
organisation and window write the same bytes; the token vocabulary is the one the warehouse parses."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.aws_cur import SOURCE as AWS
from connectors.aws_cur.reader import read_cur
from connectors.azure_cost import SOURCE as AZURE
from connectors.azure_cost.reader import read_export as read_azure
from connectors.files import left_out
from connectors.gcp_billing import SOURCE as GCP
from connectors.gcp_billing.reader import read_export as read_gcp
from emulator import SimulatedOrg
from emulator.org import AWS_ACCOUNT, AZURE_SUBSCRIPTION, GCP_DEV, GCP_PROD, _days, usd_at_rate
from emulator.plugin import plugins_for

FIRST, END = date(2025, 11, 3), date(2025, 11, 6)  # three UTC days (Monday to Wednesday)
DAYS = list(_days(FIRST, END))
CENT = Decimal("0.01")
TEN_PLACES = Decimal("1e-10")
SOURCES = (GCP, AWS, AZURE)

# The token vocabulary the warehouse parses: (provider, model_id, usage type, tier) -> the SKU, usage type or meter
V, G, AWS_B, AZ = "google_vertex", "google", "aws_bedrock", "azure_openai"
FLASH, PRO, NOVA, SONNET = "gemini-2.5-flash", "gemini-2.5-pro", "amazon.nova-pro-v1:0", "claude-sonnet-4-5-20250929"
IN, OUT, READ, WRITE = "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"
VOCABULARY = (
    (V, FLASH, IN, "standard", "Gemini 2.5 Flash GA Text Input - Predictions"),
    (V, FLASH, OUT, "standard", "Gemini 2.5 Flash GA Text Output - Predictions"),
    (V, FLASH, READ, "standard", "Gemini 2.5 Flash GA Input Text Caching"),
    (V, FLASH, IN, "batch", "Gemini 2.5 Flash GA Text Input - Batch Predictions"),
    (V, FLASH, OUT, "batch", "Gemini 2.5 Flash GA Text Output - Batch Predictions"),
    (V, PRO, IN, "standard", "Gemini 2.5 Pro Text Input - Predictions"),
    (V, PRO, OUT, "standard", "Gemini 2.5 Pro Text Output - Predictions"),
    (G, FLASH, IN, "standard", "Generate content input token count gemini 2.5 flash short input text"),
    (G, FLASH, OUT, "standard", "Generate content output token count gemini 2.5 flash short output text"),
    (G, FLASH, READ, "standard", "Generate content cached input token count gemini 2.5 flash input text"),
    (AWS_B, NOVA, IN, "standard", "USE1-NovaPro-input-tokens"),
    (AWS_B, NOVA, OUT, "standard", "USE1-NovaPro-output-tokens"),
    (AWS_B, NOVA, READ, "standard", "USE1-NovaPro-cache-read-input-token-count"),
    (AWS_B, NOVA, WRITE, "standard", "USE1-NovaPro-cache-write-input-token-count"),
    (AWS_B, SONNET, IN, "standard", "USE1-MP:USE1_InputTokenCount-Units"),
    (AWS_B, SONNET, OUT, "standard", "USE1-MP:USE1_OutputTokenCount-Units"),
    (AZ, "gpt-4o-2024-08-06", IN, "standard", "gpt-4o-0806-Inp-glbl Tokens"),
    (AZ, "gpt-4o-2024-08-06", OUT, "standard", "gpt-4o-0806-Outp-glbl Tokens"),
    (AZ, "gpt-4o-2024-08-06", READ, "standard", "gpt-4o-0806-cchd-Inp-glbl Tokens"),
    (AZ, "gpt-4o-mini-2024-07-18", IN, "standard", "gpt-4o-mini-0718-Inp-glbl Tokens"),
    (AZ, "gpt-4o-mini-2024-07-18", OUT, "standard", "gpt-4o-mini-0718-Outp-glbl Tokens"),
)


@pytest.fixture(scope="module")
def org() -> SimulatedOrg:
    return SimulatedOrg(seed=42, plugins=plugins_for(SOURCES))


@pytest.fixture(scope="module")
def drops(org, tmp_path_factory) -> dict[str, list[Path]]:
    out = {}
    for source in SOURCES:
        folder = tmp_path_factory.mktemp(source.name)
        out[source.name] = org.plugin(source.name).write_drops(org, FIRST, END, folder)
    return out


def _day_of(path: Path) -> date:
    """The UTC day a drop covers, from its name (each plugin writes one file per day)."""
    return date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", path.name).group(0))


def _usd(amount: Decimal, currency: str, rate: Decimal | None) -> Decimal:
    return amount if currency == "USD" else usd_at_rate(amount, rate)


def _in_cents(totals: dict) -> dict:
    return {k: v.quantize(CENT) for k, v in totals.items()}


# -- every file is read by its connector: AI lines in, the other services out ------------------------------------


def test_gcp_export_lands_its_ai_lines_and_leaves_out_cloud_storage(org, drops):
    plugin = org.plugin("gcp_billing")
    paths = drops["gcp_billing"]
    assert [p.name for p in paths] == [
        f"gcp_billing_export_v1_{account}-{day}.jsonl"
        for day in DAYS
        for account in ("01A2B3_C4D5E6_F7A8B9", "01C3D4_E5F6A7_B8C9D0")
    ]
    by_day: dict[date, dict] = defaultdict(lambda: defaultdict(Decimal))
    for path in paths:
        day = _day_of(path)
        written = [json.loads(line) for line in path.read_text().splitlines()]
        table = read_gcp(path)
        rows = table.to_pylist()
        others = Counter(r["service"]["description"] for r in written if r["service"]["description"] == "Cloud Storage")
        assert left_out(table) == {"rows": sum(others.values()), "by_service": dict(others)}
        assert len(rows) == len(written) - sum(others.values())
        assert {r["service_description"] for r in rows} <= {"Vertex AI", "Gemini API"}
        for r in rows:
            assert r["usage_start_time"].date() == day
            provider = "google_vertex" if r["service_id"] == "C7E2-9256-1C43" else "google"
            # as the warehouse converts: each line and each credit at the line's rate, to 12 places
            rate = r["currency_conversion_rate"]
            credits = [Decimal(c["amount"]).quantize(TEN_PLACES) for c in json.loads(r["credits"])]
            assert sum(credits, Decimal(0)) == r["credits_amount"]
            amount = _usd(r["cost"], r["currency"], rate) + sum(
                (_usd(c, r["currency"], rate) for c in credits), Decimal(0)
            )
            by_day[day][(provider, r["project_id"])] += amount
    for day in DAYS:
        truth = plugin.billed_totals(org, day)
        assert set(truth) == {("google_vertex", GCP_PROD), ("google", GCP_DEV)}
        assert _in_cents(by_day[day]) == _in_cents(truth), day
        assert all(abs(by_day[day][k] - truth[k]) < Decimal("1e-9") for k in truth)
    # the EUR project: its rows carry the month's rate, and the credits, taxes and Cloud Storage are there
    dev = read_gcp(paths[1]).to_pylist()
    assert {r["currency"] for r in dev} == {"EUR"} and all(
        Decimal("0.85") <= r["currency_conversion_rate"] < 1 for r in dev
    )
    prod = read_gcp(paths[0]).to_pylist()
    credit_types = {c["type"] for r in prod for c in json.loads(r["credits"])}
    assert credit_types == {"PROMOTION", "DISCOUNT"}
    assert all(c["amount"] < 0 for r in prod for c in json.loads(r["credits"]))
    assert [r["cost_type"] for r in prod + dev].count("tax") == 2  # one per project and day


def test_aws_cur_lands_its_bedrock_lines_and_leaves_out_ec2(org, drops):
    plugin = org.plugin("aws_cur")
    paths = drops["aws_cur"]
    assert [p.name for p in paths] == [f"acme-cur2-{day}-00001.csv.gz" for day in DAYS]
    kinds: Counter = Counter()
    for path in paths:
        day = _day_of(path)
        table = read_cur(path)
        rows = table.to_pylist()
        assert left_out(table) == {"rows": 2, "by_service": {"AmazonEC2": 2}}
        written = gzip.decompress(path.read_bytes()).decode().count("\n") - 1
        assert len(rows) == written - 2
        kinds.update(r["line_item_line_item_type"] for r in rows)
        assert all(r["line_item_currency_code"] == "USD" for r in rows)
        assert all(r["line_item_usage_start_date"].date() == day for r in rows)
        total: dict = defaultdict(Decimal)
        for r in rows:
            total[("aws_bedrock", r["line_item_usage_account_id"])] += r["line_item_unblended_cost"]
        assert dict(total) == plugin.billed_totals(org, day)  # exact: every amount has at most 10 places
        # the Marketplace listing's Tax line carries only its product code (reader rule 4)
        listing_tax = [r for r in rows if r["bill_billing_entity"] == "AWS Marketplace" and r["product"] is None]
        assert [r["line_item_line_item_type"] for r in listing_tax] == ["Tax"]
    assert kinds["Tax"] == 2 * len(DAYS) and kinds["Credit"] >= 1 and kinds["Usage"] == 6 * len(DAYS)


def test_azure_export_lands_its_openai_lines_and_leaves_out_storage(org, drops):
    plugin = org.plugin("azure_cost")
    paths = drops["azure_cost"]
    assert [p.name for p in paths] == [f"costdetails-actual-{day}.csv" for day in DAYS]
    for path in paths:
        day = _day_of(path)
        table = read_azure(path)
        rows = table.to_pylist()
        assert left_out(table) == {"rows": 2, "by_service": {"Storage": 2}}
        assert len(rows) == 5 and {r["export_schema"] for r in rows} == {"mca"}
        assert all(r["date"].date() == day and r["billing_currency"] == "USD" for r in rows)
        total: dict = defaultdict(Decimal)
        for r in rows:
            assert r["cost_in_usd"] == r["cost_in_billing_currency"] == r["quantity"] * r["effective_price"]
            total[("azure_openai", r["subscription_id"])] += r["cost_in_usd"]
        assert dict(total) == plugin.billed_totals(org, day)


# -- the ground truth -----------------------------------------------------------------------------------------------


def test_ground_truth_rows_carry_the_warehouse_providers_and_what_the_usage_lines_bill(org):
    truth = org.ground_truth(FIRST, END)
    assert {(g["provider"], g["model_raw"], g["model_id"]) for g in truth} == {
        ("google_vertex", "gemini-2.5-flash", "gemini-2.5-flash"),
        ("google_vertex", "gemini-2.5-pro", "gemini-2.5-pro"),
        ("google", "gemini-2.5-flash", "gemini-2.5-flash"),
        ("aws_bedrock", "Claude Sonnet 4.5", "claude-sonnet-4-5-20250929"),
        ("aws_bedrock", "NovaPro", "amazon.nova-pro-v1:0"),
        ("azure_openai", "gpt-4o-0806", "gpt-4o-2024-08-06"),
        ("azure_openai", "gpt-4o-mini-0718", "gpt-4o-mini-2024-07-18"),
    }
    # the organisation pays list price: what the usage lines bill (EUR converted back) is the list price, exactly
    assert all(g["is_priced"] and g["billed_cost_usd"] == g["list_cost_usd"] > 0 for g in truth)
    # the full bill (credits and tax included) per (day, provider, account), as org.billed_totals gives it
    billed = org.billed_totals(FIRST, END)
    assert set(billed) == {
        (day, provider, account)
        for day in DAYS
        for provider, account in (
            ("google_vertex", GCP_PROD),
            ("google", GCP_DEV),
            ("aws_bedrock", AWS_ACCOUNT),
            ("azure_openai", AZURE_SUBSCRIPTION),
        )
    }
    for day in DAYS:
        usage = defaultdict(Decimal)
        for g in truth:
            if g["usage_date"] == day:
                usage[g["provider"]] += g["billed_cost_usd"]
        full = {p: v for (d, p, _), v in billed.items() if d == day}
        assert full["azure_openai"] == usage["azure_openai"]  # no credits, no tax
        assert full["aws_bedrock"] > usage["aws_bedrock"] * Decimal("0.9")  # tax in, a credit now and then
        assert full["google"] > usage["google"]  # VAT


def test_token_quantities_are_what_the_files_say(org, drops):
    """org.usage_quantities per (day, provider, model_id, usage type, tier), against the tokens read back from the
    files through each export's unit: GCP usage.amount in tokens, CUR in 1K tokens ("1K tokens") or 1M tokens
    ("Units"), Azure quantity in 1K tokens."""
    quantities = org.usage_quantities(FIRST, END)
    read: Counter = Counter()
    for path in drops["gcp_billing"]:
        for r in read_gcp(path).to_pylist():
            if r["cost_type"] == "regular":
                assert r["usage_unit"] == r["usage_pricing_unit"] == "count"
                assert r["usage_amount"] == r["usage_amount_in_pricing_units"] == int(r["usage_amount"])
                read[(_day_of(path), "sku", r["sku_description"])] += int(r["usage_amount"])
    for path in drops["aws_cur"]:
        for r in read_cur(path).to_pylist():
            if r["line_item_line_item_type"] == "Usage":
                per = {"1K tokens": 1_000, "Units": 1_000_000}[r["pricing_unit"]]
                tokens = r["line_item_usage_amount"] * per
                assert tokens == int(tokens)
                read[(_day_of(path), "aws", r["line_item_usage_type"])] += int(tokens)
    for path in drops["azure_cost"]:
        for r in read_azure(path).to_pylist():
            assert r["unit_of_measure"] == "1K"
            read[(_day_of(path), "azure", r["meter_name"])] += int(r["quantity"] * 1000)
    names = {tuple(row[:4]): row[4] for row in VOCABULARY}
    kind = {"google_vertex": "sku", "google": "sku", "aws_bedrock": "aws", "azure_openai": "azure"}
    expected = Counter({(day, kind[key[0]], names[tuple(key)]): n for (day, *key), n in quantities.items()})
    assert {tuple(k[1:]) for k in quantities} == set(names)  # every token type of each vocabulary is used
    assert read == expected


def test_the_vocabulary_and_units_as_written(drops):
    gcp = [json.loads(line) for p in drops["gcp_billing"] for line in p.read_text().splitlines()]
    vertex = [r for r in gcp if r["service"] == {"id": "C7E2-9256-1C43", "description": "Vertex AI"}]
    api = [r for r in gcp if r["service"] == {"id": "AEFD-7695-64FA", "description": "Gemini API"}]
    assert vertex and api and len(vertex) + len(api) + 3 * len(DAYS) == len(gcp)
    for r in vertex + api:
        assert r["usage_start_time"].endswith(" UTC") and isinstance(r["cost"], (int, float))
        if r["cost_type"] == "regular":
            assert r["usage"]["unit"] == r["usage"]["pricing_unit"] == "count"
            assert r["price"]["pricing_unit_quantity"] == "1000000"
        else:
            assert r["cost_type"] == "tax" and r["sku"] is None
    cur = [
        line.split(",") for p in drops["aws_cur"] for line in gzip.decompress(p.read_bytes()).decode().splitlines()[1:]
    ]
    assert any("Claude Sonnet 4.5 (Amazon Bedrock Edition)" in ",".join(row) for row in cur)
    rows = [r for p in drops["aws_cur"] for r in read_cur(p).to_pylist() if r["line_item_line_item_type"] == "Usage"]
    for r in rows:
        product = json.loads(r["product"])
        if r["line_item_product_code"] == "AmazonBedrock":
            assert r["pricing_unit"] == "1K tokens" and product["model"] == "Nova Pro"
            assert r["bill_billing_entity"] == "AWS"
        else:
            assert r["pricing_unit"] == "Units" and product["model"] == "Claude Sonnet 4.5"
            assert r["bill_billing_entity"] == "AWS Marketplace" and r["line_item_product_code"].isalnum()
            assert r["product_product_name"] == "Claude Sonnet 4.5 (Amazon Bedrock Edition)"
        assert product["inference_type"] in (
            "Input tokens",
            "Output tokens",
            "Cache read input tokens",
            "Cache write input tokens",
        )
    azure = [r for p in drops["azure_cost"] for r in read_azure(p).to_pylist()]
    assert {(r["meter_category"], r["meter_subcategory"], r["unit_of_measure"]) for r in azure} == {
        ("Cognitive Services", "Azure OpenAI", "1K")
    }


# -- determinism ----------------------------------------------------------------------------------------------------


def test_the_same_org_and_window_write_the_same_bytes(org, drops, tmp_path):
    again = SimulatedOrg(seed=42, plugins=plugins_for(SOURCES))
    for source in SOURCES:
        folder = tmp_path / source.name
        folder.mkdir()
        paths = again.plugin(source.name).write_drops(again, FIRST, END, folder)
        assert [p.name for p in paths] == [p.name for p in drops[source.name]]
        assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in drops[source.name]]
    other = SimulatedOrg(seed=43, plugins=plugins_for(SOURCES))
    folder = tmp_path / "other"
    folder.mkdir()
    (path,) = other.plugin("azure_cost").write_drops(other, FIRST, FIRST + timedelta(days=1), folder)
    assert path.read_bytes() != drops["azure_cost"][0].read_bytes()


def test_a_day_without_usage_writes_no_file(org, tmp_path):
    before = date(2025, 1, 1)  # before every cloud stream starts
    for source in SOURCES:
        assert org.plugin(source.name).write_drops(org, before, before + timedelta(days=2), tmp_path) == []
    assert org.billed_totals(before, before + timedelta(days=1)) == {}
