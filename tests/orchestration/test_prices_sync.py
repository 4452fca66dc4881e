"""`finops prices sync`: genai-prices ModelInfo objects built by hand -> the exact price-book and match rows;
the committed generated files equal what the installed package gives; the disagreement report; --check."""

import shutil
from collections import Counter
from datetime import date, time
from decimal import Decimal as D

import pytest
from genai_prices.types import (
    ClauseAnd,
    ClauseContains,
    ClauseEquals,
    ClauseOr,
    ClauseRegex,
    ClauseStartsWith,
    ConditionalPrice,
    ModelInfo,
    ModelPrice,
    PriceVariant,
    Provider,
    StartDateConstraint,
    Tier,
    TieredPrices,
    TimeOfDateConstraint,
)

from orchestration import cli
from orchestration.prices import sync

UNITS = sync.usage_type_units()
SOURCE = "genai-prices 9.9.9"


def price_rows(model, provider="anthropic", left_out=None):
    rows = sync.model_price_rows(provider, model, UNITS, Counter() if left_out is None else left_out, "9.9.9")
    return [
        (r["usage_type"], r["service_tier"], r["prompt_tokens_gt"], r["effective_from"], r["effective_to"], r["unit"], r["unit_price"])
        for r in rows
    ]  # fmt: skip


def test_a_tiered_price_is_a_base_row_and_a_row_over_the_tier_start():
    # the package prices ALL tokens at the tier's price when input tokens > start (200000): prompt_tokens_gt 200000
    model = ModelInfo(
        id="Claude-Tiered",
        match=ClauseEquals(equals="claude-tiered"),
        prices=ModelPrice(
            input_mtok=TieredPrices(base=D("3"), tiers=[Tier(start=200_000, price=D("6"))]),
            output_mtok=D("15.00"),
            requests_kcount=D("0.5"),
        ),
    )
    rows = sync.model_price_rows("anthropic", model, UNITS, Counter(), "9.9.9")
    assert rows[0] == {
        "provider": "anthropic", "model_id": "claude-tiered", "usage_type": "input_tokens", "service_tier": "standard",
        "prompt_tokens_gt": "0", "effective_from": "2023-01-01", "effective_to": "", "unit": "per_1m_tokens",
        "currency": "USD", "unit_price": "3", "price_conf": "B", "date_conf": "C", "sources": SOURCE,
        "notes": "from the floor date (start unknown)",
    }  # fmt: skip
    assert price_rows(model) == [
        ("input_tokens", "standard", "0", "2023-01-01", "", "per_1m_tokens", "3"),
        ("input_tokens", "standard", "200000", "2023-01-01", "", "per_1m_tokens", "6"),
        ("output_tokens", "standard", "0", "2023-01-01", "", "per_1m_tokens", "15"),  # Decimal string, no zeros
        ("requests", "standard", "0", "2023-01-01", "", "per_1k_requests", "0.5"),  # requests_kcount: per 1k
    ]


def test_a_start_date_condition_gives_windows_and_a_batch_variant_its_own_rows():
    # o3-style cut: $10/$40 until 2025-06-10, $2/$8 from then; a batch variant from 2025-07-01 prices input only
    model = ModelInfo(
        id="o3",
        match=ClauseEquals(equals="o3"),
        prices=[
            ConditionalPrice(prices=ModelPrice(input_mtok=D("10"), output_mtok=D("40"))),
            ConditionalPrice(
                constraint=StartDateConstraint(start_date=date(2025, 6, 10)),
                prices=ModelPrice(input_mtok=D("2"), output_mtok=D("8")),
            ),
        ],
        price_variants=[
            PriceVariant(
                when={"processing": "batch"},
                prices=ModelPrice(input_mtok=D("1")),
                constraint=StartDateConstraint(start_date=date(2025, 7, 1)),
            ),
            PriceVariant(when={"service_tier": "fast"}, prices=ModelPrice(input_mtok=D("20"))),
        ],
    )
    left_out = Counter()
    assert price_rows(model, "openai", left_out) == [
        ("input_tokens", "batch", "0", "2025-07-01", "", "per_1m_tokens", "1"),
        ("input_tokens", "standard", "0", "2023-01-01", "2025-06-10", "per_1m_tokens", "10"),
        # 2025-07-01 is a breakpoint (the variant's start) but the price did not change: one window
        ("input_tokens", "standard", "0", "2025-06-10", "", "per_1m_tokens", "2"),
        ("output_tokens", "standard", "0", "2023-01-01", "2025-06-10", "per_1m_tokens", "40"),
        ("output_tokens", "standard", "0", "2025-06-10", "", "per_1m_tokens", "8"),
    ]
    assert left_out == {"price variant service_tier=fast": 1}


