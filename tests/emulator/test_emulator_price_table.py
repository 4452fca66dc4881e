"""The emulator's own price table against the warehouse's seeds: every disagreement named, in one message.

The emulator prices its ground truth and invoices from ``emulator/price_table.py`` and never reads
``pricing_seeds/``, so a wrong seed price is caught here (and by the end-to-end ground truth) instead of
being mirrored. For every row of the table, the seeds' effective price (explicit row, modifier, fallback,
``*`` row, prompt-size tier) is computed on the row's first day and on every day inside the row's window on
which any seed row, modifier or alias of the provider starts or ends (the seeds' price cannot change on
another day), and compared. The model names the organisation calls must resolve to the same model ids.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from seed_prices import SeedPrices

from emulator.org import TENANCIES, Stream, Tenancy
from emulator.pricing import PriceRow, PriceTable, parse_aliases, parse_prices

HORIZON = date(2031, 1, 1)  # open-ended rows are checked up to here
AGREED = object()


def _check_days(start: date, end: date | None, change_days: set[date]) -> list[date]:
    """The first day of each stretch of ``[start, end)`` on which the seeds' price is constant."""
    stop = end or HORIZON
    return sorted({start} | {d for d in change_days if start < d < stop})


def _price(value: Decimal | None, unit: str | None) -> str:
    return "no price" if value is None else f"{value.normalize():f} {unit}"


def price_disagreements(table: PriceTable, seeds: SeedPrices) -> list[str]:
    """One line per table row and stretch of days on which the seeds price the row's combination
    differently (the first day of the stretch named)."""
    changes = {provider: seeds.change_days(provider) for provider in {r.provider for r in table.rows}}
    out = []
    for row in table.rows:
        previous: object = AGREED  # the seeds' answer on the previous check day, when it disagreed
        for day in _check_days(row.effective_from, row.effective_to, changes[row.provider]):
            seed = seeds.unit_price(
                row.provider, row.model_id, row.usage_type, row.service_tier, row.prompt_tokens_gt, day
            )
            if seed is not None and (seed.unit_price, seed.unit) == (row.unit_price, row.unit):
                previous = AGREED
                continue
            answer = (
                None if seed is None else (seed.unit_price, seed.unit, seed.rule, seed.priced_as, seed.effective_from)
            )
            if answer == previous:
                continue  # the same disagreement, still
            previous = answer
            how = "" if seed is None else f" ({seed.rule} from the {seed.priced_as} row of {seed.effective_from})"
            window = f"{row.effective_from}..{row.effective_to or 'open'}"
            out.append(
                f"{row.provider} {row.model_id} {row.usage_type} tier={row.service_tier} "
                f"prompt_tokens_gt={row.prompt_tokens_gt} from {day}: emulator {_price(row.unit_price, row.unit)} "
                f"(row {window}) vs seeds {_price(seed and seed.unit_price, seed and seed.unit)}{how}"
            )
    return out


def model_name_disagreements(table: PriceTable, seeds: SeedPrices, tenancies=TENANCIES) -> list[str]:
    """One line per model name the organisation calls and stretch of days on which the seeds resolve it to
    another model id (the first day named)."""
    out = []
    for provider, tenancy in tenancies.items():
        changes = (
            seeds.change_days(provider)
            | {a.effective_from for a in table.aliases}
            | {a.effective_to for a in table.aliases if a.effective_to}
        )
        for stream in tenancy.streams:
            periods = list(stream.models) + [(HORIZON.isoformat(), None)]
            for (start, name), (end, _) in zip(periods, periods[1:], strict=False):
                if name is None:
                    continue
                previous: object = AGREED
                for day in _check_days(date.fromisoformat(start), date.fromisoformat(end), changes):
                    mine, theirs = table.resolve_model(provider, name, day), seeds.resolve_model(provider, name, day)
                    if mine == theirs or (mine, theirs) == previous:
                        previous = AGREED if mine == theirs else previous
                        continue
                    previous = (mine, theirs)
                    out.append(
                        f"{provider} {name!r} from {day} (stream {stream.name}): emulator {mine} vs seeds {theirs}"
                    )
    return out


@pytest.fixture(scope="module")
def seeds() -> SeedPrices:
    return SeedPrices()


def feed_priced() -> set[str]:
    """The providers whose list prices come from their own feed (kind price_lines: OpenRouter's /models),
    not from pricing_seeds/: the end-to-end tests check those against the emulator's table instead."""
    from connectors.registry import SOURCES

    return {source.name for source in SOURCES if "price_lines" in source.conformed}


def priced_beyond_the_curated_seeds() -> set[str]:
    """The cloud billing exports (Google Cloud Billing, AWS CUR, Azure Cost Management): the warehouse prices them
    from genai-prices' generated rows and route ids (Bedrock's global. / regional.) and route modifiers, which this
    Python reading of the curated seeds (seed_prices.py) does not model. tests/e2e/test_cloud_emulator_drops.py checks
    them against this table instead: every cloud day reconciles, computed against billed."""
    return {"gcp_billing", "aws_cur", "azure_cost"}


def test_every_emulator_price_agrees_with_the_seeds(seeds):
    everything = PriceTable()
    skipped = feed_priced() | priced_beyond_the_curated_seeds()
    table = PriceTable([r for r in everything.rows if r.provider not in skipped], everything.aliases)
    assert len(table.rows) > 100
    wrong = price_disagreements(table, seeds)
    assert not wrong, (
        f"{len(wrong)} price(s) of the emulator's table (emulator/price_table.py) disagree with "
        f"pricing_seeds/ (fix whichever is wrong):\n  " + "\n  ".join(wrong)
    )


