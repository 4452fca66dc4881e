"""The cloud billing exports (Google Cloud Billing, AWS CUR 2.0, Azure Cost Management) from their vendor-shaped
samples to the billed-cost mart: each day's lines in USD, net of credits, with tax, credits, refunds and fees as
their own line types. Every number is worked out by hand from tests/fixtures/<source>/."""

import csv
import io
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.aws_cur import SOURCE as AWS
from connectors.azure_cost import SOURCE as AZURE
from connectors.files import digest
from connectors.gcp_billing import SOURCE as GCP
from orchestration.loader import ensure_raw_tables, land_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import run_dbt, vars_with  # noqa: E402

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BILLED = ["stg_gcp_billing__billed_lines", "stg_aws_cur__billed_lines", "stg_azure_cost__billed_lines"]
USAGE = ["stg_gcp_billing__usage_lines", "stg_aws_cur__usage_lines", "stg_azure_cost__usage_lines"]


def without_usd_column(tmp: Path) -> Path:
    """The EUR MCA sample without its costInUsd column: the USD amount must come from the line's own rate."""
    rows = list(csv.reader(io.StringIO((FIXTURES / "azure_cost" / "mca_actual_cost_eur.csv").read_text())))
    drop = rows[0].index("costInUsd")
    out = tmp / "mca_eur_no_usd.csv"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([c for i, c in enumerate(row) if i != drop] for row in rows)
    out.write_text(text.getvalue())
    return out


