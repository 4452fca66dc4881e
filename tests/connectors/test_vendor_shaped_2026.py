"""Issue 9's acceptance on admin-API answers shaped as the vendors document them, for 2026 traffic: the
connectors read them from HTTP (mocked at the transport, as the real APIs would answer), the loader lands them,
dbt prices them, and every priced cell equals the hand computation below; where the invoice matches, the
reconciliation says matched, with no unexplained variance.

The envelopes and field names are the vendors' (tests/fixtures/<vendor>/ hold their documented examples; the
newest Anthropic usage-report result carries inference_geo and, grouped by speed, speed; OpenAI's completions
result carries the cached and modality counts, its Costs API a free-text line_item such as
'gpt-4o-mini-2024-07-18, cached input'). Only the numbers are ours, chosen for 2026 models.

Anthropic, 2026-03-20, workspace wrkspc_acme (book: Opus 4.6 $5 in, $0.50 cache read, $6.25 / $10 cache
writes, $25 out, web search $10 / 1k, batch half; Sonnet 4.6 $3 / $15, US-only inference x 1.1):
  Opus 4.6 standard, global: 2,000,000 x $5 = $10.00; 4,000,000 cache reads x $0.50 = $2.00; 500,000 5-minute
    writes x $6.25 = $3.125; 200,000 1-hour writes x $10 = $2.00; 300,000 out x $25 = $7.50; 20 searches =
    $0.20                                                                            -> $24.825
  Opus 4.6 batch: 1,000,000 x $2.50 = $2.50; 1,000,000 out x $12.50 = $12.50       -> $15.00
  Sonnet 4.6 standard, US-only: 1,000,000 x $3.30 = $3.30; 100,000 out x $16.50 = $1.65  -> $4.95
  the day: $44.775; the cost report bills the same amounts per line (in cents, as decimal strings).
OpenAI, 2026-03-20, project proj_acme (book: gpt-5.1 $1.25 in, $0.125 cached, $10 out; the dated id
gpt-5.1-2025-11-13 resolves to gpt-5.1):
  input_tokens 3,000,000 of which 1,000,000 cached: 2,000,000 x $1.25 = $2.50; 1,000,000 x $0.125 = $0.125;
  output 500,000 x $10 = $5.00                                                       -> $7.625
  the Costs API bills $2.50 + $0.125 + $5.00 on three line items.
"""

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import responses

from connectors.anthropic import AnthropicAdminClient
from connectors.anthropic.tables import ANTHROPIC_COST_REPORT, ANTHROPIC_MESSAGES_USAGE
from connectors.openai import OpenAIAdminClient
from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE, OPENAI_COSTS
from orchestration.loader import ensure_raw_tables, land

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import build_selected  # noqa: E402

pytestmark = pytest.mark.slow

D = Decimal
DAY, NEXT = date(2026, 3, 20), date(2026, 3, 21)
ANT_BASE, OAI_BASE = "https://api.anthropic.test", "https://api.openai.test/v1"
ANT_KEY, OAI_KEY = "sk-ant-admin01-test-not-a-real-key", "sk-admin-test-not-a-real-key"
WORKSPACE, PROJECT = "wrkspc_acme", "proj_acme"


def anthropic_usage(model: str, tier: str, geo: str, **tokens: int) -> dict:
    """A usage-report result as the newest reference page shows it, grouped by speed as well."""
    return {
        "account_id": None,
        "api_key_id": "apikey_01acme",
        "cache_creation": {
            "ephemeral_1h_input_tokens": tokens.get("w1h", 0),
            "ephemeral_5m_input_tokens": tokens.get("w5m", 0),
        },
        "cache_read_input_tokens": tokens.get("read", 0),
        "context_window": "0-200k",
        "inference_geo": geo,
        "model": model,
        "output_tokens": tokens.get("out", 0),
        "server_tool_use": {"web_search_requests": tokens.get("searches", 0)},
        "service_account_id": None,
        "service_tier": tier,
        "speed": "standard",
        "uncached_input_tokens": tokens.get("inp", 0),
        "workspace_id": WORKSPACE,
    }


