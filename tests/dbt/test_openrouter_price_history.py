"""OpenRouter's /models shows prices now; the dbt snapshot turns the runs' views of it into price history.
Three loads a few days apart (a price change, then no change), each followed by the dbt snapshot, give
effective-dated price-book rows worked out by hand."""

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import run_dbt, vars_with

from connectors.openrouter.tables import OPENROUTER_MODELS, PRICING_KEYS
from orchestration.loader import land

pytestmark = pytest.mark.slow
MODELS = ["stg_openrouter__models", "snap_openrouter__model_prices", "stg_openrouter__price_lines"]
MODELS += ["stg_pricing__price_book", "resource_type:seed"]  # every seed: the price-book tests read them all


def model(model_id: str, created: datetime, **prices: str) -> dict:
    row = {name: None for name in OPENROUTER_MODELS.column_names}
    row |= {"id": model_id, "canonical_slug": model_id, "name": model_id, "created": created, "context_length": 8192}
    row |= {f"pricing_{key}": Decimal(value) for key, value in prices.items()}
    assert set(prices) <= set(PRICING_KEYS)
    return {**row, "_raw": {"id": model_id}}


def load_and_snapshot(home, rows, loaded_at: datetime) -> None:
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        land(conn, OPENROUTER_MODELS, rows, run_id=f"run-{loaded_at:%d}", loaded_at=loaded_at, accept_shrink=True)
    result = run_dbt(home, ["build", *vars_with(price_lines=["stg_openrouter__price_lines"]), "--select", *MODELS])
    assert result.success, f"dbt build failed: {result.exception}"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    listed = datetime(2025, 4, 14, 12, 0)
    first = [
        model("openai/gpt-4.1-mini", listed, prompt="0.0000004", completion="0.0000016"),
        model("openrouter/auto", datetime(2023, 11, 8), prompt="-1", completion="-1"),
        model("meta-llama/llama-3.3-70b-instruct:free", datetime(2024, 12, 6), prompt="0", completion="0"),
    ]
    load_and_snapshot(home, first, datetime(2026, 11, 2, 3, 0))
    # the price of gpt-4.1-mini's output drops; a cache-read price appears
    changed = [
        model("openai/gpt-4.1-mini", listed, prompt="0.0000004", completion="0.0000012", input_cache_read="0.0000001"),
        *first[1:],
    ]
    load_and_snapshot(home, changed, datetime(2026, 11, 9, 3, 0))
    load_and_snapshot(home, changed, datetime(2026, 11, 10, 3, 0))  # nothing changed: no new version
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select model_id, usage_type, unit, unit_price_usd, effective_from, effective_to, date_conf "
            "from staging.stg_pricing__price_book where provider = 'openrouter' order by all"
        ).fetchall()


def test_each_price_version_holds_from_the_day_it_was_seen(history):
    mini = [row for row in history if row[0] == "openai/gpt-4.1-mini"]
    seen = date(2026, 11, 9)
    assert mini == [
        # taken back to the model's listing day (date_conf C), until the day the change was seen
        ("openai/gpt-4.1-mini", "cache_read_tokens", "per_1m_tokens", Decimal("0.1"), seen, None, "B"),
        ("openai/gpt-4.1-mini", "input_tokens", "per_1m_tokens", Decimal("0.4"), date(2025, 4, 14), seen, "C"),
        ("openai/gpt-4.1-mini", "input_tokens", "per_1m_tokens", Decimal("0.4"), seen, None, "B"),
        ("openai/gpt-4.1-mini", "output_tokens", "per_1m_tokens", Decimal("1.2"), seen, None, "B"),
        ("openai/gpt-4.1-mini", "output_tokens", "per_1m_tokens", Decimal("1.6"), date(2025, 4, 14), seen, "C"),
        # no request price in /models: no per-request fee
        ("openai/gpt-4.1-mini", "requests", "per_1k_requests", Decimal("0"), date(2025, 4, 14), seen, "C"),
        ("openai/gpt-4.1-mini", "requests", "per_1k_requests", Decimal("0"), seen, None, "B"),
    ]


def test_a_free_model_is_priced_at_zero_and_a_variable_price_not_at_all(history):
    free = {(row[1], row[3]) for row in history if row[0] == "meta-llama/llama-3.3-70b-instruct:free"}
    assert free == {("input_tokens", Decimal("0")), ("output_tokens", Decimal("0")), ("requests", Decimal("0"))}
    # openrouter/auto's -1 means "the routed model's price": its usage stays unpriced, never $0
    assert not [row for row in history if row[0] == "openrouter/auto" and row[1] != "requests"]
