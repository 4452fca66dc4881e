"""The cloud billing exports priced by route: the route (inference_geo) is read from each export and kept in the usage
grain, and the book prices it or leaves it unpriced, never at another route's price.

- AWS CUR (Bedrock): a usage type with a "global" segment is the global cross-Region profile, another cross-region one
  a geographic profile, none in-Region. The CUR's model names read as Bedrock's ids (seed
  aws_cur__bedrock_model_names), the global profile with its "global." prefix, so genai-prices' route ids price them:
  Claude Sonnet 4.5 $3 / $15 through the global profile and 10% more ($3.30) otherwise (AWS: the global profile
  "offers approximately 10% savings ... compared to geographic cross-Region inference").
- Azure: the meter's deployment (glbl, DZone, none). The book has Azure's Global prices and Data Zone at 1.1x them;
  a deployment the meter does not name stays unpriced, and reconciliation says route_not_priced.
- Google Cloud: a Vertex AI line served from a region is on a regional endpoint; Gemini costs the same there.

Every row's cost below is worked out by hand from the seeds; the rows are shaped as each raw table lands them."""

from datetime import datetime
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt, vars_with

from connectors.aws_cur.tables import AWS_CUR_LINE_ITEMS
from connectors.azure_cost.tables import AZURE_COST_DETAILS
from connectors.gcp_billing.tables import GCP_BILLING_EXPORT
from orchestration.config import load_config, write_config_tables
from orchestration.loader import ensure_raw_tables, land_file

pytestmark = pytest.mark.slow

D = Decimal
USAGE_LINES = ["stg_aws_cur__usage_lines", "stg_azure_cost__usage_lines", "stg_gcp_billing__usage_lines"]
BILLED_LINES = ["stg_aws_cur__billed_lines", "stg_azure_cost__billed_lines", "stg_gcp_billing__billed_lines"]


def cur(n: int, usage_type: str, thousands: int, product: str = '{"product_name": "Amazon Bedrock"}') -> dict:
    """A CUR 2.0 usage line of ``thousands`` x 1K tokens (the pricing unit AWS gives Bedrock's own models)."""
    row = dict.fromkeys(AWS_CUR_LINE_ITEMS.column_names)
    return row | {
        "identity_line_item_id": f"li-{n}",
        "bill_payer_account_id": "111122223333",
        "line_item_usage_account_id": "444455556666",
        "line_item_line_item_type": "Usage",
        "line_item_usage_start_date": datetime(2025, 11, 3),
        "line_item_usage_end_date": datetime(2025, 11, 4),
        "line_item_product_code": "AmazonBedrock",
        "line_item_usage_type": usage_type,
        "line_item_usage_amount": thousands,
        "line_item_currency_code": "USD",
        "line_item_unblended_cost": 0,
        "pricing_unit": "1K tokens",
        "product_region_code": "us-east-1",
        "product": product,
        "file_row_number": n,
    }


def azure(meter: str, blocks: int, price_per_1k: str) -> dict:
    """An Azure cost-details line counted in 1K-token blocks (Quantity x EffectivePrice = the cost)."""
    row = dict.fromkeys(AZURE_COST_DETAILS.column_names)
    return row | {
        "date": datetime(2025, 11, 3),
        "billing_account_id": "12345678",
        "subscription_id": "sub-1",
        "meter_name": meter,
        "meter_category": "Cognitive Services",
        "meter_subcategory": "Azure OpenAI",
        "unit_of_measure": "1K",
        "quantity": blocks,
        "effective_price": D(price_per_1k),
        "unit_price": D(price_per_1k),
        "cost_in_billing_currency": blocks * D(price_per_1k),
        "billing_currency": "USD",
        "pricing_currency": "USD",
        "charge_type": "Usage",
    }


