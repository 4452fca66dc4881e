"""The warehouse's price rules, applied to its seeds in Python: what the seeds say a usage type costs.

The emulator prices from its own table (``emulator/price_table.py``) and never reads the seeds; this module
(test code only) reads ``pricing_seeds/*.csv`` and applies the same written rules the dbt models apply, so
``test_emulator_price_table.py`` can compare every row of the emulator's table with the effective price of
the seeds (modifiers, fallbacks and aliases included) and name every disagreement.

The rules:

1. ``model_id``: ``model_raw`` resolved through ``model_aliases.csv`` (provider, alias, day in
   ``[effective_from, effective_to)``), else ``model_raw`` lower-cased.
2. :meth:`SeedPrices.unit_price` tries the usage type, then its ``fallback_usage_type`` chain
   (``usage_types.csv``). For each candidate type ``c`` it takes the price-book rows of (provider,
   model_id, c) in effect on the day (rows of model ``*`` when the model has none), keeps those with the
   largest ``prompt_tokens_gt <= tier``, and then (a) an explicit row of the service tier; (b) else the
   ``standard`` row times the matching ``price_modifiers.csv`` multiplier (``base_usage_type`` empty);
   (c) for the standard tier only, the ``standard`` row of a modifier's ``base_usage_type`` times its
   multiplier. The first candidate that yields a price wins; no price means unpriced (``None``).
3. ``cost = quantity * unit_price / 1,000,000`` for ``per_1m_tokens``, ``/ 1,000`` for ``per_1k_requests``
   and ``per_1k_searches``, else ``* 1``; exact ``Decimal`` arithmetic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from fnmatch import fnmatchcase
from pathlib import Path

from emulator.pricing import EXACT, UNIT_DIVISORS, in_window

SEEDS = Path(__file__).resolve().parents[2] / "pricing_seeds"  # the warehouse's seeds, in this checkout


def _day(text: str) -> date | None:
    text = (text or "").strip()
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class PriceRow:
    provider: str
    model_id: str
    usage_type: str
    service_tier: str
    prompt_tokens_gt: int
    effective_from: date
    effective_to: date | None
    unit: str
    unit_price: Decimal


@dataclass(frozen=True)
class Modifier:
    provider: str
    model_patterns: tuple[str, ...]
    service_tier: str
    usage_types: tuple[str, ...]  # ("*",) = every usage type
    base_usage_type: str | None
    multiplier: Decimal
    effective_from: date | None
    effective_to: date | None

    def matches(self, provider: str, model_id: str, service_tier: str, usage_type: str, day: date) -> bool:
        return (
            self.provider == provider
            and self.service_tier == service_tier
            and any(p == "*" or fnmatchcase(model_id, p) for p in self.model_patterns)
            and ("*" in self.usage_types or usage_type in self.usage_types)
            and in_window(day, self.effective_from, self.effective_to)
        )

    @property
    def sort_key(self) -> tuple[bool, date]:
        """Larger is preferred: a specific model pattern first, then the latest effective_from."""
        return (self.model_patterns != ("*",), self.effective_from or date.min)


@dataclass(frozen=True)
class UnitPrice:
    """The price that applies to one usage type, and how it was found."""

    usage_type: str  # the usage type asked for
    priced_as: str  # the candidate type that yielded the price (differs after a fallback)
    unit: str
    unit_price: Decimal
    rule: str  # "explicit" | "modifier" | "base_modifier"
    effective_from: date  # of the price-book row the price comes from

    def cost(self, quantity: int | Decimal) -> Decimal:
        with localcontext(EXACT):
            amount = Decimal(quantity) * self.unit_price
            divisor = UNIT_DIVISORS.get(self.unit)
            return amount / divisor if divisor is not None else amount


class SeedPrices:
    """The seeds, loaded into Decimals, and the price rules over them."""

    FILES = ("price_book.csv", "model_aliases.csv", "price_modifiers.csv", "usage_types.csv")

    def __init__(self, price_dir: Path | str | None = None) -> None:
        self.price_dir = Path(price_dir) if price_dir is not None else SEEDS
        self._rows: dict[tuple[str, str, str], list[PriceRow]] = {}
        for r in self._read("price_book.csv"):
            row = PriceRow(
                provider=r["provider"].strip(),
                model_id=r["model_id"].strip().lower(),
                usage_type=r["usage_type"].strip(),
                service_tier=r["service_tier"].strip(),
                prompt_tokens_gt=int(r["prompt_tokens_gt"] or 0),
                effective_from=_day(r["effective_from"]) or date.min,
                effective_to=_day(r["effective_to"]),
                unit=r["unit"].strip(),
                unit_price=Decimal(r["unit_price"].strip()),
            )
            self._rows.setdefault((row.provider, row.model_id, row.usage_type), []).append(row)
        self._aliases: dict[tuple[str, str], list[tuple[date | None, date | None, str]]] = {}
        for r in self._read("model_aliases.csv"):
            key = (r["provider"].strip(), r["alias"].strip().lower())
            window = (_day(r["effective_from"]), _day(r["effective_to"]), r["model_id"].strip().lower())
            self._aliases.setdefault(key, []).append(window)
        self._modifiers: list[Modifier] = [
            Modifier(
                provider=r["provider"].strip(),
                model_patterns=tuple(p.strip() for p in r["model_pattern"].split("|")),
                service_tier=r["service_tier"].strip(),
                usage_types=tuple(u.strip() for u in r["usage_types"].split("|")),
                base_usage_type=(r["base_usage_type"] or "").strip() or None,
                multiplier=Decimal(r["multiplier"].strip()),
                effective_from=_day(r["effective_from"]),
                effective_to=_day(r["effective_to"]),
            )
            for r in self._read("price_modifiers.csv")
        ]
        self._fallback: dict[str, str | None] = {
            r["usage_type"].strip(): (r["fallback_usage_type"] or "").strip() or None
            for r in self._read("usage_types.csv")
        }
        self._cache: dict[tuple, UnitPrice | None] = {}
        self._first_day: dict[tuple[str, str], date] = {}
        for (provider, model_id, _), rows in self._rows.items():
            first = min(r.effective_from for r in rows)
            if first < self._first_day.get((provider, model_id), date.max):
                self._first_day[(provider, model_id)] = first

    def change_days(self, provider: str) -> set[date]:
        """Every day a price row, modifier or alias of ``provider`` starts or ends: a price the rules give is
        the same on every day between two consecutive change days."""
        days: set[date | None] = set()
        for (p, _, _), rows in self._rows.items():
            if p == provider:
                days |= {d for r in rows for d in (r.effective_from, r.effective_to)}
        days |= {d for m in self._modifiers if m.provider == provider for d in (m.effective_from, m.effective_to)}
        days |= {d for (p, _), windows in self._aliases.items() if p == provider for w in windows for d in w[:2]}
        return {d for d in days if d is not None and d != date.min}

    def _read(self, name: str) -> list[dict[str, str]]:
        with open(self.price_dir / name, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    # -- rule 1 -----------------------------------------------------------------------------------------

    def resolve_model(self, provider: str, model_raw: str, day: date) -> str:
        raw = model_raw.strip().lower()
        for start, end, model_id in self._aliases.get((provider, raw), ()):
            if in_window(day, start, end):
                return model_id
        return raw

    def first_price_day(self, provider: str, model_id: str) -> date | None:
        """The first day any price row of the model is in effect (when the model became usable)."""
        return self._first_day.get((provider, model_id))

    # -- rule 3 -----------------------------------------------------------------------------------------

    def candidates(self, usage_type: str) -> list[str]:
        """The usage type followed by its fallback chain."""
        chain = [usage_type]
        while (nxt := self._fallback.get(chain[-1])) and nxt not in chain:
            chain.append(nxt)
        return chain

    def _tier_rows(self, provider: str, model_id: str, usage_type: str, tier: int, day: date) -> list[PriceRow]:
        def in_effect(model: str) -> list[PriceRow]:
            rows = self._rows.get((provider, model, usage_type), ())
            return [r for r in rows if in_window(day, r.effective_from, r.effective_to)]

        rows = in_effect(model_id) or in_effect("*")  # '*' rows price every model of the provider
        rows = [r for r in rows if r.prompt_tokens_gt <= tier]
        if not rows:
            return []
        top = max(r.prompt_tokens_gt for r in rows)
        return [r for r in rows if r.prompt_tokens_gt == top]

    def _modifier(
        self, provider: str, model_id: str, service_tier: str, usage_type: str, day: date, *, based: bool
    ) -> Modifier | None:
        found = [
            m
            for m in self._modifiers
            if m.matches(provider, model_id, service_tier, usage_type, day) and (m.base_usage_type is not None) == based
        ]
        return max(found, key=lambda m: m.sort_key) if found else None

    def unit_price(
        self,
        provider: str,
        model_id: str,
        usage_type: str,
        service_tier: str = "standard",
        tier: int = 0,
        day: date | None = None,
    ) -> UnitPrice | None:
        """The unit price of one usage type (rule 3), or None when unpriced. ``tier`` is the prompt-size
        tier threshold (0, or 200000 for Anthropic's 200k-1M context window)."""
        if day is None:
            raise ValueError("unit_price needs the usage day.")
        key = (provider, model_id, usage_type, service_tier, tier, day)
        if key not in self._cache:
            self._cache[key] = self._unit_price(*key)
        return self._cache[key]

    def _unit_price(
        self, provider: str, model_id: str, usage_type: str, st: str, tier: int, day: date
    ) -> UnitPrice | None:
        for c in self.candidates(usage_type):
            rows = self._tier_rows(provider, model_id, c, tier, day)
            explicit = [r for r in rows if r.service_tier == st]
            if explicit:  # (a)
                r = explicit[0]
                return UnitPrice(usage_type, c, r.unit, r.unit_price, "explicit", r.effective_from)
            standard = [r for r in rows if r.service_tier == "standard"]
            mod = self._modifier(provider, model_id, st, c, day, based=False)
            if standard and mod is not None:  # (b)
                r = standard[0]
                with localcontext(EXACT):
                    price = r.unit_price * mod.multiplier
                return UnitPrice(usage_type, c, r.unit, price, "modifier", r.effective_from)
            if st == "standard":  # (c)
                mod = self._modifier(provider, model_id, st, c, day, based=True)
                if mod is not None:
                    base_rows = self._tier_rows(provider, model_id, mod.base_usage_type, tier, day)
                    base = [r for r in base_rows if r.service_tier == "standard"]
                    if base:
                        r = base[0]
                        with localcontext(EXACT):
                            price = r.unit_price * mod.multiplier
                        return UnitPrice(usage_type, c, r.unit, price, "base_modifier", r.effective_from)
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
        """Rule 4: the exact cost of ``quantity`` units, or None when unpriced."""
        price = self.unit_price(provider, model_id, usage_type, service_tier, tier, day)
        return None if price is None else price.cost(quantity)
