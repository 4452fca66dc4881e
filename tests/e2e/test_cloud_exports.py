"""Cloud billing exports end to end, as a user drops them: the vendor-shaped samples of Google Cloud Billing, AWS
CUR 2.0 and Azure Cost Management in their env vars, `finops run`, and the billed-cost mart holds each day's AI
lines in USD with credits, tax and refunds as their own line types; the other services' lines are counted in one
line of the run's output and are nowhere in the marts."""

import logging
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from e2e_helpers import serving

from orchestration.runner import check_summary, prepare_environment, run_pipeline
from orchestration.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


# the run hands finops.yaml to dbt: Bedrock's own tolerance, the default for the others; "bedrock" is no provider
FINOPS_YAML = """\
reconciliation:
  providers:
    aws_bedrock: {absolute_usd: 0.5, relative_pct: 1.25}
    bedrock: {absolute_usd: 1}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    saved = dict(os.environ)
    (home / "finops.yaml").write_text(FINOPS_YAML)
    os.environ.update(
        FINOPS_HOME=str(home),
        FINOPS_CONFIG=str(home / "finops.yaml"),
        FINOPS_GCP_BILLING_EXPORT=str(FIXTURES / "gcp_billing" / "export.jsonl"),
        FINOPS_AWS_CUR=str(FIXTURES / "aws_cur" / "cur2_bedrock.csv"),
        FINOPS_AZURE_COST_EXPORT=str(FIXTURES / "azure_cost" / "mca_actual_cost_eur.csv"),
    )
    handler, logger = _Lines(), logging.getLogger("finops")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        paths = Paths(home)
        prepare_environment(paths)
        check_summary(run_pipeline(date(2025, 6, 1), date(2025, 11, 6)))
        yield {"paths": paths, "lines": handler.lines}
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        os.environ.clear()
        os.environ.update(saved)


def test_other_services_are_counted_in_one_line_each(run):
    assert (
        "gcp_billing/export: left out 2 lines of services that are not AI spend (Cloud Storage 1, Compute Engine 1); "
        "they are not in the marts." in run["lines"]
    )
    assert (
        "aws_cur/line_items: left out 3 lines of services that are not AI spend (AmazonS3 2, AmazonEC2 1); "
        "they are not in the marts." in run["lines"]
    )
    assert (
        "azure_cost/cost_details: left out 1 lines of services that are not AI spend (Storage 1); "
        "they are not in the marts." in run["lines"]
    )


def test_finops_yaml_reaches_the_reconciliation(run):
    rows = serving(
        run["paths"],
        "select distinct provider, absolute_tolerance_usd, relative_tolerance_pct "
        "from marts.fct_cost_reconciliation_daily order by all",
    )
    assert rows == [
        ("aws_bedrock", Decimal("0.5"), Decimal("1.25")),
        ("azure_openai", Decimal("0.01"), 0),
        ("google", Decimal("0.01"), 0),
        ("google_vertex", Decimal("0.01"), 0),
    ]
    warned = [line for line in run["lines"] if line.startswith("warning: finops.yaml")]
    assert len(warned) == 1 and warned[0].startswith(
        "warning: finops.yaml line 4: provider 'bedrock' is not one this warehouse prices or bills"
    )


def test_each_days_bill_is_in_usd_with_its_line_types(run):
    rows = serving(
        run["paths"],
        "select provider, usage_date, line_type, sum(billed_cost_usd) from marts.fct_billed_cost_daily group by all",
    )
    billed = {(p, d, t): amount for p, d, t, amount in rows}
    assert billed == {
        ("google_vertex", date(2025, 6, 10), "usage"): Decimal("4"),
        ("google_vertex", date(2025, 6, 10), "refund"): Decimal("-0.5"),
        ("google_vertex", date(2025, 6, 10), "credit"): Decimal("-0.55"),
        ("google", date(2025, 6, 11), "usage"): Decimal("0.9"),  # EUR 0.828 at 0.92 per USD
        ("aws_bedrock", date(2025, 11, 1), "tax"): Decimal("0.8875"),
        ("aws_bedrock", date(2025, 11, 1), "credit"): Decimal("-1.0004"),
        ("aws_bedrock", date(2025, 11, 3), "usage"): Decimal("1.3364"),
        ("aws_bedrock", date(2025, 11, 4), "usage"): Decimal("10.5"),
        ("aws_bedrock", date(2025, 11, 6), "refund"): Decimal("-0.256"),
        ("azure_openai", date(2025, 6, 1), "usage"): Decimal("4.5"),  # the export's own costInUsd
    }
    # the services left out are nowhere in the marts
    names = serving(run["paths"], "select distinct line_item from marts.fct_billed_cost_daily")
    assert not [n for (n,) in names if "Storage" in n or "Compute" in n or "EC2" in n or "S3" in n]


def test_reconciliation_reports_credits_and_tax_apart(run):
    rows = serving(
        run["paths"],
        "select provider, usage_date, status, computed_cost_usd, billed_usage_usd, billed_cost_usd, credit_usd, "
        "tax_usd, refund_usd from marts.fct_cost_reconciliation_daily where provider like 'google%' order by all",
    )
    assert rows == [
        # the export's Gemini API tokens are token billing ($0.90 = EUR 0.828 at 0.92 EUR per USD), but the book
        # prices gemini-2.5-flash from its GA day, 2025-06-17: flagged, never $0
        ("google", date(2025, 6, 11), "unpriced_usage", 0, Decimal("0.9"), Decimal("0.9"), 0, 0, 0),
        # Vertex AI's tokens (us-central1, a regional endpoint: the same price for Gemini) at genai-prices' Gemini 2.5
        # Flash price, which has no start date in the package (from its floor day): 5M x $0.30 + 1M x $2.50 = $4.00,
        # what the export bills for them; credits and the refund apart
        (
            "google_vertex",
            date(2025, 6, 10),
            "matched",
            Decimal(4),
            Decimal("4"),
            Decimal("2.95"),
            Decimal("-0.55"),
            0,
            Decimal("-0.5"),
        ),
    ]
