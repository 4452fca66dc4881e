"""Anthropic's US-only inference is priced at its 1.1x uplift: the usage report's inference_geo stays in the
usage grain (fct_usage_cost_daily.inference_geo) and a price_modifiers row whose service tier is region_us
multiplies every token price of that usage, on top of its tier (Claude Platform on AWS, Data residency: "US:
Inference stays within US data centers. A 1.1x pricing multiplier applies.").

Fast mode (the report's speed 'fast', asked for with the fast-mode beta header) is priced as its own tier: a
multiple of the standard rates over the whole context window, stacked with the cache multipliers and the geo
uplift (Anthropic's fast mode page: Opus 4.6 at 6x, $30 / $150 per MTok up to 200K input, $60 / $225 above).
A model or tier without a published fast price is unpriced, never priced at the standard rate. Costs worked
out by hand below."""

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import PRICING_MODELS, build_selected

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


def usage(
    api_key_id: str,
    model: str,
    geo: str | None,
    tier: str = "standard",
    speed: str | None = None,
    window: str = "0-200k",
    **tokens: int,
) -> dict:
    row = dict.fromkeys(ANTHROPIC_MESSAGES_USAGE.column_names)
    row |= {
        "bucket_start": datetime(2026, 2, 20),
        "bucket_end": datetime(2026, 2, 21),
        "workspace_id": "wrkspc_eu",
        "api_key_id": api_key_id,
        "model": model,
        "service_tier": tier,
        "context_window": window,
        "inference_geo": geo,
        "speed": speed,
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
    # fast mode, 6x the standard rates with the cache multipliers on top: 1,000,000 x $30 = $30.00; cache reads
    # 1,000,000 x $3 = $3.00; 5-minute writes 100,000 x $37.50 = $3.75; output 100,000 x $150 = $15.00;
    # 10 searches at the flat $10 / 1k = $0.10; total $51.85
    usage(
        "key_fast",
        OPUS,
        "global",
        speed="fast",
        uncached_input_tokens=1_000_000,
        cache_read_input_tokens=1_000_000,
        cache_creation_5m_input_tokens=100_000,
        output_tokens=100_000,
        web_search_requests=10,
    ),
    # fast mode above 200K input: 6x the long-context rates, the page's $60 / $225: 1,000,000 x $60 = $60.00;
    # 100,000 x $225 = $22.50
    usage(
        "key_fast_long",
        OPUS,
        "global",
        speed="fast",
        window="200k-1M",
        uncached_input_tokens=1_000_000,
        output_tokens=100_000,
    ),
    # fast and US-only: 1,000,000 x $30 x 1.1 = $33.00
    usage("key_fast_us", OPUS, "us", speed="fast", uncached_input_tokens=1_000_000),
    # speed reported as standard: the standard price, $5.00
    usage("key_standard_speed", OPUS, "global", speed="standard", uncached_input_tokens=1_000_000),
    # no fast price published: Sonnet 4.5 in fast mode, and fast mode on the batch tier, are unpriced
    usage(
        "key_fast_sonnet", "claude-sonnet-4-5-20250929", "not_available", speed="fast", uncached_input_tokens=1_000_000
    ),
    usage("key_fast_batch", OPUS, "global", tier="batch", speed="fast", uncached_input_tokens=1_000_000),
]


@pytest.fixture(scope="module")
def priced(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land(conn, ANTHROPIC_MESSAGES_USAGE, ROWS, run_id="run-1", window=(DAY, date(2026, 2, 21)))
    build_selected(home, SELECT, usage_lines=["stg_anthropic__usage_lines"], price_lines=[])
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select api_key_id, inference_geo, usage_type, unit_price_usd, list_cost_usd, price_multiplier, "
            "service_tier, is_priced from intermediate.int_usage_priced order by api_key_id, usage_type"
        ).fetchall()


def test_us_only_inference_costs_a_tenth_more_on_every_token(priced):
    rows = [(geo, usage_type, price, cost) for key, geo, usage_type, price, cost, *_ in priced if key == "key_us"]
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
        key: (geo, cost, multiplier)
        for key, geo, _, _, cost, multiplier, *_ in priced
        if key in ("key_global", "key_old")
    }
    assert rows == {"key_global": ("global", D("5.00"), None), "key_old": ("global", D("3.00"), None)}


def test_the_uplift_stacks_on_the_batch_discount(priced):
    rows = [
        (geo, price, cost, multiplier) for key, geo, _, price, cost, multiplier, *_ in priced if key == "key_us_batch"
    ]
    assert rows == [("us", D("2.75"), D("2.75"), D("0.55"))]


def by_key(priced, key: str) -> list[tuple]:
    """(service tier, usage type, unit price, cost, priced) of one api key's rows."""
    return [(tier, usage_type, price, cost, ok) for k, _, usage_type, price, cost, _, tier, ok in priced if k == key]


def test_fast_mode_is_six_times_standard_on_opus_4_6_with_the_cache_multipliers_on_top(priced):
    assert by_key(priced, "key_fast") == [
        ("fast", "cache_read_tokens", D(3), D("3.00"), True),
        ("fast", "cache_write_tokens", D("37.5"), D("3.75"), True),
        ("fast", "input_tokens", D(30), D("30.00"), True),
        ("fast", "output_tokens", D(150), D("15.00"), True),
        ("fast", "web_search_requests", D(10), D("0.10"), True),
    ]
    assert sum(row[3] for row in by_key(priced, "key_fast")) == D("51.85")


def test_fast_mode_above_200k_is_six_times_the_long_context_rates(priced):
    assert by_key(priced, "key_fast_long") == [
        ("fast", "input_tokens", D(60), D("60.00"), True),
        ("fast", "output_tokens", D(225), D("22.50"), True),
    ]


def test_fast_mode_stacks_with_us_only_inference(priced):
    assert by_key(priced, "key_fast_us") == [("fast", "input_tokens", D(33), D("33.00"), True)]


def test_standard_speed_is_the_standard_price(priced):
    assert by_key(priced, "key_standard_speed") == [("standard", "input_tokens", D(5), D("5.00"), True)]


def test_fast_mode_without_a_published_price_is_unpriced_never_standard(priced):
    assert by_key(priced, "key_fast_sonnet") == [("fast", "input_tokens", None, None, False)]
    assert by_key(priced, "key_fast_batch") == [("batch_fast", "input_tokens", None, None, False)]