def vertex(sku: str, location: str, tokens: int) -> dict:
    row = dict.fromkeys(GCP_BILLING_EXPORT.column_names)
    return row | {
        "billing_account_id": "012345-6789AB-CDEF01",
        "service_id": "C7E2-9256-1C43",
        "service_description": "Vertex AI",
        "sku_id": f"sku-{location}-{sku}",
        "sku_description": sku,
        "usage_start_time": datetime(2025, 11, 3, 7),
        "usage_end_time": datetime(2025, 11, 3, 8),
        "project_id": f"project-{location}",
        "location_location": location,
        "location_region": None if location == "global" else location,
        "cost": 0,
        "currency": "USD",
        "currency_conversion_rate": 1,
        "usage_amount": tokens,
        "usage_unit": "count",
        "cost_type": "regular",
        "export_time": datetime(2025, 11, 3, 11),
    }


AWS_ROWS = [
    # Claude Sonnet 4.5 (the CUR's usage-type spelling) through the global profile: 1M x $3 = $3.00
    cur(1, "USE1-Claude4.5Sonnet-input-tokens-cross-region-global", 1000),
    # ... a geographic profile and in-Region: the regional price, 1M x $3.30 = $3.30 each
    cur(2, "USE1-Claude4.5Sonnet-input-tokens-cross-region", 1000),
    cur(3, "USE1-Claude4.5Sonnet-input-tokens", 1000),
    # the output of the global profile: 100K x $15 = $1.50
    cur(4, "USE1-Claude4.5Sonnet-output-tokens-cross-region-global", 100),
    # a newer usage type that names Bedrock's id itself, global: Opus 4.8, 1M x $5 = $5.00
    cur(5, "USW2-anthropic.claude-opus-4-8-mantle-input-tokens-global-standard", 1000),
    # Nova Pro: input through the global profile, 1M x $0.80 = $0.80; cache writes cost nothing: $0.00, priced
    cur(6, "USE1-NovaPro-input-tokens-cross-region-global", 1000),
    cur(7, "USE1-NovaPro-cache-write-input-token-count", 1000),
    # a model name nobody knows: kept as the CUR writes it, unpriced
    cur(8, "USE1-Claude9.9Sonnet-input-tokens", 1000),
    # Marketplace: the usage type names no model, the product map does; in-Region: 2M x $3.30 = $6.60
    cur(
        9,
        "USE1-MP:USE1_InputTokenCount-Units",
        2,
        product='{"product_name": "Claude Sonnet 4.5 (Amazon Bedrock Edition)", "model": "Claude Sonnet 4.5"}',
    )
    | {"pricing_unit": "Units", "line_item_product_code": "4m7sq2xk9c1vb8nz3hd6pw5tr"},
]

AZURE_ROWS = [
    # a Global deployment of gpt-4o 2024-08-06: 1M x $2.50 = $2.50; gpt-4o-mini output 1M x $0.60 = $0.60
    azure("gpt-4o-0806-Inp-glbl Tokens", 1000, "0.0025"),
    azure("gpt-4o-mini-0718-Outp-glbl Tokens", 1000, "0.0006"),
    # a Data Zone deployment: 1.1x Global, 1M x $2.75 = $2.75
    azure("gpt-4o-0806-Inp-DZone Tokens", 1000, "0.00275"),
    # a meter naming no deployment: its price is not known, unpriced (never the Global price)
    azure("gpt-4o-0806-Inp Tokens", 1000, "0.00275"),
]