def anthropic_cost(description: str, model: str | None, token_type: str | None, tier: str | None, cents: str) -> dict:
    """A cost-report result grouped by workspace_id and description (amount: cents, as a decimal string)."""
    return {
        "currency": "USD",
        "amount": cents,
        "workspace_id": WORKSPACE,
        "description": description,
        "cost_type": "tokens" if token_type else "web_search",
        "context_window": "0-200k" if token_type else None,
        "model": model,
        "service_tier": tier,
        "token_type": token_type,
        "inference_geo": None,
        "speed": None,
    }


def anthropic_page(results: list[dict]) -> dict:
    bucket = {"starting_at": "2026-03-20T00:00:00Z", "ending_at": "2026-03-21T00:00:00Z", "results": results}
    return {"data": [bucket], "has_more": False, "next_page": None}


OPUS, SONNET = "claude-opus-4-6", "claude-sonnet-4-6"
ANTHROPIC_USAGE = [
    anthropic_usage(
        OPUS, "standard", "global", inp=2_000_000, read=4_000_000, w5m=500_000, w1h=200_000, out=300_000, searches=20
    ),
    anthropic_usage(OPUS, "batch", "global", inp=1_000_000, out=1_000_000),
    anthropic_usage(SONNET, "standard", "us", inp=1_000_000, out=100_000),
]
ANTHROPIC_COSTS = [
    anthropic_cost("Claude Opus 4.6 Usage - Input Tokens", OPUS, "uncached_input_tokens", "standard", "1000"),
    anthropic_cost(
        "Claude Opus 4.6 Usage - Cache Read Input Tokens", OPUS, "cache_read_input_tokens", "standard", "200"
    ),
    anthropic_cost(
        "Claude Opus 4.6 Usage - 5m Cache Write Input Tokens",
        OPUS,
        "cache_creation.ephemeral_5m_input_tokens",
        "standard",
        "312.5",
    ),
    anthropic_cost(
        "Claude Opus 4.6 Usage - 1h Cache Write Input Tokens",
        OPUS,
        "cache_creation.ephemeral_1h_input_tokens",
        "standard",
        "200",
    ),
    anthropic_cost("Claude Opus 4.6 Usage - Output Tokens", OPUS, "output_tokens", "standard", "750"),
    anthropic_cost("Claude Opus 4.6 Usage - Input Tokens (Batch)", OPUS, "uncached_input_tokens", "batch", "250"),
    anthropic_cost("Claude Opus 4.6 Usage - Output Tokens (Batch)", OPUS, "output_tokens", "batch", "1250"),
    anthropic_cost("Claude Sonnet 4.6 Usage - Input Tokens", SONNET, "uncached_input_tokens", "standard", "330"),
    anthropic_cost("Claude Sonnet 4.6 Usage - Output Tokens", SONNET, "output_tokens", "standard", "165"),
    anthropic_cost("Web Search Usage", None, None, None, "20"),
]

START, END = 1773964800, 1774051200  # 2026-03-20T00:00:00Z, 2026-03-21T00:00:00Z


def openai_page(results: list[dict]) -> dict:
    bucket = {"object": "bucket", "start_time": START, "end_time": END, "results": results}
    return {"object": "page", "data": [bucket], "has_more": False, "next_page": None}