def test_what_cannot_be_expressed_is_counted_not_dropped_silently():
    left_out = Counter()
    off_peak = ModelInfo(
        id="deepseek-chat",
        match=ClauseEquals(equals="deepseek-chat"),
        prices=[
            ConditionalPrice(prices=ModelPrice(input_mtok=D("0.135"))),
            ConditionalPrice(
                constraint=TimeOfDateConstraint(start_time=time(0, 30), end_time=time(16, 30)),
                prices=ModelPrice(input_mtok=D("0.27")),
            ),
        ],
    )
    assert price_rows(off_peak, "deepseek", left_out) == []
    video = ModelInfo(
        id="v", match=ClauseEquals(equals="v"), prices=ModelPrice(input_video_mtok=D("1"), input_mtok=D("2"))
    )
    assert price_rows(video, "google", left_out) == [
        ("input_tokens", "standard", "0", "2023-01-01", "", "per_1m_tokens", "2")
    ]
    assert left_out == {"model priced by time of day": 1, "price key without a usage type: input_video_mtok": 1}


def test_match_clauses_flatten_to_alternatives_of_clauses():
    left_out = Counter()
    model = ModelInfo(
        id="GPT-4o",
        match=ClauseOr(
            or_=[
                ClauseEquals(equals="GPT-4o"),
                ClauseStartsWith(starts_with="gpt-4o-2024-"),
                ClauseAnd(and_=[ClauseContains(contains="gpt-4o"), ClauseRegex(regex=r"-\d{4}$")]),
                ClauseRegex(regex=r"^gpt-4o(?!-mini)"),  # lookahead: RE2 (DuckDB) cannot run it
            ]
        ),
    )
    rows = [tuple(r.values()) for r in sync.model_match_rows("azure_openai", model, 7, left_out)]
    assert rows == [
        ("azure_openai", "gpt-4o", "7", "1", "equals", "gpt-4o"),  # lower-cased, as the package compares
        ("azure_openai", "gpt-4o", "7", "2", "starts_with", "gpt-4o-2024-"),
        # an `and` is one alternative whose clauses must all match
        ("azure_openai", "gpt-4o", "7", "3", "contains", "gpt-4o"),
        ("azure_openai", "gpt-4o", "7", "3", "regex", r"-\d{4}$"),
    ]
    assert left_out == {"match alternative with a regex RE2 cannot run": 1}


