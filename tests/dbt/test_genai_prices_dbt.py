"""The generated genai-prices seeds in dbt: requests (the plain JSONL format) whose models only genai-prices
prices get its prices through its match rules; a model the curated book prices keeps the curated price; a model
no source knows stays unpriced; OpenAI's long-context tier (gpt-5.4 over a 272K prompt) prices a whole request. Every cost worked out by hand from pricing_seeds/ (curated and generated)."""

import json
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt, vars_with

from connectors.files import digest
from connectors.jsonl_requests import SOURCE as PLAIN
from orchestration.loader import land_file

pytestmark = pytest.mark.slow


def request(request_id: str, provider: str, model: str, input_tokens: int, output_tokens: int) -> dict:
    return {
        "format": "finops.request.v1", "request_id": request_id, "timestamp": "2026-11-01T10:00:00Z",
        "provider": provider, "model": model, "service_tier": "default", "input_tokens": input_tokens,
        "cache_read_tokens": 0, "output_tokens": output_tokens,
    }  # fmt: skip


REQUESTS = [
    # Bedrock's cross-region id: no alias, no curated row; genai-prices' `contains us.anthropic.claude-sonnet-4-5-
    # 20250929` rule -> its regional Sonnet 4.5 at $3.30 / $16.50: 1M x 3.30 + 100k x 16.50 = 3.30 + 1.65 = $4.95
    request("r-bedrock", "bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 100_000),
    # Mistral's dated id, unknown to the curated book: `equals mistral-medium-2508` -> mistral-medium-3-1 at
    # $0.40 / $2: 2M x 0.40 + 500k x 2 = 0.80 + 1.00 = $1.80
    request("r-mistral", "mistral", "mistral-medium-2508", 2_000_000, 500_000),
    # in both books: the curated id keeps its curated price. A 1M prompt is over the 128k tier (a cliff): curated
    # $0.075 / $0.30 there: 1M x 0.075 + 100k x 0.30 = 0.075 + 0.03 = $0.105 (genai-prices resolves the name to
    # gemini-1.5-flash, $0.15 / $0.60 over 128k, which would give $0.21: a disagreement the report lists)
    request("r-gemini", "google", "gemini-1.5-flash-8b", 1_000_000, 100_000),
    # `grok-4` has no curated row: genai-prices' `equals grok-4` rule names grok-4-0709, which the curated book
    # prices ($3 input): 1M x 3 = $3.00
    request("r-grok", "xai", "grok-4", 1_000_000, 0),
    # no source knows it: flagged unpriced, never $0
    request("r-mystery", "openai", "mystery-model-9000", 1_000, 10),
    # OpenAI's long context (gpt-5.4: $2.50 / $15 up to a 272K prompt, $5 / $22.50 above, every token of the request):
    # 300K prompt: 300k x 5 + 10k x 22.50 = 1.50 + 0.225 = $1.725; 100K prompt: 100k x 2.50 + 10k x 15 = $0.40
    request("r-gpt54-long", "openai", "gpt-5.4", 300_000, 10_000),
    request("r-gpt54-short", "openai", "gpt-5.4", 100_000, 10_000),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("finops_home")
    path = tmp_path_factory.mktemp("drop") / "requests.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in REQUESTS))
    (feed,) = PLAIN.feeds
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        land_file(conn, feed.table, feed.read(path), path=str(path), digest=digest(path), run_id="test")
    models = ["stg_jsonl_requests__requests", "stg_jsonl_requests__request_lines", "int_requests_unioned"]
    models += ["int_request_usage", "fct_request_cost", "path:models/staging/pricing", "resource_type:seed"]
    args = ["build", *vars_with(request_lines=["stg_jsonl_requests__request_lines"], price_lines=[])]
    result = run_dbt(home, [*args, "--indirect-selection", "cautious", "--select", *models])
    require_success(result)
    return home / "warehouse.duckdb"


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_requests_are_priced_through_the_generated_rules_and_the_curated_book_wins(warehouse):
    rows = query(
        warehouse,
        "select request_id, provider, model_id, list_cost_usd, is_priced from marts.fct_request_cost order by 1",
    )
    assert rows == [
        ("r-bedrock", "bedrock", "regional.anthropic.claude-sonnet-4-5-20250929-v1:0", D("4.95"), True),
        ("r-gemini", "google", "gemini-1.5-flash-8b", D("0.105"), True),
        ("r-gpt54-long", "openai", "gpt-5.4", D("1.725"), True),
        ("r-gpt54-short", "openai", "gpt-5.4", D("0.40"), True),
        ("r-grok", "xai", "grok-4-0709", D("3.00"), True),
        ("r-mistral", "mistral", "mistral-medium-3-1", D("1.80"), True),
        ("r-mystery", "openai", "mystery-model-9000", None, False),
    ]


def test_a_generated_row_is_dropped_where_the_curated_book_has_the_same_key(warehouse):
    # grok-4-0709 input: curated (2025-07-09, $3) and generated (2023-01-01 floor, $3): only the curated row stays
    rows = query(
        warehouse,
        "select price_origin, effective_from, unit_price_usd from staging.stg_pricing__price_book "
        "where provider = 'xai' and model_id = 'grok-4-0709' and usage_type = 'input_tokens'",
    )
    assert [(origin, str(day), price) for origin, day, price in rows] == [("curated", "2025-07-09", D(3))]
    # a key the curated book lacks is filled from genai-prices (Mistral Medium 3.1's cache reads, $0.04)
    rows = query(
        warehouse,
        "select price_origin, unit_price_usd from staging.stg_pricing__price_book "
        "where provider = 'mistral' and model_id = 'mistral-medium-3-1' and usage_type = 'cache_read_tokens'",
    )
    assert rows == [("genai-prices", D("0.04"))]