OPENAI_USAGE = [
    {
        "object": "organization.usage.completions.result",
        "input_tokens": 3_000_000,
        "input_cached_tokens": 1_000_000,
        "input_cache_write_tokens": 0,
        "input_uncached_tokens": 2_000_000,
        "output_tokens": 500_000,
        "input_text_tokens": 2_000_000,
        "output_text_tokens": 500_000,
        "input_cached_text_tokens": 1_000_000,
        "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0,
        "output_audio_tokens": 0,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": 1200,
        "project_id": PROJECT,
        "user_id": None,
        "api_key_id": "key_acme",
        "model": "gpt-5.1-2025-11-13",
        "batch": False,
        "service_tier": "default",
    }
]
OPENAI_COST_RESULTS = [
    {
        "object": "organization.costs.result",
        "amount": {"value": value, "currency": "usd"},
        "line_item": line_item,
        "project_id": PROJECT,
        "api_key_id": None,
        "quantity": None,
        "quantity_unit": None,
    }
    for line_item, value in (
        ("gpt-5.1-2025-11-13, input", 2.5),
        ("gpt-5.1-2025-11-13, cached input", 0.125),
        ("gpt-5.1-2025-11-13, output", 5.0),
    )
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.get(f"{ANT_BASE}/v1/organizations/usage_report/messages", json=anthropic_page(ANTHROPIC_USAGE))
        mock.get(f"{ANT_BASE}/v1/organizations/cost_report", json=anthropic_page(ANTHROPIC_COSTS))
        mock.get(f"{OAI_BASE}/organization/usage/completions", json=openai_page(OPENAI_USAGE))
        mock.get(f"{OAI_BASE}/organization/costs", json=openai_page(OPENAI_COST_RESULTS))
        with AnthropicAdminClient(ANT_KEY, ANT_BASE) as anthropic, OpenAIAdminClient(OAI_KEY, OAI_BASE) as openai:
            pulls = [
                (ANTHROPIC_MESSAGES_USAGE, list(anthropic.iter_messages_usage(DAY, NEXT))),
                (ANTHROPIC_COST_REPORT, list(anthropic.iter_cost_report(DAY, NEXT))),
                (OPENAI_COMPLETIONS_USAGE, list(openai.iter_completions_usage(DAY, NEXT))),
                (OPENAI_COSTS, list(openai.iter_costs(DAY, NEXT))),
            ]
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        for table, rows in pulls:
            land(conn, table, rows, run_id="vendor-shaped", window=(DAY, NEXT))
    usage = ["stg_anthropic__usage_lines", "stg_openai__usage_lines"]
    billed = ["stg_anthropic__billed_lines", "stg_openai__billed_lines"]
    build_selected(
        home,
        ["resource_type:seed", "+fct_cost_reconciliation_daily"],
        usage_lines=usage,
        billed_lines=billed,
        price_lines=[],
        accounts=["stg_openai__accounts", "stg_anthropic__accounts"],
    )
    return home / "warehouse.duckdb"


def cells(warehouse, provider: str) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select model_id, service_tier, usage_type, unit_price_usd, list_cost_usd from marts.fct_usage_cost_daily "
            "where provider = ? and is_priced",
            [provider],
        ).fetchall()
        unpriced = conn.execute(
            "select count(*) from marts.fct_usage_cost_daily where provider = ? and not is_priced", [provider]
        ).fetchone()[0]
    assert unpriced == 0
    return {(m, t, u): (price, cost) for m, t, u, price, cost in rows}


def test_every_anthropic_cell_is_the_hand_computation(warehouse):
    assert cells(warehouse, "anthropic") == {
        (OPUS, "standard", "input_tokens"): (D(5), D("10.00")),
        (OPUS, "standard", "cache_read_tokens"): (D("0.5"), D("2.00")),
        (OPUS, "standard", "cache_write_tokens"): (D("6.25"), D("3.125")),
        (OPUS, "standard", "cache_write_1h_tokens"): (D(10), D("2.00")),
        (OPUS, "standard", "output_tokens"): (D(25), D("7.50")),
        (OPUS, "standard", "web_search_requests"): (D(10), D("0.20")),
        (OPUS, "batch", "input_tokens"): (D("2.5"), D("2.50")),
        (OPUS, "batch", "output_tokens"): (D("12.5"), D("12.50")),
        (SONNET, "standard", "input_tokens"): (D("3.3"), D("3.30")),
        (SONNET, "standard", "output_tokens"): (D("16.5"), D("1.65")),
    }


def test_every_openai_cell_is_the_hand_computation(warehouse):
    assert cells(warehouse, "openai") == {
        ("gpt-5.1", "standard", "input_tokens"): (D("1.25"), D("2.50")),
        ("gpt-5.1", "standard", "cache_read_tokens"): (D("0.125"), D("0.125")),
        ("gpt-5.1", "standard", "output_tokens"): (D(10), D("5.00")),
    }


def test_where_the_invoice_matches_reconciliation_says_matched(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "select provider, account_id, computed_cost_usd, billed_cost_usd, variance_usd, status, likely_cause "
            "from marts.fct_cost_reconciliation_daily where usage_date = ? order by provider",
            [DAY],
        ).fetchall()
    assert rows == [
        ("anthropic", WORKSPACE, D("44.775"), D("44.775"), D(0), "matched", None),
        ("openai", PROJECT, D("7.625"), D("7.625"), D(0), "matched", None),
    ]
