"""The staging semantic tests (dbt_project/tests/generic: is_at_most, is_usd_or_has_rate; non_negative_columns on
the Anthropic buckets) fail on hand-made bad rows, and no more rows than those; their results go into
ops.quality_results as failed error-severity checks (orchestration/quality/dbt_tests.py), written from the
artifacts of the build that stopped on them.

One build of the staging models of a small raw landing: one good and one bad row per rule (plus a EUR GCP line
that carries its rate, which passes). The loader would keep the two bad token rows out of raw (a negative bucket,
and the negative uncached count that cached > input implies, go to ops.quarantine: test_raw_checks.py); these dbt
tests are the backstop for rows that reach raw another way (a warehouse landed before quarantine existed), so the
fixture lands them with quarantine switched off."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import run_dbt, vars_with

from connectors.anthropic.tables import ANTHROPIC_COST_REPORT, ANTHROPIC_MESSAGES_USAGE
from connectors.aws_cur.tables import AWS_CUR_LINE_ITEMS
from connectors.gcp_billing.tables import GCP_BILLING_EXPORT
from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE, OPENAI_COSTS
from orchestration.loader import ensure_raw_tables, land, land_file
from orchestration.quality import dbt_tests, quarantine

pytestmark = pytest.mark.slow

DAY = date(2025, 3, 1)
WINDOW = (DAY, DAY + timedelta(days=1))
START = datetime(2025, 3, 1)
BUCKET = {"bucket_start": START, "bucket_end": START + timedelta(days=1)}
MODELS = [
    "stg_openai__completions_usage",
    "stg_openai__costs",
    "stg_openai__billed_lines",
    "stg_anthropic__messages_usage",
    "stg_anthropic__cost_report",
    "stg_anthropic__billed_lines",
    "stg_gcp_billing__export",
    "stg_aws_cur__line_items",
    "aws_cur__bedrock_model_names",  # the CUR's model names, which stg_aws_cur__line_items reads
]


def row(table, **values) -> dict:
    return {**dict.fromkeys(table.column_names), **values, "_raw": {}}


def openai_usage(key: str, input_tokens: int, cached: int) -> dict:
    zero = {name: 0 for name in table_tokens(OPENAI_COMPLETIONS_USAGE)}
    return row(
        OPENAI_COMPLETIONS_USAGE,
        **BUCKET,
        **{
            **zero,
            "input_tokens": input_tokens,
            "input_cached_tokens": cached,
            "input_uncached_tokens": input_tokens - cached,
            "input_text_tokens": input_tokens,
        },
        project_id="proj",
        api_key_id=key,
        model="gpt-4o-2024-08-06",
        batch=False,
        service_tier="default",
        num_model_requests=1,
    )


def table_tokens(table) -> list[str]:
    return [name for name in table.column_names if name.endswith("_tokens")]


def anthropic_usage(key: str, cache_read: int) -> dict:
    zero = {name: 0 for name in table_tokens(ANTHROPIC_MESSAGES_USAGE)}
    tokens = {**zero, "uncached_input_tokens": 1000, "cache_read_input_tokens": cache_read, "output_tokens": 10}
    return row(
        ANTHROPIC_MESSAGES_USAGE,
        **BUCKET,
        **tokens,
        workspace_id="wrkspc",
        api_key_id=key,
        model="claude-sonnet-4-5-20250929",
        service_tier="standard",
        context_window="0-200k",
    )


def gcp_line(sku: str, currency: str, rate: str | None) -> dict:
    return row(
        GCP_BILLING_EXPORT,
        billing_account_id="acct",
        project_id="proj",
        service_id="C7E2-9256-1C43",
        service_description="Vertex AI",
        sku_description=sku,
        cost_type="regular",
        usage_unit="count",
        usage_amount=Decimal(1000),
        currency=currency,
        currency_conversion_rate=None if rate is None else Decimal(rate),
        cost=Decimal("0.90"),
        credits="[]",
        usage_start_time=datetime(2025, 3, 1, 7),
        usage_end_time=datetime(2025, 3, 1, 8),
    )


def aws_line(line_id: str, currency: str) -> dict:
    return row(
        AWS_CUR_LINE_ITEMS,
        identity_line_item_id=line_id,
        identity_time_interval="2025-03-01T00:00:00Z/2025-03-02T00:00:00Z",
        line_item_usage_account_id="111122223333",
        line_item_line_item_type="Usage",
        line_item_usage_start_date=START,
        line_item_usage_end_date=START + timedelta(hours=1),
        line_item_product_code="AmazonBedrock",
        line_item_usage_type="USE1-Claude3Sonnet-input-tokens",
        line_item_usage_amount=Decimal(1),
        line_item_currency_code=currency,
        line_item_unblended_cost=Decimal("0.003"),
        product_product_name="Amazon Bedrock",
        product="{}",
        resource_tags="{}",
        file_row_number=int(line_id[-1]),
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(dbt's result per test name: (status, failures), the warehouse path, the dbt target folder)."""
    home = tmp_path_factory.mktemp("finops_home")
    warehouse = home / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn, pytest.MonkeyPatch.context() as patch:
        ensure_raw_tables(conn)
        patch.setattr(quarantine, "applies", lambda table: False)  # the bad rows reach raw (see the docstring)
        land(
            conn,
            OPENAI_COMPLETIONS_USAGE,
            [openai_usage("key_good", 1000, 400), openai_usage("key_bad", 100, 150)],  # 150 cached of 100 input
            run_id="r",
            window=WINDOW,
        )
        land(
            conn,
            ANTHROPIC_MESSAGES_USAGE,
            [anthropic_usage("key_good", 500), anthropic_usage("key_bad", -5)],  # a negative bucket
            run_id="r",
            window=WINDOW,
        )
        patch.undo()
        costs = [
            row(OPENAI_COSTS, **BUCKET, project_id="proj", line_item="gpt-4o-2024-08-06, input", amount_value=Decimal("2.5"), amount_currency="usd"),
            # an amount in euros: the costs API has no rate, so it would be taken as dollars
            row(OPENAI_COSTS, **BUCKET, project_id="proj", line_item="gpt-4o-2024-08-06, output", amount_value=Decimal("1.0"), amount_currency="eur"),
        ]  # fmt: skip
        land(conn, OPENAI_COSTS, costs, run_id="r", window=WINDOW)
        report = [
            row(ANTHROPIC_COST_REPORT, **BUCKET, workspace_id="wrkspc", description="Web Search Usage", cost_type="web_search", amount_cents=Decimal(1000), currency="USD"),
            row(ANTHROPIC_COST_REPORT, **BUCKET, workspace_id="wrkspc", description="Code Execution Usage", cost_type="code_execution", amount_cents=Decimal(500), currency="GBP"),
        ]  # fmt: skip
        land(conn, ANTHROPIC_COST_REPORT, report, run_id="r", window=WINDOW)
        gcp = [
            gcp_line("Gemini 2.5 Flash GA Text Input - Predictions", "USD", "1"),
            gcp_line("Gemini 2.5 Flash GA Text Output - Predictions", "EUR", "0.9"),  # converted with its rate: fine
            gcp_line("Gemini 2.5 Pro GA Text Input - Predictions", "EUR", None),  # no rate: cannot be converted
        ]
        land_file(conn, GCP_BILLING_EXPORT, gcp, path="gcp/export.csv", digest="d1", run_id="r")
        aws = [aws_line("line-1", "USD"), aws_line("line-2", "EUR")]  # CUR has no rate column
        land_file(conn, AWS_CUR_LINE_ITEMS, aws, path="aws/cur.csv", digest="d2", run_id="r")
    selection = ["--select", *MODELS, "--exclude", "test_type:unit", "--indirect-selection", "cautious"]
    result = run_dbt(home, ["build", *vars_with(), *selection])
    assert not result.success  # the error-severity tests stop the build
    outcomes = {
        r.node.name: (str(r.status), r.failures) for r in result.result.results if r.node.resource_type == "test"
    }
    return outcomes, warehouse, home / "dbt_target"