VERTEX_ROWS = [
    # Gemini 2.5 Flash from us-central1 (regional) and from the global endpoint: the same $0.30: 5M -> $1.50
    vertex("Gemini 2.5 Flash GA Text Input - Predictions", "us-central1", 5_000_000),
    vertex("Gemini 2.5 Flash GA Text Input - Predictions", "global", 5_000_000),
    # batch prediction, before genai-prices' own batch rows (2026-10-14): half price, 5M x $0.15 = $0.75
    vertex("Gemini 2.5 Flash GA Text Input - Batch Predictions", "us-central1", 5_000_000),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        write_config_tables(conn, load_config(home / "finops.yaml"))  # no file: the defaults
        ensure_raw_tables(conn)
        for table, rows in (
            (AWS_CUR_LINE_ITEMS, AWS_ROWS),
            (AZURE_COST_DETAILS, AZURE_ROWS),
            (GCP_BILLING_EXPORT, VERTEX_ROWS),
        ):
            land_file(conn, table, rows, path=f"{table.name}.sample", digest=table.name, run_id="run-1")
    selection = ["--select", "+fct_cost_reconciliation_daily", "--exclude", "test_type:unit"]
    selection += ["--indirect-selection", "cautious"]
    variables = vars_with(usage_lines=USAGE_LINES, billed_lines=BILLED_LINES, price_lines=[])
    require_success(run_dbt(home, ["build", *variables, *selection]))
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def priced(built):
    return built.execute(
        "select provider, model_raw, service_tier, inference_geo, usage_type, quantity, unit_price_usd, "
        "list_cost_usd, is_priced from intermediate.int_usage_priced order by all"
    ).fetchall()


def test_bedrock_routes_are_priced_by_their_profile(priced):
    rows = [row[1:] for row in priced if row[0] == "aws_bedrock"]
    sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert rows == sorted(
        [
            (f"global.{sonnet}", "standard", "global", "input_tokens", 1_000_000, D(3), D("3.00"), True),
            (f"global.{sonnet}", "standard", "global", "output_tokens", 100_000, D(15), D("1.50"), True),
            (sonnet, "standard", "geo", "input_tokens", 1_000_000, D("3.3"), D("3.30"), True),
            # the in-Region lines of the usage type and of the Marketplace product are one model, one route
            (sonnet, "standard", "in_region", "input_tokens", 3_000_000, D("3.3"), D("9.90"), True),
            (
                "global.anthropic.claude-opus-4-8",
                "standard",
                "global",
                "input_tokens",
                1_000_000,
                D(5),
                D("5.00"),
                True,
            ),
            ("global.amazon.nova-pro-v1:0", "standard", "global", "input_tokens", 1_000_000, D("0.8"), D("0.80"), True),
            ("amazon.nova-pro-v1:0", "standard", "in_region", "cache_write_tokens", 1_000_000, D(0), D(0), True),
            ("Claude9.9Sonnet", "standard", "in_region", "input_tokens", 1_000_000, None, None, False),
        ]
    )


def test_azure_prices_global_and_data_zone_deployments(priced):
    rows = [row[1:] for row in priced if row[0] == "azure_openai"]
    assert rows == sorted(
        [
            ("gpt-4o-0806", "standard", "global", "input_tokens", 1_000_000, D("2.5"), D("2.50"), True),
            ("gpt-4o-mini-0718", "standard", "global", "output_tokens", 1_000_000, D("0.6"), D("0.60"), True),
            ("gpt-4o-0806", "standard", "data_zone", "input_tokens", 1_000_000, D("2.75"), D("2.75"), True),
            ("gpt-4o-0806", "standard", "unknown", "input_tokens", 1_000_000, None, None, False),
        ]
    )


def test_vertex_regional_endpoints_and_batch(priced):
    rows = [row[1:] for row in priced if row[0] == "google_vertex"]
    assert rows == sorted(
        [
            ("gemini-2.5-flash", "standard", "regional", "input_tokens", 5_000_000, D("0.3"), D("1.50"), True),
            ("gemini-2.5-flash", "standard", "global", "input_tokens", 5_000_000, D("0.3"), D("1.50"), True),
            ("gemini-2.5-flash", "batch", "regional", "input_tokens", 5_000_000, D("0.15"), D("0.75"), True),
        ]
    )


def test_reconciliation_names_the_unpriced_route(built):
    """Azure's day: the Global and Data Zone lines are priced ($2.50 + $0.60 + $2.75 = $5.85), the unnamed
    deployment's 1M tokens are not; the cause is the route, not the model (gpt-4o is in the book)."""
    rows = built.execute(
        "select status, unpriced_cause, computed_cost_usd, unpriced_quantity from marts.fct_cost_reconciliation_daily "
        "where provider = 'azure_openai'"
    ).fetchall()
    assert [(cause, computed, quantity) for _, cause, computed, quantity in rows] == [
        ("route_not_priced", D("5.85"), 1_000_000)
    ]
