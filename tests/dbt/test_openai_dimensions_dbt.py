"""OpenAI usage priced in every dimension, worked out by hand below:
- audio and image tokens at their own rates, not as text: the completions usage splits into one bucket per
  modality (stg_openai__usage_lines) and the price book has the audio rows of the realtime models (OpenAI's
  model pages); a realtime day priced as text would come out about four times too cheap;
- priority at the prices OpenAI publishes per model (no multiplier), a model it does not list for priority
  unpriced; flex at the Batch rate (50%, as the vendor states) where flex exists, unpriced where it does not;
- dated snapshot ids of newer models resolve to the model they are a snapshot of."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import PRICING_MODELS, run_dbt, vars_with

from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE
from orchestration.loader import ensure_raw_tables, land

pytestmark = pytest.mark.slow

D = Decimal
FIRST, END = date(2025, 3, 1), date(2025, 11, 21)
SELECT = [
    *PRICING_MODELS,
    "stg_openai__completions_usage",
    "stg_openai__other_usage",
    "stg_openai__usage_lines",
    "int_usage_unioned",
    "int_usage_priced",
]


def usage(api_key_id: str, model: str, day: date = FIRST, tier: str = "default", **tokens: int) -> dict:
    row = dict.fromkeys(OPENAI_COMPLETIONS_USAGE.column_names)
    row |= {
        "bucket_start": datetime(day.year, day.month, day.day),
        "bucket_end": datetime(day.year, day.month, day.day) + timedelta(days=1),
        "project_id": "proj_voice",
        "api_key_id": api_key_id,
        "model": model,
        "batch": False,
        "service_tier": tier,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "input_cache_write_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": 10,
    }
    return {**row, **tokens, "_raw": {"model": model}}


ROWS = [
    # gpt-4o-realtime-preview-2024-12-17 (text $5 in, $2.50 cached, $20 out; audio $40 in, $2.50 cached, $80 out):
    # 1,000,000 input = 200,000 text + 500,000 audio uncached + 100,000 text + 200,000 audio cached
    #   text 200,000 x $5 = $1.00, audio 500,000 x $40 = $20.00, cached text 100,000 x $2.50 = $0.25,
    #   cached audio 200,000 x $2.50 = $0.50
    # 300,000 output = 100,000 text x $20 = $2.00 + 200,000 audio x $80 = $16.00             -> $39.75
    # (priced as text it would be 700,000 x $5 + 300,000 x $2.50 + 300,000 x $20 = $10.25)
    usage(
        "key_rt",
        "gpt-4o-realtime-preview-2024-12-17",
        input_tokens=1_000_000,
        input_cached_tokens=300_000,
        input_audio_tokens=500_000,
        input_cached_audio_tokens=200_000,
        output_tokens=300_000,
        output_audio_tokens=200_000,
    ),
    # the gpt-4o-mini-realtime-preview alias (-> the 2024-12-17 snapshot): audio $10 in, $20 out
    # 100,000 audio in = $1.00; 50,000 audio out = $1.00                                        -> $2.00
    usage(
        "key_mini",
        "gpt-4o-mini-realtime-preview",
        input_tokens=100_000,
        input_cached_tokens=0,
        input_audio_tokens=100_000,
        input_cached_audio_tokens=0,
        output_tokens=50_000,
        output_audio_tokens=50_000,
    ),
    # audio on a model the book has no audio price for: priced at its text input price ($2.50) by the
    # documented fallback, and flagged as such: 10,000 x $2.50 = $0.025
    usage(
        "key_text",
        "gpt-4o-2024-08-06",
        input_tokens=10_000,
        input_cached_tokens=0,
        input_audio_tokens=10_000,
        input_cached_audio_tokens=0,
        output_tokens=0,
        output_audio_tokens=0,
    ),
]


def text(api_key_id: str, model: str, day: date, tier: str, input_tokens: int, cached: int, output: int) -> dict:
    return usage(
        api_key_id, model, day, tier, input_tokens=input_tokens, input_cached_tokens=cached, output_tokens=output
    )


SEPT = date(2025, 9, 1)
ROWS += [
    # gpt-5 priority ($2.50 in, $0.25 cached, $20 out): 800,000 x $2.50 = $2.00, 200,000 x $0.25 = $0.05,
    # 100,000 x $20 = $2.00 -> $4.05 (the old x2 rule of thumb happened to agree for gpt-5)
    text("key_p5", "gpt-5", SEPT, "priority", 1_000_000, 200_000, 100_000),
    # gpt-4.1 priority ($3.50 in, $14 out; the old x1.7 rule gave $3.40 / $13.60): $3.50 + 500,000 x $14 = $7.00
    text("key_p41", "gpt-4.1-2025-04-14", SEPT, "priority", 1_000_000, 0, 500_000),
    # gpt-5-nano has no published priority price: unpriced, never the standard price
    text("key_pnano", "gpt-5-nano-2025-08-07", SEPT, "priority", 1_000_000, 0, 0),
    # flex at the Batch rate where flex exists: gpt-5 1,000,000 x $1.25 x 0.5 = $0.625 ...
    text("key_f5", "gpt-5-2025-08-07", SEPT, "flex", 1_000_000, 0, 0),
    # ... and gpt-4.1 has no flex tier: unpriced
    text("key_f41", "gpt-4.1-2025-04-14", SEPT, "flex", 1_000_000, 0, 0),
    # a dated snapshot id of gpt-5.1 (standard $1.25 in): 1,000,000 x $1.25 = $1.25
    text("key_s51", "gpt-5.1-2025-11-13", date(2025, 11, 20), "default", 1_000_000, 0, 0),
]


@pytest.fixture(scope="module")
def priced(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land(conn, OPENAI_COMPLETIONS_USAGE, ROWS, run_id="run-1", window=(FIRST, END))
    # the union's own unit test reads every source's usage lines; only OpenAI's are built here
    selection = [
        "--select",
        *SELECT,
        "--exclude",
        "int_usage_unioned,test_type:unit",
        "--indirect-selection",
        "cautious",
    ]
    variables = vars_with(usage_lines=["stg_openai__usage_lines"], price_lines=[])
    result = run_dbt(home, ["build", *variables, *selection])
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select api_key_id, model_id, usage_type, quantity, unit_price_usd, list_cost_usd, price_source, service_tier "
            "from intermediate.int_usage_priced order by api_key_id, usage_type"
        ).fetchall()


def test_a_realtime_day_prices_audio_at_audio_rates(priced):
    rows = [row[2:6] for row in priced if row[0] == "key_rt"]
    assert rows == [
        ("cache_audio_read_tokens", 200_000, D("2.5"), D("0.50")),
        ("cache_read_tokens", 100_000, D("2.5"), D("0.25")),
        ("input_audio_tokens", 500_000, D(40), D("20.00")),
        ("input_tokens", 200_000, D(5), D("1.00")),
        ("output_audio_tokens", 200_000, D(80), D("16.00")),
        ("output_tokens", 100_000, D(20), D("2.00")),
    ]
    assert sum(row[5] for row in priced if row[0] == "key_rt") == D("39.75")
    assert {row[6] for row in priced if row[0] == "key_rt"} == {"explicit"}


def test_the_mini_realtime_alias_resolves_and_prices_its_audio(priced):
    rows = [row[1:6] for row in priced if row[0] == "key_mini"]
    snapshot = "gpt-4o-mini-realtime-preview-2024-12-17"
    assert rows == [
        (snapshot, "input_audio_tokens", 100_000, D(10), D("1.00")),
        (snapshot, "output_audio_tokens", 50_000, D(20), D("1.00")),
    ]


def test_audio_without_an_audio_price_falls_back_visibly(priced):
    rows = [row[2:7] for row in priced if row[0] == "key_text"]
    assert rows == [("input_audio_tokens", 10_000, D("2.5"), D("0.025"), "fallback")]


def by_key(priced, key: str) -> list[tuple]:
    return [(row[2], row[4], row[5], row[6]) for row in priced if row[0] == key]


def test_priority_is_priced_at_the_published_prices(priced):
    assert by_key(priced, "key_p5") == [
        ("cache_read_tokens", D("0.25"), D("0.05"), "explicit"),
        ("input_tokens", D("2.5"), D("2.00"), "explicit"),
        ("output_tokens", D(20), D("2.00"), "explicit"),
    ]
    assert by_key(priced, "key_p41") == [
        ("input_tokens", D("3.5"), D("3.50"), "explicit"),
        ("output_tokens", D(14), D("7.00"), "explicit"),
    ]
    assert by_key(priced, "key_pnano") == [("input_tokens", None, None, "unpriced")]


def test_flex_is_half_price_only_where_flex_exists(priced):
    assert by_key(priced, "key_f5") == [("input_tokens", D("0.625"), D("0.625"), "modifier")]
    assert by_key(priced, "key_f41") == [("input_tokens", None, None, "unpriced")]


def test_a_dated_snapshot_of_a_newer_model_is_priced_as_that_model(priced):
    rows = [(row[1], row[5]) for row in priced if row[0] == "key_s51"]
    assert rows == [("gpt-5.1", D("1.25"))]
