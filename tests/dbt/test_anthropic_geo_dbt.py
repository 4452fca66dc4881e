"""Anthropic's US-only inference is priced at its 1.1x uplift: the usage report's inference_geo stays in the
usage grain (fct_usage_cost_daily.inference_geo) and a price_modifiers row whose service tier is region_us
multiplies every token price of that usage, on top of its tier (Claude Platform on AWS, Data residency: "US:
Inference stays within US data centers. A 1.1x pricing multiplier applies."). Costs worked out by hand below."""

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import PRICING_MODELS, run_dbt, vars_with

from connectors.anthropic.tables import ANTHROPIC_MESSAGES_USAGE
from orchestration.loader import ensure_raw_tables, land

pytestmark = pytest.mark.slow

D = Decimal
DAY = date(2026, 2, 20)
OPUS = "claude-opus-4-6"  # the book: $5 in, $0.50 cache read, $6.25 / $10 cache writes, $25 out (standard)
SELECT = [
    *PRICING_MODELS,
    "stg_anthropic__messages_usage",
    "stg_anthropic__usage_lines",
    "int_usage_unioned",
    "int_usage_priced",
]


def usage(api_key_id: str, model: str, geo: str | None, tier: str = "standard", **tokens: int) -> dict:
    row = dict.fromkeys(ANTHROPIC_MESSAGES_USAGE.column_names)
    row |= {
        "bucket_start": datetime(2026, 2, 20),
        "bucket_end": datetime(2026, 2, 21),
        "workspace_id": "wrkspc_eu",
        "api_key_id": api_key_id,
        "model": model,
        "service_tier": tier,
        "context_window": "0-200k",
        "inference_geo": geo,
    }
    return {**row, **tokens, "_raw": {"model": model}}


ROWS = [
    # US-only: 1.1x every token price, the web searches stay at $10 / 1k:
    #   1,000,000 x $5.50 = $5.50; cache reads 2,000,000 x $0.55 = $1.10; 5-minute writes 400,000 x $6.875
    #   = $2.75; 1-hour writes 100,000 x $11 = $1.10; output 200,000 x $27.50 = $5.50; 10 searches = $0.10
    usage(
        "key_us",
        OPUS,
        "us",
        uncached_input_tokens=1_000_000,
        cache_read_input_tokens=2_000_000,
        cache_creation_5m_input_tokens=400_000,
        cache_creation_1h_input_tokens=100_000,
        output_tokens=200_000,
        web_search_requests=10,
    ),
    # global routing, the same model: 1,000,000 x $5 = $5.00
    usage("key_global", OPUS, "global", uncached_input_tokens=1_000_000),
    # US-only batch: the batch half price, then the uplift: 1,000,000 x $5 x 0.5 x 1.1 = $2.75
    usage("key_us_batch", OPUS, "us", tier="batch", uncached_input_tokens=1_000_000),
    # an older model has no geo choice ("not_available"): global, no uplift; Sonnet 4.5 $3 -> $3.00
    usage("key_old", "claude-sonnet-4-5-20250929", "not_available", uncached_input_tokens=1_000_000),
]


@pytest.fixture(scope="module")
def priced(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land(conn, ANTHROPIC_MESSAGES_USAGE, ROWS, run_id="run-1", window=(DAY, date(2026, 2, 21)))
    # the union's own unit test reads every source's usage lines; only Anthropic's are built here
    selection = [
        "--select",
        *SELECT,
        "--exclude",
        "int_usage_unioned,test_type:unit",
        "--indirect-selection",
        "cautious",
    ]
    variables = vars_with(usage_lines=["stg_anthropic__usage_lines"], price_lines=[])
    result = run_dbt(home, ["build", *variables, *selection])
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select api_key_id, inference_geo, usage_type, unit_price_usd, list_cost_usd, price_multiplier "
            "from intermediate.int_usage_priced order by api_key_id, usage_type"
        ).fetchall()


def test_us_only_inference_costs_a_tenth_more_on_every_token(priced):
    rows = [(geo, usage_type, price, cost) for key, geo, usage_type, price, cost, _ in priced if key == "key_us"]
    assert rows == [
        ("us", "cache_read_tokens", D("0.55"), D("1.10")),
        ("us", "cache_write_1h_tokens", D(11), D("1.10")),
        ("us", "cache_write_tokens", D("6.875"), D("2.75")),
        ("us", "input_tokens", D("5.5"), D("5.50")),
        ("us", "output_tokens", D("27.5"), D("5.50")),
        ("us", "web_search_requests", D(10), D("0.10")),
    ]
    assert sum(row[4] for row in priced if row[0] == "key_us") == D("16.05")


def test_global_and_older_models_are_not_uplifted(priced):
    rows = {
        key: (geo, cost, multiplier) for key, geo, _, _, cost, multiplier in priced if key in ("key_global", "key_old")
    }
    assert rows == {"key_global": ("global", D("5.00"), None), "key_old": ("global", D("3.00"), None)}


def test_the_uplift_stacks_on_the_batch_discount(priced):
    rows = [(geo, price, cost, multiplier) for key, geo, _, price, cost, multiplier in priced if key == "key_us_batch"]
    assert rows == [("us", D("2.75"), D("2.75"), D("0.55"))]