def test_the_models_the_organisation_calls_resolve_alike(seeds):
    wrong = model_name_disagreements(PriceTable(), seeds)
    assert not wrong, (
        f"{len(wrong)} model name(s) resolve differently in the emulator (emulator/price_table.py MODEL_ALIASES) "
        f"and in pricing_seeds/model_aliases.csv:\n  " + "\n  ".join(wrong)
    )


def test_the_comparison_names_every_disagreement(tmp_path):
    """Seeds with a price cut, a flex modifier and a fallback; a table with two wrong prices, one price the
    seeds do not have and a wrong alias: each is named once, with its day and both prices."""
    (tmp_path / "price_book.csv").write_text(
        "provider,model_id,usage_type,service_tier,prompt_tokens_gt,effective_from,effective_to,unit,currency,unit_price\n"
        "openai,o3,input_tokens,standard,0,2025-04-16,2025-06-10,per_1m_tokens,USD,10\n"
        "openai,o3,input_tokens,standard,0,2025-06-10,,per_1m_tokens,USD,2\n"
        "openai,o3,output_tokens,standard,0,2025-04-16,2025-06-10,per_1m_tokens,USD,40\n"
        "openai,o3,output_tokens,standard,0,2025-06-10,,per_1m_tokens,USD,8\n"
    )
    (tmp_path / "price_modifiers.csv").write_text(
        "provider,model_pattern,service_tier,usage_types,base_usage_type,multiplier,effective_from,effective_to\n"
        "openai,o3*,flex,input_tokens|cache_read_tokens|output_tokens,,0.5,2025-04-16,\n"
    )
    (tmp_path / "usage_types.csv").write_text(
        "usage_type,fallback_usage_type\ninput_tokens,\ncache_write_tokens,input_tokens\noutput_tokens,\n"
    )
    (tmp_path / "model_aliases.csv").write_text(
        "provider,alias,model_id,effective_from,effective_to\nopenai,o3-latest,o3,2025-04-16,\n"
    )
    rows = parse_prices(
        """
        provider  model_id  usage_type          tier      >tokens  from        to          unit           unit_price
        openai    o3        output_tokens       standard  0        2025-04-16  2025-06-10  per_1m_tokens  40
        openai    o3        output_tokens       standard  0        2025-06-10  -           per_1m_tokens  9
        openai    o3        input_tokens        flex      0        2025-04-16  2025-06-11  per_1m_tokens  5
        openai    o3        cache_write_tokens  standard  0        2025-06-10  -           per_1m_tokens  2
        openai    o4        output_tokens       standard  0        2025-04-16  -           per_1m_tokens  4
        """
    )
    wrong = price_disagreements(PriceTable(rows, aliases=()), SeedPrices(tmp_path))
    assert wrong == [
        "openai o3 output_tokens tier=standard prompt_tokens_gt=0 from 2025-06-10: emulator 9 per_1m_tokens "
        "(row 2025-06-10..open) vs seeds 8 per_1m_tokens (explicit from the output_tokens row of 2025-06-10)",
        "openai o3 input_tokens tier=flex prompt_tokens_gt=0 from 2025-06-10: emulator 5 per_1m_tokens "
        "(row 2025-04-16..2025-06-11) vs seeds 1 per_1m_tokens (modifier from the input_tokens row of 2025-06-10)",
        "openai o4 output_tokens tier=standard prompt_tokens_gt=0 from 2025-04-16: emulator 4 per_1m_tokens "
        "(row 2025-04-16..open) vs seeds no price",
    ]
    # the fallback (cache writes billed as input) agrees
    assert not any("cache_write_tokens" in line for line in wrong)
    aliases = parse_aliases("provider alias model_id from to\nopenai o3-latest o3-2025 2025-05-01 -\n")
    stream = Stream("agents", "proj_1", "key_1", None, (("2025-04-20", "o3-latest"), ("2025-07-01", None)), 1, 0.1)
    tenancies = {"openai": Tenancy(streams=(stream,))}
    assert model_name_disagreements(PriceTable(rows, aliases), SeedPrices(tmp_path), tenancies) == [
        "openai 'o3-latest' from 2025-04-20 (stream agents): emulator o3-latest vs seeds o3",
        "openai 'o3-latest' from 2025-05-01 (stream agents): emulator o3-2025 vs seeds o3",
    ]


def test_the_table_is_well_formed():
    table = PriceTable()
    assert {r.unit for r in table.rows} <= {"per_1m_tokens", "per_1k_requests", "per_second"}
    assert all(r.unit_price > 0 and (r.effective_to is None or r.effective_to > r.effective_from) for r in table.rows)
    with pytest.raises(ValueError, match="overlap"):
        row = PriceRow(
            "openai", "m", "input_tokens", "standard", 0, date(2025, 1, 1), None, "per_1m_tokens", Decimal(1)
        )
        PriceTable(
            [row, PriceRow(*list(vars(row).values())[:5], date(2025, 2, 1), None, "per_1m_tokens", Decimal(2))],
            aliases=(),
        )
    with pytest.raises(ValueError, match="9 columns"):
        parse_prices("header\nopenai m input_tokens standard 0 2025-01-01 - per_1m_tokens")
    # the emulator reads no file at all: its table is Python, shipped in the package
    assert (
        PriceTable()
        .unit_price("openai", "o3-2025-04-16", "output_tokens", day=date(2025, 6, 10) - timedelta(days=1))
        .unit_price
        == 40
    )
