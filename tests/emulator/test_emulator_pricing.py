"""The emulator's prices (its own table), checked against prices computed by hand; and the seed rules
(``seed_prices.py``) that the comparison with the warehouse's seeds relies on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from seed_prices import SeedPrices

from emulator.org import UNPRICED_MODEL
from emulator.plugins.anthropic import prompt_tier as anthropic_prompt_tier
from emulator.plugins.anthropic import quantities as anthropic_quantities
from emulator.plugins.openai import quantities as openai_quantities
from emulator.plugins.openai import service_tier as openai_service_tier
from emulator.pricing import PriceTable

D = Decimal
M = D(1_000_000)


@pytest.fixture(scope="module")
def book() -> PriceTable:
    return PriceTable()


@pytest.fixture(scope="module")
def seeds() -> SeedPrices:
    return SeedPrices()


def _cost(
    book: PriceTable, provider: str, model_id: str, quantities: dict, tier: str, day: date, prompt_tier: int = 0
) -> Decimal:
    total = D(0)
    for usage_type, qty in quantities.items():
        if qty:
            total += book.cost(provider, model_id, usage_type, tier, prompt_tier, day, qty)
    return total


def test_o3_price_cut_is_5x_on_2025_06_10(book, emu_org):
    tokens = {"input_tokens": 1_000_000, "cache_read_tokens": 200_000, "output_tokens": 300_000}
    # by hand: before the cut $10 / $2.50 / $40 per 1M, from 2025-06-10 $2 / $0.50 / $8
    before = D(10) + D("0.2") * D("2.5") + D("0.3") * D(40)
    after = D(2) + D("0.2") * D("0.5") + D("0.3") * D(8)
    assert (before, after) == (D("22.5"), D("4.5"))
    assert _cost(book, "openai", "o3-2025-04-16", tokens, "standard", date(2025, 6, 9)) == before
    assert _cost(book, "openai", "o3-2025-04-16", tokens, "standard", date(2025, 6, 10)) == after
    assert _cost(book, "openai", "o3-2025-04-16", tokens, "flex", date(2025, 6, 9)) == before / 2

    # the org's real o3 rows of 2025-06-09: ground truth by hand, then the same tokens 5x cheaper a day later
    rows = [r for r in emu_org.usage("openai", date(2025, 6, 9)) if r.get("model") == "o3-2025-04-16"]
    assert {r["service_tier"] for r in rows} == {"default", "flex"}
    by_hand = D(0)
    for r in rows:
        uncached = r["input_tokens"] - r["input_cached_tokens"] - r["input_cache_write_tokens"]
        row_cost = (uncached * D(10) + r["input_cached_tokens"] * D("2.5") + r["output_tokens"] * D(40)) / M
        by_hand += row_cost / 2 if r["service_tier"] == "flex" else row_cost
    truth = {g["model_raw"]: g for g in emu_org.ground_truth(date(2025, 6, 9), date(2025, 6, 10))}
    assert truth["o3-2025-04-16"]["list_cost_usd"] == by_hand
    repriced = sum(
        _cost(book, "openai", "o3-2025-04-16", openai_quantities(r), openai_service_tier(r), date(2025, 6, 10))
        for r in rows
    )
    assert repriced * 5 == by_hand


def test_anthropic_long_context_row_with_5m_and_1h_writes_by_hand(book):
    row = {
        "uncached_input_tokens": 1_000_000,
        "cache_creation": {"ephemeral_5m_input_tokens": 100_000, "ephemeral_1h_input_tokens": 50_000},
        "cache_read_input_tokens": 2_000_000,
        "output_tokens": 80_000,
        "server_tool_use": {"web_search_requests": 30},
        "model": "claude-sonnet-4-5-20250929",
        "service_tier": "standard",
        "context_window": "200k-1M",
    }
    day = date(2025, 10, 1)
    q = anthropic_quantities(row)
    # >200k tier: $6 input, $0.60 read, $7.50 5m write, $12 1h write, $22.50 output; web search $10 / 1k (flat)
    long_by_hand = D(6) + D("1.2") + D("0.75") + D("0.6") + D("1.8") + D("0.3")
    assert (
        _cost(book, "anthropic", row["model"], q, "standard", day, anthropic_prompt_tier(row))
        == long_by_hand
        == D("10.65")
    )
    # the same tokens under 200k: $3 / $0.30 / $3.75 / $6 / $15
    short_by_hand = D(3) + D("0.6") + D("0.375") + D("0.3") + D("1.2") + D("0.3")
    assert _cost(book, "anthropic", row["model"], q, "standard", day, 0) == short_by_hand == D("5.775")
    # 5m and 1h writes are different prices
    assert book.unit_price("anthropic", row["model"], "cache_write_tokens", "standard", 0, day).unit_price == D("3.75")
    assert book.unit_price("anthropic", row["model"], "cache_write_1h_tokens", "standard", 0, day).unit_price == D(6)


def test_a_real_anthropic_long_context_row_matches_hand_pricing(emu_org):
    day = date(2025, 10, 1)
    rows = [
        r
        for r in emu_org.usage("anthropic", day)
        if r["context_window"] == "200k-1M"
        and r["cache_creation"]["ephemeral_1h_input_tokens"]
        and r["cache_creation"]["ephemeral_5m_input_tokens"]
    ]
    assert rows, "the org should have long-context rows with both cache writes"
    r = rows[0]
    assert r["model"] == "claude-sonnet-4-5-20250929"
    by_hand = (
        r["uncached_input_tokens"] * D(6)
        + r["cache_read_input_tokens"] * D("0.6")
        + r["cache_creation"]["ephemeral_5m_input_tokens"] * D("7.5")
        + r["cache_creation"]["ephemeral_1h_input_tokens"] * D(12)
        + r["output_tokens"] * D("22.5")
    ) / M + r["server_tool_use"]["web_search_requests"] * D(10) / 1000
    lines = [
        x
        for x in emu_org.priced_lines("anthropic", day)
        if x.context_window == "200k-1M"
        and x.api_key_id == r["api_key_id"]
        and x.model_raw == r["model"]
        and x.service_tier == "standard"
    ]
    assert sum(x.list_cost_usd for x in lines) == by_hand


def test_unpriced_model_is_none_never_zero(book, emu_org):
    day = date(2025, 3, 3)
    assert book.resolve_model("openai", UNPRICED_MODEL, day) == UNPRICED_MODEL
    assert book.unit_price("openai", UNPRICED_MODEL, "input_tokens", "standard", 0, day) is None
    rows = [g for g in emu_org.ground_truth(day, date(2025, 3, 4)) if g["model_raw"] == UNPRICED_MODEL]
    assert len(rows) == 1
    (ft,) = rows
    assert ft["is_priced"] is False and ft["list_cost_usd"] is None
    # billed at twice gpt-4o-mini: $0.30 input, $0.15 cached, $1.20 output per 1M
    usage = [r for r in emu_org.usage("openai", day) if r["model"] == UNPRICED_MODEL]
    billed = sum(
        (
            (r["input_tokens"] - r["input_cached_tokens"]) * D("0.3")
            + r["input_cached_tokens"] * D("0.15")
            + r["output_tokens"] * D("1.2")
        )
        / M
        for r in usage
    )
    assert ft["billed_cost_usd"] == billed > 0


def test_alias_resolution_by_date(book):
    assert book.resolve_model("openai", "gpt-4o", date(2024, 10, 1)) == "gpt-4o-2024-05-13"
    assert book.resolve_model("openai", "gpt-4o", date(2024, 10, 2)) == "gpt-4o-2024-08-06"
    assert book.resolve_model("openai", "GPT-4.1-2025-04-14", date(2025, 5, 1)) == "gpt-4.1-2025-04-14"
    assert book.resolve_model("openai", "gpt-4o-mini", date(2024, 7, 17)) == "gpt-4o-mini"  # before the alias existed


# -- the seed rules (test code: the emulator never reads the seeds) ------------------------------------------


def test_long_context_batch_is_the_standard_long_context_row_halved(seeds):
    batch = seeds.unit_price(
        "anthropic", "claude-sonnet-4-5-20250929", "output_tokens", "batch", 200_000, date(2025, 10, 1)
    )
    assert (batch.unit_price, batch.rule) == (D("11.25"), "modifier")


def test_fallbacks_and_modifiers_on_the_real_seeds(seeds):
    book = seeds
    day = date(2025, 9, 1)
    # OpenAI cache writes have no price of their own: they fall back to the input price
    p = book.unit_price("openai", "gpt-5-2025-08-07", "cache_write_tokens", "standard", 0, day)
    assert (p.unit_price, p.priced_as) == (D("1.25"), "input_tokens")
    # gpt-4o-2024-05-13 has no cache price: cached tokens are billed as input
    p = book.unit_price("openai", "gpt-4o-2024-05-13", "cache_read_tokens", "standard", 0, date(2024, 9, 1))
    assert (p.unit_price, p.priced_as) == (D(5), "input_tokens")
    # batch and flex come from the modifiers (x0.5); flex exists only for o3 / o4-mini / gpt-5*
    assert book.unit_price("openai", "gpt-4o-mini-2024-07-18", "cache_read_tokens", "batch", 0, day).unit_price == D(
        "0.0375"
    )
    assert book.unit_price("openai", "gpt-5-2025-08-07", "output_tokens", "flex", 0, day).unit_price == D(5)
    assert book.unit_price("openai", "gpt-4.1-2025-04-14", "output_tokens", "flex", 0, day) is None
    # batch before the Batch API modifier starts has no price
    assert book.unit_price("openai", "gpt-4-0613", "input_tokens", "batch", 0, date(2024, 4, 14)) is None
    # web search: the provider-wide '*' row
    p = book.unit_price(
        "anthropic", "claude-haiku-4-5-20251001", "web_search_requests", "standard", 0, date(2025, 11, 1)
    )
    assert (p.unit_price, p.unit) == (D(10), "per_1k_requests")
    assert p.cost(30) == D("0.3")


def test_modifier_rules_on_a_synthetic_book(tmp_path):
    (tmp_path / "price_book.csv").write_text(
        "provider,model_id,usage_type,service_tier,prompt_tokens_gt,effective_from,effective_to,unit,currency,unit_price,price_conf,date_conf,sources,notes\n"
        "anthropic,claude-x,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,4,A,A,,\n"
        "anthropic,claude-x,output_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,20,A,A,,\n"
        "anthropic,claude-x,output_tokens,batch,0,2025-01-01,,per_1m_tokens,USD,7,A,A,,\n"
        "anthropic,claude-z,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,10,A,A,,\n"
    )
    (tmp_path / "model_aliases.csv").write_text(
        "provider,alias,model_id,effective_from,effective_to,date_conf,sources\n"
    )
    (tmp_path / "usage_types.csv").write_text(
        "usage_type,unit,direction,fallback_usage_type,notes\n"
        "input_tokens,per_1m_tokens,input,,\n"
        "cache_read_tokens,per_1m_tokens,input,input_tokens,\n"
        "cache_write_tokens,per_1m_tokens,input,input_tokens,\n"
        "cache_write_1h_tokens,per_1m_tokens,input,cache_write_tokens,\n"
        "output_tokens,per_1m_tokens,output,,\n"
    )
    (tmp_path / "price_modifiers.csv").write_text(
        "provider,model_pattern,service_tier,usage_types,base_usage_type,multiplier,effective_from,effective_to,time_window_utc,price_conf,sources,notes\n"
        "anthropic,*,standard,cache_write_tokens,input_tokens,1.25,2024-08-14,,,A,,\n"
        "anthropic,*,standard,cache_write_1h_tokens,input_tokens,2.0,2025-06-01,,,A,,\n"
        "anthropic,*,batch,*,,0.5,2024-10-08,,,A,,\n"
        "anthropic,claude-x*,batch,input_tokens,,0.4,,,,A,,\n"
        "anthropic,*,batch,input_tokens,,0.45,2025-03-01,,,A,,\n"
    )
    book = SeedPrices(tmp_path)
    before, after = date(2025, 5, 31), date(2025, 6, 1)
    assert book.unit_price("anthropic", "claude-x", "cache_write_tokens", "standard", 0, after).unit_price == D(
        5
    )  # (c) 1.25 x input
    assert book.unit_price("anthropic", "claude-x", "cache_write_1h_tokens", "standard", 0, after).unit_price == D(
        8
    )  # (c) 2 x input
    # before the 1h modifier exists, 1h writes fall back to 5m writes
    p = book.unit_price("anthropic", "claude-x", "cache_write_1h_tokens", "standard", 0, before)
    assert (p.unit_price, p.priced_as) == (D(5), "cache_write_tokens")
    assert book.unit_price("anthropic", "claude-x", "output_tokens", "batch", 0, after).unit_price == D(
        7
    )  # (a) explicit row wins
    assert book.unit_price("anthropic", "claude-x", "input_tokens", "batch", 0, after).unit_price == D(
        "1.6"
    )  # (b) specific pattern wins
    # no cache-read row and (c) is for the standard tier only: falls back to input, batch x 0.4
    p = book.unit_price("anthropic", "claude-x", "cache_read_tokens", "batch", 0, after)
    assert (p.unit_price, p.priced_as) == (D("1.6"), "input_tokens")
    # two '*' modifiers match: the latest effective_from wins
    assert book.unit_price("anthropic", "claude-z", "input_tokens", "batch", 0, after).unit_price == D("4.5")
    assert book.unit_price("anthropic", "claude-z", "input_tokens", "batch", 0, date(2025, 2, 28)).unit_price == D(5)
    assert (
        book.unit_price("anthropic", "claude-x", "input_tokens", "standard", 0, date(2024, 12, 31)) is None
    )  # before its first row
    assert book.unit_price("anthropic", "claude-y", "input_tokens", "standard", 0, after) is None