def _union(models: list[str]) -> str:
    return " union all ".join(f"select * from staging.{m}" for m in models)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The three samples landed and their staging built (the billed and usage lines and their tests)."""
    home = tmp_path_factory.mktemp("finops_home")
    files = [
        (GCP, FIXTURES / "gcp_billing" / "export.jsonl"),
        (AWS, FIXTURES / "aws_cur" / "cur2_bedrock.csv"),
        (AZURE, without_usd_column(home)),
    ]
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        from connectors.registry import RAW_TABLES

        ensure_raw_tables(conn, RAW_TABLES.values())
        for source, path in files:
            (feed,) = source.feeds
            land_file(conn, feed.table, feed.read(path), path=str(path), digest=digest(path), run_id="test")
    models = [*BILLED, *USAGE, "stg_gcp_billing__export", "stg_aws_cur__line_items", "stg_azure_cost__cost_details"]
    models += ["usage_types", "stg_pricing__usage_types"]  # what the usage_type relationship tests read
    models += ["aws_cur__bedrock_model_names"]  # the CUR's model names -> Bedrock ids
    args = ["build", *vars_with(billed_lines=BILLED, usage_lines=USAGE), "--indirect-selection", "cautious"]
    result = run_dbt(home, [*args, "--select", *models])
    assert result.success, f"dbt build failed: {result.exception}"
    return home / "warehouse.duckdb"


@pytest.fixture(scope="module")
def billed(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select provider, usage_date, line_type, sum(billed_cost_usd) from ("
            + _union(BILLED)
            + ") group by all order by all"
        ).fetchall()
    return {(p, d, t): amount for p, d, t, amount in rows}


def test_google_lines_net_to_cost_plus_credits_in_usd(billed):
    day = date(2025, 6, 10)
    # two Vertex AI lines of $1.50 and $2.50, an adjustment of -$0.50, credits of -0.25, -0.10 and -0.20
    assert billed[("google_vertex", day, "usage")] == Decimal("4")
    assert billed[("google_vertex", day, "refund")] == Decimal("-0.5")
    assert billed[("google_vertex", day, "credit")] == Decimal("-0.55")
    net = sum(v for (p, d, _), v in billed.items() if (p, d) == ("google_vertex", day))
    assert net == Decimal("2.95")  # Google's SUM(cost) + SUM(credits.amount)
    # a Gemini API line of EUR 0.828 at 0.92 EUR per USD is exactly $0.90
    assert billed[("google", date(2025, 6, 11), "usage")] == Decimal("0.9")


def test_aws_line_item_types_are_classified(billed):
    assert billed[("aws_bedrock", date(2025, 11, 3), "usage")] == Decimal("1.3364")  # 1.0004 + 0.256 + 0.08
    assert billed[("aws_bedrock", date(2025, 11, 4), "usage")] == Decimal("10.5")  # Marketplace Claude: 7.5 + 3
    assert billed[("aws_bedrock", date(2025, 11, 1), "tax")] == Decimal("0.8875")  # 0.7875 + 0.1
    assert billed[("aws_bedrock", date(2025, 11, 1), "credit")] == Decimal("-1.0004")
    assert billed[("aws_bedrock", date(2025, 11, 6), "refund")] == Decimal("-0.256")


def test_azure_billing_currency_is_converted_with_the_lines_rate(billed):
    # EUR 2.70 and EUR 1.35 at 0.9 EUR per USD of pricing: $3.00 + $1.50
    assert billed[("azure_openai", date(2025, 6, 1), "usage")] == Decimal("4.5")
    assert not [k for k in billed if k[0] == "azure_openai" and k[2] != "usage"]


def test_token_lines_become_usage_lines_with_model_token_type_and_tokens(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        lines = conn.execute(
            "select provider, usage_date, account_id, model_raw, service_tier, context_tier, inference_geo, usage_type, "
            "quantity from (" + _union(USAGE) + ") order by all"
        ).fetchall()
    vertex, gemini, azure = "google_vertex", "google", "azure_openai"
    project, aws_account, subscription = "my-project-123", "444455556666", "00000000-0000-0000-0000-000000000000"
    nov3, nov4, jun10 = date(2025, 11, 3), date(2025, 11, 4), date(2025, 6, 10)
    jun1, jun11 = date(2025, 6, 1), date(2025, 6, 11)
    nova, sonnet = "amazon.nova-pro-v1:0", "anthropic.claude-sonnet-4-6"
    assert lines == sorted(
        [
            # AWS: amounts in the pricing unit: "1K tokens" (1250.5 x 1000), Marketplace "Units" of 1M tokens; the
            # CUR's model names (NovaPro in the usage type) read as Bedrock's ids; no cross-region: in-Region
            ("aws_bedrock", nov3, aws_account, nova, "standard", "all", "in_region", "cache_read_tokens", 400_000),
            ("aws_bedrock", nov3, aws_account, nova, "standard", "all", "in_region", "input_tokens", 1_250_500),
            ("aws_bedrock", nov3, aws_account, nova, "standard", "all", "in_region", "output_tokens", 80_000),
            # a Marketplace usage type names no model: the product map does ("Claude Sonnet 4.6")
            ("aws_bedrock", nov4, aws_account, sonnet, "standard", "all", "in_region", "input_tokens", 2_500_000),
            ("aws_bedrock", nov4, aws_account, sonnet, "standard", "all", "in_region", "output_tokens", 200_000),
            # Azure: Quantity counts tokens here (1,200,000 / 1000 x EUR 0.00225 = EUR 2.70, the line's cost); the
            # meters' "glbl" is a Global deployment
            (azure, jun1, subscription, "gpt-4o-0806", "standard", "all", "global", "input_tokens", 1_200_000),
            (azure, jun1, subscription, "gpt-4o-0806", "standard", "all", "global", "output_tokens", 150_000),
            # Gemini API "short input text" SKU; Vertex AI's two regular lines (its adjustment is a refund line),
            # served from us-central1: a regional endpoint
            (gemini, jun11, project, "gemini-2.5-flash", "standard", "short", "global", "input_tokens", 3_000_000),
            (vertex, jun10, project, "gemini-2.5-flash", "standard", "short", "regional", "input_tokens", 5_000_000),
            (vertex, jun10, project, "gemini-2.5-flash", "standard", "short", "regional", "output_tokens", 1_000_000),
        ]
    )


def test_only_token_usage_lines_carry_a_usage_type(warehouse):
    """Tax, credit, refund and non-token lines are billed apart from token billing: no usage type."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        counts = conn.execute(
            "select usage_type is not null, line_type, count(*) from (" + _union(BILLED) + ") group by all order by all"
        ).fetchall()
    typed = [(line_type, n) for has_type, line_type, n in counts if has_type]
    untyped = [(line_type, n) for has_type, line_type, n in counts if not has_type]
    assert typed == [("usage", 10)]  # the ten usage lines above, one each
    # Google: an adjustment (refund), three credits; AWS: two taxes, a credit, a refund
    assert untyped == [("credit", 4), ("refund", 2), ("tax", 2)]