def outcome(built, test_prefix: str) -> tuple[str, int]:
    [name] = [name for name in built[0] if name.startswith(test_prefix)]
    return built[0][name]


def test_openai_cached_over_input_fails_on_the_bad_row_only(built):
    assert outcome(built, "is_at_most_stg_openai__completions_usage_input_cached_tokens_") == ("fail", 1)
    assert outcome(built, "is_at_most_stg_openai__completions_usage_input_cached_audio_tokens_") == ("pass", 0)


def test_anthropic_negative_bucket_fails(built):
    # one test covers the five token buckets; the one row with a negative bucket is its one failure
    assert outcome(built, "non_negative_columns_stg_anthropic__messages_usage_") == ("fail", 1)


def test_non_usd_without_a_rate_fails_and_a_converted_line_passes(built):
    assert outcome(built, "is_usd_or_has_rate_stg_openai__billed_lines_currency") == ("fail", 1)
    assert outcome(built, "is_usd_or_has_rate_stg_anthropic__billed_lines_currency") == ("fail", 1)
    assert outcome(built, "is_usd_or_has_rate_stg_aws_cur__line_items_currency") == ("fail", 1)
    # of the two EUR lines only the one without currency_conversion_rate
    assert outcome(built, "is_usd_or_has_rate_stg_gcp_billing__export_currency") == ("fail", 1)


def test_the_failed_tests_are_recorded_as_blocking_failures(built):
    _, warehouse, target = built
    with duckdb.connect(str(warehouse)) as conn:
        dbt_tests.record(conn, target, run_id="run-1")
        failed = conn.execute(
            "select layer, asset, check_name, severity, unexpected_count, rows_checked from ops.quality_results "
            "where run_id = 'run-1' and status = 'failed' order by asset, check_name"
        ).fetchall()
        negatives = conn.execute(
            "select observed_value, description from ops.quality_results "
            "where run_id = 'run-1' and check_name = 'non_negative_columns'"
        ).fetchall()
    # the one test of the five buckets names the bucket that held the negative, counted in the built view
    assert negatives[0][0] == "1 failing row: negative values in cache_read_input_tokens (1)"
    assert negatives[0][1].startswith("The token buckets are never negative")
    assert failed == [
        ("staging", "staging/stg_anthropic__billed_lines", "is_usd_or_has_rate(currency)", "error", 1, 2),
        ("staging", "staging/stg_anthropic__messages_usage", "non_negative_columns", "error", 1, 2),
        ("staging", "staging/stg_aws_cur__line_items", "is_usd_or_has_rate(currency)", "error", 1, 2),
        ("staging", "staging/stg_gcp_billing__export", "is_usd_or_has_rate(currency)", "error", 1, 3),
        ("staging", "staging/stg_openai__billed_lines", "is_usd_or_has_rate(currency)", "error", 1, 2),
        ("staging", "staging/stg_openai__completions_usage", "is_at_most(input_cached_tokens)", "error", 1, 2),
    ]
