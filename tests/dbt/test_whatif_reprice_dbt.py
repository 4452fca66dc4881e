"""mart_whatif_reprice: a month of OpenAI usage repriced under finops.yaml scenarios, every figure by hand.

The book (pricing_seeds/price_book.csv), USD per 1M tokens, standard tier:
  gpt-4o -> gpt-4o-2024-08-06            input 2.50   cached 1.25    output 10
  gpt-4o-mini -> gpt-4o-mini-2024-07-18  input 0.15   cached 0.075   output 0.60
  gpt-4-turbo -> gpt-4-turbo-2024-04-09  input 10     (no cache price: cached at input by fallback) output 30
  o3 -> o3-2025-04-16                    from 2025-06-10: input 2, cached 0.50, output 8;
                                         before (2025-04-16..2025-06-10): input 10, cached 2.50, output 40
  OpenAI batch: 0.5 x standard on input, cached and output (price_modifiers).

July 2025 usage (OpenAI counts cached tokens inside input_tokens; the buckets split them):
  gpt-4o 07-01: input 3,000,000 of which 1,000,000 cached, output 500,000
         -> 2,000,000 x 2.50 = 5.00; 1,000,000 x 1.25 = 1.25; 500,000 x 10 = 5.00          = 11.25
  gpt-4o 07-15: input 1,000,000, output 100,000 -> 2.50 + 1.00                            =  3.50
                                                                         gpt-4o July   = 14.75
  o3     07-10: input 2,000,000 of which 500,000 cached, output 250,000
         -> 1,500,000 x 2 = 3.00; 500,000 x 0.50 = 0.25; 250,000 x 8 = 2.00              =  5.25
  mystery-model 07-20: input 1,000, output 1,000: not in the book, unpriced (2 bucket rows)
  gpt-4o 08-03: input 1,000,000 -> 2.50 (August: its own month)
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import build_usage_subset

from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE
from orchestration.config import load_config, write_config_tables
from orchestration.loader import ensure_raw_tables, land

pytestmark = pytest.mark.slow

D = Decimal
JULY, AUGUST = date(2025, 7, 1), date(2025, 8, 1)
MODELS = [
    "stg_openai__completions_usage",
    "stg_openai__other_usage",
    "stg_openai__usage_lines",
    "stg_config__whatif_scenarios",
    "int_usage_unioned",
    "int_usage_priced",
    "int_whatif_reprice_scope",
    "int_whatif_reprice_lines",
    "mart_whatif_reprice",
]

FINOPS_YAML = """\
whatif:
  scenarios:
    - name: 4o-to-mini
      scope: {provider: openai, models: ["gpt-4o-2*"]}
      to_model: gpt-4o-mini
    - name: all-batch-tier
      scope: {provider: openai}
      to_service_tier: batch
    - name: o3-before-cut
      scope: {models: ["o3*"]}
      price_date: 2025-06-01
    - name: cache-60
      scope: {models: ["gpt-4o-2*"]}
      cache_hit_rate: 0.6
    - name: o3-batch-30
      scope: {models: ["o3*"]}
      batch_share: 0.3
    - name: 4o-to-turbo
      scope: {provider: openai, models: ["gpt-4o-2*"]}
      to_model: gpt-4-turbo
    - name: o3-to-nothing
      scope: {provider: openai, models: ["o3*"]}
      to_model: gpt-9-imaginary
