"""The emulator's prices: its own table (:mod:`.price_table`), looked up exactly, for its ground truth only.

The warehouse prices usage in dbt (SQL) from its seeds, through modifiers (batch = 0.5 x standard, ...),
fallbacks (cache writes billed as input, ...) and aliases. The emulator shares none of that: its table holds
the resulting price of every combination it simulates, written out, and a lookup is an exact match on
(provider, model id, usage type, service tier, prompt-size tier) and the day. No price means unpriced
(``None``), never zero. Nothing outside the emulator and its tests should import this module: the pipeline
never prices in Python.

``cost = quantity * unit_price / 1,000,000`` for ``per_1m_tokens`` and ``per_1m_characters``, ``/ 1,000``
for ``per_1k_requests`` and ``per_1k_searches``, ``/ 2^30`` for ``per_gib_day`` (bytes), ``* 1`` for
``per_image``, ``per_second``, ``per_session`` and ``unit``; exact ``Decimal`` arithmetic, no rounding (an
inexact operation raises).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, localcontext

# Every money operation runs in this context: 60 digits and a trap on any rounding, so a result is exact
# or the computation fails loudly.
EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])

UNIT_DIVISORS: dict[str, Decimal] = {
    "per_1m_tokens": Decimal(1_000_000),
    "per_1k_requests": Decimal(1_000),
    "per_1k_searches": Decimal(1_000),
    "per_1m_characters": Decimal(1_000_000),
    "per_gib_day": Decimal(2**30),
    "per_image": Decimal(1),
    "per_second": Decimal(1),
    "per_session": Decimal(1),
    "unit": Decimal(1),
}


def in_window(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day < end)


@dataclass(frozen=True)
class PriceRow:
    """One row of the table: the price of one combination over ``[effective_from, effective_to)``."""

    provider: str
    model_id: str
    usage_type: str
    service_tier: str
    prompt_tokens_gt: int
    effective_from: date
    effective_to: date | None
    unit: str
    unit_price: Decimal

    @property
    def key(self) -> tuple[str, str, str, str, int]:
        return (self.provider, self.model_id, self.usage_type, self.service_tier, self.prompt_tokens_gt)


@dataclass(frozen=True)
class Alias:
    provider: str
    alias: str
    model_id: str
    effective_from: date
    effective_to: date | None


@dataclass(frozen=True)
class UnitPrice:
    """The price that applies to one usage type on one day."""

    usage_type: str
    unit: str
    unit_price: Decimal
    effective_from: date  # of the table row the price comes from

    def cost(self, quantity: int | Decimal) -> Decimal:
        with localcontext(EXACT):
            amount = Decimal(quantity) * self.unit_price
            divisor = UNIT_DIVISORS.get(self.unit)
            return amount / divisor if divisor is not None else amount


def _lines(text: str) -> Iterable[tuple[int, list[str]]]:
    """The data lines of a whitespace-separated table (header, blank lines and ``#`` comments skipped)."""
    header_seen = False
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if not header_seen:
            header_seen = True
            continue
        yield number, line.split()


def _day(text: str) -> date | None:
    return None if text == "-" else date.fromisoformat(text)


def parse_prices(text: str) -> tuple[PriceRow, ...]:
    rows = []
    for number, cells in _lines(text):
        if len(cells) != 9:
            raise ValueError(f"price table line {number}: expected 9 columns, got {len(cells)}: {' '.join(cells)}")
        provider, model_id, usage_type, tier, gt, start, end, unit, price = cells
        begin = _day(start)
        if begin is None:
            raise ValueError(f"price table line {number}: every price has a first day")
        rows.append(PriceRow(provider, model_id, usage_type, tier, int(gt), begin, _day(end), unit, Decimal(price)))
    return tuple(rows)


def parse_aliases(text: str) -> tuple[Alias, ...]:
    rows = []
    for number, cells in _lines(text):
        if len(cells) != 5:
            raise ValueError(f"alias table line {number}: expected 5 columns, got {len(cells)}: {' '.join(cells)}")
        provider, alias, model_id, start, end = cells
        rows.append(Alias(provider, alias.lower(), model_id, _day(start) or date.min, _day(end)))
    return tuple(rows)


class PriceTable:
    """The table, indexed; by default the one in :mod:`.price_table`."""

    def __init__(self, rows: Iterable[PriceRow] | None = None, aliases: Iterable[Alias] | None = None) -> None:
        if rows is None or aliases is None:
            from . import price_table

            rows = parse_prices(price_table.PRICES) if rows is None else rows
            aliases = parse_aliases(price_table.MODEL_ALIASES) if aliases is None else aliases
        self.rows: tuple[PriceRow, ...] = tuple(rows)
        self.aliases: tuple[Alias, ...] = tuple(aliases)
        self._by_key: dict[tuple, list[PriceRow]] = {}
        for row in self.rows:
            self._by_key.setdefault(row.key, []).append(row)
        for key, rows_of_key in self._by_key.items():
            rows_of_key.sort(key=lambda r: r.effective_from)
            for a, b in zip(rows_of_key, rows_of_key[1:], strict=False):
                if a.effective_to is None or a.effective_to > b.effective_from:
                    raise ValueError(f"price table: two prices of {key} overlap from {b.effective_from}")
        self._aliases: dict[tuple[str, str], list[Alias]] = {}
        for alias in self.aliases:
            self._aliases.setdefault((alias.provider, alias.alias), []).append(alias)
        self._first_day: dict[tuple[str, str], date] = {}
        for row in self.rows:
            key = (row.provider, row.model_id)
            self._first_day[key] = min(row.effective_from, self._first_day.get(key, date.max))

    def resolve_model(self, provider: str, model_raw: str, day: date) -> str:
        """The model id the vendor bills ``model_raw`` as on ``day`` (an alias resolved, else lower-cased)."""
        raw = model_raw.strip().lower()
        for alias in self._aliases.get((provider, raw), ()):
            if in_window(day, alias.effective_from, alias.effective_to):
                return alias.model_id
        return raw

    def first_price_day(self, provider: str, model_id: str) -> date | None:
        """The first day the table prices the model (when the organisation may start calling it)."""
        return self._first_day.get((provider, model_id))

    def unit_price(
        self,
        provider: str,
        model_id: str,
        usage_type: str,
        service_tier: str = "standard",
        tier: int = 0,
        day: date | None = None,
    ) -> UnitPrice | None:
        """The unit price of one usage type on ``day``, or None when the table has none. ``tier`` is the
        prompt-size tier (0, or 200000 for Anthropic's 200k-1M context window)."""
        if day is None:
            raise ValueError("unit_price needs the usage day.")
        for row in self._by_key.get((provider, model_id, usage_type, service_tier, tier), ()):
            if in_window(day, row.effective_from, row.effective_to):
                return UnitPrice(usage_type, row.unit, row.unit_price, row.effective_from)
        return None

    def cost(
        self,
        provider: str,
        model_id: str,
        usage_type: str,
        service_tier: str,
        tier: int,
        day: date,
        quantity: int | Decimal,
    ) -> Decimal | None:
        """The exact cost of ``quantity`` units, or None when unpriced."""
        price = self.unit_price(provider, model_id, usage_type, service_tier, tier, day)
        return None if price is None else price.cost(quantity)