def test_providers_fall_back_and_take_both_spellings_and_curated_disagreements_are_reported():
    gpt = ModelInfo(id="gpt-x", match=ClauseStartsWith(starts_with="gpt-x"), prices=ModelPrice(input_mtok=D("2")))
    openai = Provider(id="openai", name="OpenAI", api_pattern="", models=[gpt])
    phi = ModelInfo(id="phi", match=ClauseEquals(equals="phi"), prices=ModelPrice(input_mtok=D("0.1")))
    azure = Provider(id="azure", name="Azure", api_pattern="", models=[phi], fallback_model_providers=["openai"])
    curated = [
        # gpt-x-2025 resolves to gpt-x through its starts_with rule: $2.50 curated vs $2 upstream = -20%
        dict(provider="openai", model_id="gpt-x-2025", usage_type="input_tokens", service_tier="standard",
             prompt_tokens_gt="0", effective_to="", unit_price="2.50"),
        # a closed window is history, not compared
        dict(provider="openai", model_id="gpt-x", usage_type="input_tokens", service_tier="standard",
             prompt_tokens_gt="0", effective_to="2024-01-01", unit_price="9"),
    ]  # fmt: skip
    result = sync.convert([azure, openai], curated, UNITS, "9.9.9")
    assert sorted({(r["provider"], r["model_id"]) for r in result.price_rows}) == [
        ("azure", "gpt-x"), ("azure", "phi"), ("azure_openai", "gpt-x"), ("azure_openai", "phi"), ("openai", "gpt-x"),
    ]  # fmt: skip
    # Azure's own models first, then OpenAI's (the package's one-step fallback): rank 2
    assert {(r["provider"], r["model_id"], r["rank"]) for r in result.match_rows if r["provider"] == "azure"} == {
        ("azure", "phi", "1"),
        ("azure", "gpt-x", "2"),
    }
    assert result.disagreements == [
        {
            "provider": "openai", "model_id": "gpt-x-2025", "usage_type": "input_tokens", "service_tier": "standard",
            "prompt_tokens_gt": "0", "curated_unit_price": "2.5", "genai_prices_model_id": "gpt-x",
            "genai_prices_unit_price": "2", "relative_difference": "-0.2",
        }
    ]  # fmt: skip


def test_the_committed_files_are_what_the_installed_package_gives():
    result = sync.sync()
    assert sync.stale_files(result) == []
    # a known upstream error is seen, not copied: genai-prices resolves gemini-1.5-flash-8b to gemini-1.5-flash
    # and would price its input at $0.075, twice the curated $0.0375: (0.075 - 0.0375) / 0.0375 = 1
    flash_8b = [
        (r["usage_type"], r["curated_unit_price"], r["genai_prices_unit_price"], r["relative_difference"])
        for r in result.disagreements
        if r["model_id"] == "gemini-1.5-flash-8b" and r["prompt_tokens_gt"] == "0"
    ]
    assert ("input_tokens", "0.0375", "0.075", "1") in flash_8b
    lines = sync.summary_lines(result, limit=3)
    assert lines[0].startswith(f"genai-prices {result.version}: ") and "left out: " in lines[0]
    assert len(lines) == 1 + 3 + 1 and lines[-1].startswith(f"  ... and {len(result.disagreements) - 3} more")


def test_check_exits_1_on_stale_files_and_writes_nothing(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "generated"
    shutil.copytree(sync.GENERATED, folder)
    monkeypatch.setattr(sync, "GENERATED", folder)
    assert cli.main(["prices", "sync", "--check"]) == 0
    book = folder / sync.PRICE_BOOK_FILE
    edited = book.read_text().replace(",USD,", ",USD,1", 1)  # one price changed by hand
    book.write_text(edited)
    assert cli.main(["prices", "sync", "--check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{sync.PRICE_BOOK_FILE} in {folder} differ" in err
    assert book.read_text() == edited  # --check wrote nothing
    assert cli.main(["prices", "sync"]) == 0  # sync rewrites it
    assert sync.stale_files(sync.sync(), folder) == []


@pytest.mark.parametrize("argv", [["prices"], ["prices", "sync", "--bogus"]])
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2


def test_a_usage_type_in_another_unit_than_the_package_key_is_refused(tmp_path):
    # input_mtok is per 1M tokens: a usage_types.csv pricing input_tokens per 1k requests would be off by 1000x
    text = (sync.SEEDS / "usage_types.csv").read_text()
    (tmp_path / "usage_types.csv").write_text(
        text.replace("input_tokens,per_1m_tokens", "input_tokens,per_1k_requests")
    )
    with pytest.raises(ValueError, match="gives input_tokens the unit 'per_1k_requests', not one per 1,000,000"):
        sync.usage_type_units(tmp_path)