"""


def usage(day: date, model: str, input_tokens: int, cached: int, output: int) -> dict:
    row = dict.fromkeys(OPENAI_COMPLETIONS_USAGE.column_names)
    row |= {
        "bucket_start": datetime(day.year, day.month, day.day),
        "bucket_end": datetime(day.year, day.month, day.day) + timedelta(days=1),
        "project_id": "proj_a",
        "api_key_id": "key_a",
        "model": model,
        "batch": False,
        "service_tier": "default",
        "input_tokens": input_tokens,
        "input_cached_tokens": cached,
        "input_cache_write_tokens": 0,
        "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "output_tokens": output,
        "output_audio_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": 10,
    }
    return {**row, "_raw": {"model": model}}


ROWS = [
    usage(date(2025, 7, 1), "gpt-4o", 3_000_000, 1_000_000, 500_000),
    usage(date(2025, 7, 15), "gpt-4o", 1_000_000, 0, 100_000),
    usage(date(2025, 7, 10), "o3", 2_000_000, 500_000, 250_000),
    usage(date(2025, 7, 20), "mystery-model", 1_000, 0, 1_000),
    usage(date(2025, 8, 3), "gpt-4o", 1_000_000, 0, 0),
]
COLUMNS = (
    "target_model_id, actual_cost_usd, counterfactual_cost_usd, savings_usd, fallback_quantity, "
    "unpriced_quantity, unpriced_actual_rows, caveats"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    config = home / "finops.yaml"
    config.write_text(FINOPS_YAML)
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land(conn, OPENAI_COMPLETIONS_USAGE, ROWS, run_id="run-1", window=(JULY, date(2025, 8, 4)))
        write_config_tables(conn, load_config(config))
    # the build runs the mart's unit test (_mart_whatif_reprice.yml) and data tests too
    build_usage_subset(home, MODELS, usage_lines=["stg_openai__usage_lines"])
    return home


@pytest.fixture(scope="module")
def mart(home):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            f"select scenario, month, model_id, {COLUMNS} from marts.mart_whatif_reprice order by all"
        ).fetchall()
    return {(scenario, month, model): tuple(rest) for scenario, month, model, *rest in rows}


def test_a_model_swap_reprices_every_bucket_at_the_target(mart):
    # gpt-4o-mini: 07-01 2,000,000 x 0.15 = 0.30, 1,000,000 x 0.075 = 0.075, 500,000 x 0.60 = 0.30;
    # 07-15 1,000,000 x 0.15 = 0.15, 100,000 x 0.60 = 0.06 -> 0.885; saves 14.75 - 0.885 = 13.865
    assert mart["4o-to-mini", JULY, "gpt-4o-2024-08-06"] == (
        "gpt-4o-mini-2024-07-18",
        D("14.75"),
        D("0.885"),
        D("13.865"),
        0,
        0,
        0,
        None,
    )
    # August is its own row: 1,000,000 x 0.15 = 0.15; o3 is out of scope
    assert mart["4o-to-mini", AUGUST, "gpt-4o-2024-08-06"][1:4] == (D("2.50"), D("0.15"), D("2.35"))
    assert ("4o-to-mini", JULY, "o3-2025-04-16") not in mart


def test_the_batch_tier_halves_the_tokens_and_unpriced_usage_is_left_out(mart):
    # batch = 0.5 x standard on every bucket: gpt-4o 14.75 / 2 = 7.375, o3 5.25 / 2 = 2.625
    assert mart["all-batch-tier", JULY, "gpt-4o-2024-08-06"][1:4] == (D("14.75"), D("7.375"), D("7.375"))
    assert mart["all-batch-tier", JULY, "o3-2025-04-16"][1:4] == (D("5.25"), D("2.625"), D("2.625"))
    # the unknown model: its 2 actual rows (input, output) have no price, so nothing of it is compared
    assert mart["all-batch-tier", JULY, "mystery-model"] == (
        None,
        None,
        None,
        None,
        0,
        0,
        2,
        "2 rows of actual usage unpriced, left out",
    )


def test_a_price_date_before_the_cut_prices_july_at_the_old_o3_prices(mart):
    # as of 2025-06-01: 1,500,000 x 10 = 15.00; 500,000 x 2.50 = 1.25; 250,000 x 40 = 10.00 -> 26.25;
    # "saves" 5.25 - 26.25 = -21.00 (the cut of 2025-06-10 saved this much)
    assert mart["o3-before-cut", JULY, "o3-2025-04-16"][:4] == ("o3-2025-04-16", D("5.25"), D("26.25"), D("-21.00"))


def test_a_cache_hit_rate_moves_prompt_tokens_between_uncached_and_cached(mart):
    # 07-01 prompt 3,000,000: 60% = 1,800,000 cached x 1.25 = 2.25, 1,200,000 x 2.50 = 3.00, output 5.00 = 10.25
    # 07-15 prompt 1,000,000: 600,000 x 1.25 = 0.75, 400,000 x 2.50 = 1.00, output 1.00             =  2.75
    # 13.00; saves 14.75 - 13.00 = 1.75 (no cache writes: no caveat)
    assert mart["cache-60", JULY, "gpt-4o-2024-08-06"][1:] == (D("14.75"), D("13.00"), D("1.75"), 0, 0, 0, None)


def test_a_batch_share_splits_standard_traffic(mart):
    # 70% at standard: 0.7 x 5.25 = 3.675; 30% at batch: 0.3 x 2.625 = 0.7875 -> 4.4625; saves 0.7875
    assert mart["o3-batch-30", JULY, "o3-2025-04-16"][1:4] == (D("5.25"), D("4.4625"), D("0.7875"))


def test_a_target_without_a_cache_price_prices_cache_reads_at_input_and_says_so(mart):
    # gpt-4-turbo: 07-01 2,000,000 x 10 = 20, cached 1,000,000 at the input price x 10 = 10, 500,000 x 30 = 15;
    # 07-15 1,000,000 x 10 = 10, 100,000 x 30 = 3 -> 58; "saves" 14.75 - 58 = -43.25
    assert mart["4o-to-turbo", JULY, "gpt-4o-2024-08-06"] == (
        "gpt-4-turbo-2024-04-09",
        D("14.75"),
        D("58"),
        D("-43.25"),
        D(1_000_000),
        0,
        0,
        "cache_read_tokens priced at input_tokens (fallback): gpt-4-turbo-2024-04-09 has no cache_read_tokens "
        "price at standard tier",
    )


def test_a_target_missing_from_the_book_leaves_the_counterfactual_null(mart):
    # every o3 bucket (1,500,000 + 500,000 + 250,000 = 2,250,000 tokens) has no price under gpt-9-imaginary
    target, actual, counterfactual, savings, _, unpriced, _, caveats = mart["o3-to-nothing", JULY, "o3-2025-04-16"]
    assert (target, actual, counterfactual, savings, unpriced) == ("gpt-9-imaginary", D("5.25"), None, None, 2_250_000)
    assert caveats == " | ".join(
        f"no price for gpt-9-imaginary {usage_type} at standard tier: counterfactual and savings left NULL"
        for usage_type in ("cache_read_tokens", "input_tokens", "output_tokens")
    )
