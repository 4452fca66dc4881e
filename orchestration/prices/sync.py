"""`finops prices sync`: the genai-prices package's list prices as generated price-book seeds (issue 9 item 1).

Reads `genai_prices.data.providers` from the installed package (pinned in constraints.txt); never its network
updater. Writes three files under pricing_seeds/generated/:

- genai_prices__price_book.csv: rows with the columns of pricing_seeds/price_book.csv. The curated book wins:
  stg_pricing__price_book drops a generated row when price_book.csv has a row for the same key.
- genai_prices__model_matches.csv: the package's model match clauses, so that dbt can resolve a raw model
  name (`us.anthropic.claude-...`) to a genai-prices model id (macro resolve_model_id).
- disagreements.csv: every current curated price that differs from genai-prices' current price for the
  same model, usage type, service tier and tier, so a wrong upstream price is seen, not copied.

Conversion rules:
- A price key becomes the usage type of PRICE_KEYS, in the unit usage_types.csv gives it (its scale is checked
  against the package's key: *_mtok per 1M, *_kcount per 1k).
- Providers: PROVIDERS maps each package provider to the warehouse's spellings of it (rows for each). A provider
  with fallback_model_providers (Azure -> OpenAI, ...) also gets those providers' models after its own, as the
  package falls back when pricing (one step).
- TieredPrices: the package applies a tier's price to all tokens when the request's input tokens are
  `> tier.start` (a cliff); our prompt_tokens_gt means "the prompt is greater than this", so a tier starting at
  200000 becomes a row with prompt_tokens_gt = 200000, and the base price a row with prompt_tokens_gt = 0.
- Dates: the package gives a start date only for ConditionalPrice / PriceVariant constraints. The prices are
  evaluated, with the package's own precedence (last active conditional price; first active variant per key),
  on FLOOR_DATE and on every start date after it; equal neighbouring prices are merged into one half-open window
  [effective_from, effective_to). Before its first start date the package uses the first price, so the first
  window starts on FLOOR_DATE (a documented floor, date_conf C), not on a date the package gives.
- Service tiers: a price variant `processing=batch` gives batch rows, `service_tier=flex|priority` flex and
  priority rows, with only the keys the variant prices (other keys keep the warehouse's price_modifiers).
- Left out, and counted in the summary: models priced by time of day (DeepSeek off-peak: no daily price is
  right), price keys without a usage type, variants of another kind (fast mode, routes, search types), regex
  clauses DuckDB's RE2 cannot run (lookaround, back references), duplicate model ids.
- Match clauses are flattened to disjunctive normal form: each row is one clause (kind, pattern) of one
  alternative of one model; a model matches a name when every clause of some alternative matches. rank is the
  model's position in its provider's list: the package takes the first model that matches, so the lowest rank
  wins. Patterns other than regex are lower-cased (the package compares case-insensitively); a regex is run on
  the lower-cased name, as the package does.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "pricing_seeds"
GENERATED = SEEDS / "generated"
PRICE_BOOK_FILE = "genai_prices__price_book.csv"
MATCHES_FILE = "genai_prices__model_matches.csv"
DISAGREEMENTS_FILE = "disagreements.csv"

# genai-prices provider id -> the warehouse's provider strings. Both spellings the warehouse uses get the rows:
# the cloud billing exports' (aws_bedrock, azure_openai: `as provider` in their staging) and the request logs'
# (bedrock, azure: macro request_provider), where Bedrock's API ids (`us.anthropic.claude-...`) appear. genai-prices'
# google provider prices the Gemini API and Vertex AI alike (its pricing_urls name both pages, its provider match
# takes "vertex"): its rows are the global endpoint's, and price_modifiers.csv says what another Vertex endpoint
# costs (region_regional), so google_vertex gets them too.
PROVIDERS = {
    "openai": ("openai",),
    "anthropic": ("anthropic",),
    "google": ("google", "google_vertex"),
    "aws": ("aws_bedrock", "bedrock"),
    "azure": ("azure_openai", "azure"),
    "mistral": ("mistral",),
    "deepseek": ("deepseek",),
    "x-ai": ("xai",),
}
# Not openrouter: its /models snapshots (source openrouter, kind price_lines) already publish every OpenRouter
# model's price, with history, from the API itself; genai-prices' copy of them would be a second, older one.
# genai-prices price key -> usage type (usage_types.csv gives its unit)
PRICE_KEYS = {
    "input_mtok": "input_tokens",
    "cache_read_mtok": "cache_read_tokens",
    "cache_write_mtok": "cache_write_tokens",
    "cache_write_1h_mtok": "cache_write_1h_tokens",
    "output_mtok": "output_tokens",
    "output_reasoning_mtok": "output_reasoning_tokens",
    "input_audio_mtok": "input_audio_tokens",
    "cache_audio_read_mtok": "cache_audio_read_tokens",
    "output_audio_mtok": "output_audio_tokens",
    "input_image_mtok": "input_image_tokens",
    "cache_image_read_mtok": "cache_image_read_tokens",
    "output_image_mtok": "output_image_tokens",
    "requests_kcount": "requests",
    "web_searches_kcount": "web_search_requests",
}
# (context key, value) of a price variant -> service tier
VARIANT_TIERS = {
    ("processing", "batch"): "batch",
    ("service_tier", "flex"): "flex",
    ("service_tier", "priority"): "priority",
}
UNIT_SCALE = {"per_1m_tokens": 1_000_000, "per_1k_requests": 1000}
# No price before this day: the package gives no start date for most prices (date_conf C says so).
FLOOR_DATE = date(2023, 1, 1)
PRICE_CONF, DATE_CONF = "B", "C"

PRICE_BOOK_COLUMNS = [
    "provider", "model_id", "usage_type", "service_tier", "prompt_tokens_gt", "effective_from", "effective_to",
    "unit", "currency", "unit_price", "price_conf", "date_conf", "sources", "notes",
]  # fmt: skip
MATCH_COLUMNS = ["provider", "model_id", "rank", "alternative", "clause_kind", "pattern"]
DISAGREEMENT_COLUMNS = [
    "provider", "model_id", "usage_type", "service_tier", "prompt_tokens_gt", "curated_unit_price",
    "genai_prices_model_id", "genai_prices_unit_price", "relative_difference",
]  # fmt: skip


@dataclass
class SyncResult:
    """What sync produces: the three files' rows, and what was left out (reason -> count)."""

    version: str
    price_rows: list[dict[str, str]] = field(default_factory=list)
    match_rows: list[dict[str, str]] = field(default_factory=list)
    disagreements: list[dict[str, str]] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)

    def files(self) -> dict[str, str]:
        """File name -> CSV text."""
        return {
            PRICE_BOOK_FILE: to_csv(PRICE_BOOK_COLUMNS, self.price_rows),
            MATCHES_FILE: to_csv(MATCH_COLUMNS, self.match_rows),
            DISAGREEMENTS_FILE: to_csv(DISAGREEMENT_COLUMNS, self.disagreements),
        }


def money(value: Decimal) -> str:
    """A Decimal as a plain string: 10, 0.075, 1.25 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def to_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def package_version() -> str:
    return metadata.version("genai-prices")


def usage_type_units(seeds: Path = SEEDS) -> dict[str, str]:
    """usage_type -> unit, from usage_types.csv; every mapped usage type must be there with a known scale."""
    units = {row["usage_type"]: row["unit"] for row in read_csv(seeds / "usage_types.csv")}
    for price_key, usage_type in PRICE_KEYS.items():
        # the package's key names its scale: *_mtok per 1M tokens, *_kcount per 1k
        scale = 1_000_000 if price_key.endswith("_mtok") else 1000
        if UNIT_SCALE.get(units.get(usage_type, "")) != scale:
            raise ValueError(
                f"usage_types.csv gives {usage_type} the unit {units.get(usage_type)!r}, not one per {scale:,} "
                f"as genai-prices' {price_key}"
            )
    return units


# ------------------------------------------------------------------------------------------------ prices


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _standard_prices(model, day: date):
    """The package's standard price (no context) on `day`: the last active conditional price, else the first."""
    from genai_prices.types import ModelPrice

    if isinstance(model.prices, ModelPrice):
        return model.prices
    return model.get_prices(_at(day))


def _variant_prices(model, context: tuple[str, str], day: date) -> dict[str, object]:
    """The keys a variant for `context` prices on `day` (first active variant per key, as the package resolves)."""
    overrides: dict[str, object] = {}
    for variant in model.price_variants or ():
        if variant.when != {context[0]: context[1]}:
            continue
        if variant.constraint is not None and not variant.constraint.active(_at(day)):
            continue
        for key, price in variant.prices.__dict__.items():
            if price is not None:
                overrides.setdefault(key, price)
    return overrides


def _start_dates(model) -> list[date]:
    from genai_prices.types import StartDateConstraint

    constraints = [c.constraint for c in model.prices] if isinstance(model.prices, list) else []
    constraints += [v.constraint for v in model.price_variants or ()]
    return sorted({c.start_date for c in constraints if isinstance(c, StartDateConstraint)})


def _tiered(value) -> list[tuple[int, Decimal]]:
    """(prompt_tokens_gt, price) rows of one price: the base at 0, each tier at its start (see module doc)."""
    from genai_prices.types import TieredPrices

    if isinstance(value, TieredPrices):
        return [(0, value.base)] + [(tier.start, tier.price) for tier in value.tiers]
    return [(0, value)]


def model_price_rows(provider: str, model, units: dict[str, str], left_out: Counter, version: str) -> list[dict]:
    """The price-book rows of one genai-prices ModelInfo under the warehouse provider `provider`."""
    from genai_prices.types import TimeOfDateConstraint

    conditional = model.prices if isinstance(model.prices, list) else []
    if any(isinstance(c.constraint, TimeOfDateConstraint) for c in conditional) or any(
        isinstance(v.constraint, TimeOfDateConstraint) for v in model.price_variants or ()
    ):
        left_out["model priced by time of day"] += 1
        return []

    tiers: dict[str, tuple[str, str]] = {"standard": ("", "")}
    for variant in model.price_variants or ():
        if len(variant.when) == 1 and (context := next(iter(variant.when.items()))) in VARIANT_TIERS:
            tiers[VARIANT_TIERS[context]] = context
        elif any(price is not None for price in variant.prices.__dict__.values()):
            label = ",".join(f"{k}={v}" for k, v in sorted(variant.when.items()))
            left_out[f"price variant {label}"] += 1

    days = [FLOOR_DATE] + [day for day in _start_dates(model) if day > FLOOR_DATE]
    # (usage_type, service_tier, prompt_tokens_gt) -> price per segment (None = no price that segment)
    series: dict[tuple[str, str, int], list[Decimal | None]] = {}
    unmapped: set[str] = set()
    for index, day in enumerate(days):
        for tier, context in sorted(tiers.items()):
            if tier == "standard":
                prices = {k: v for k, v in _standard_prices(model, day).__dict__.items() if v is not None}
            else:
                prices = _variant_prices(model, context, day)
            for key, value in prices.items():
                if key.startswith("_"):
                    continue
                if key not in PRICE_KEYS:
                    unmapped.add(key)
                    continue
                for gt, price in _tiered(value):
                    series.setdefault((PRICE_KEYS[key], tier, gt), [None] * len(days))[index] = price
    for key in sorted(unmapped):
        left_out[f"price key without a usage type: {key}"] += 1

    rows = []
    model_id = model.id.lower()
    for (usage_type, tier, gt), prices in sorted(series.items()):
        start = 0
        while start < len(days):
            price = prices[start]
            end = start + 1
            while end < len(days) and prices[end] == price:
                end += 1
            if price is not None:
                rows.append(
                    {
                        "provider": provider,
                        "model_id": model_id,
                        "usage_type": usage_type,
                        "service_tier": tier,
                        "prompt_tokens_gt": str(gt),
                        "effective_from": days[start].isoformat(),
                        "effective_to": days[end].isoformat() if end < len(days) else "",
                        "unit": units[usage_type],
                        "currency": "USD",
                        "unit_price": money(price),
                        "price_conf": PRICE_CONF,
                        "date_conf": DATE_CONF,
                        "sources": f"genai-prices {version}",
                        "notes": "from the floor date (start unknown)"
                        if start == 0
                        else "start date from genai-prices",
                    }
                )
            start = end
    return rows


# ------------------------------------------------------------------------------------------------ matches


def _dnf(clause) -> list[list[tuple[str, str]]]:
    """A match clause as alternatives (or) of conjunctions (and) of (kind, pattern)."""
    if (parts := getattr(clause, "or_", None)) is not None:
        return [alternative for part in parts for alternative in _dnf(part)]
    if (parts := getattr(clause, "and_", None)) is not None:
        alternatives: list[list[tuple[str, str]]] = [[]]
        for part in parts:
            alternatives = [left + right for left in alternatives for right in _dnf(part)]
        return alternatives
    for kind in ("equals", "starts_with", "ends_with", "contains", "regex"):
        if (pattern := getattr(clause, kind, None)) is not None:
            return [[(kind, pattern if kind == "regex" else pattern.lower())]]
    raise ValueError(f"unknown genai-prices match clause {clause!r}")


@functools.cache
def runs_in_duckdb(pattern: str) -> bool:
    """Whether DuckDB's regexp_matches (RE2: no lookaround, no back references) accepts the package's regex."""
    import duckdb

    with duckdb.connect() as conn:
        try:
            conn.execute("select regexp_matches('', ?)", [pattern]).fetchall()
        except duckdb.Error:
            return False
    return True


def model_match_rows(provider: str, model, rank: int, left_out: Counter) -> list[dict]:
    rows = []
    number = 0
    for alternative in _dnf(model.match):
        if any(kind == "regex" and not runs_in_duckdb(pattern) for kind, pattern in alternative):
            left_out["match alternative with a regex RE2 cannot run"] += 1
            continue
        number += 1
        for kind, pattern in alternative:
            row = {"provider": provider, "model_id": model.id.lower(), "rank": str(rank), "alternative": str(number)}
            rows.append(row | {"clause_kind": kind, "pattern": pattern})
    return rows


# ------------------------------------------------------------------------------------------------ disagreements


def _relative(curated: Decimal, upstream: Decimal) -> str:
    if curated == 0:
        return ""
    return money(((upstream - curated) / curated).quantize(Decimal("0.0001")))


def disagreements(curated: list[dict[str, str]], models: dict[str, list], price_rows: list[dict]) -> list[dict]:
    """Current curated prices that differ from genai-prices' current price for the same model and key. A curated
    model id is looked up as the package would resolve it: its own id, else the first model whose clause matches."""
    current = {
        (r["provider"], r["model_id"], r["usage_type"], r["service_tier"], r["prompt_tokens_gt"]): Decimal(
            r["unit_price"]
        )
        for r in price_rows
        if not r["effective_to"]
    }
    found = []
    for row in curated:
        if row["effective_to"] or row["provider"] not in models:
            continue
        model_id = row["model_id"].lower()
        candidates = models[row["provider"]]
        upstream = next((m for m in candidates if m.id.lower() == model_id), None)
        upstream = upstream or next((m for m in candidates if m.is_match(model_id)), None)
        if upstream is None:
            continue
        gt = str(int(row["prompt_tokens_gt"] or 0))
        key = (row["provider"], upstream.id.lower(), row["usage_type"], row["service_tier"], gt)
        if key not in current:
            continue
        mine, theirs = Decimal(row["unit_price"]), current[key]
        if mine != theirs:
            found.append(
                {
                    "provider": row["provider"],
                    "model_id": model_id,
                    "usage_type": row["usage_type"],
                    "service_tier": row["service_tier"],
                    "prompt_tokens_gt": gt,
                    "curated_unit_price": money(mine),
                    "genai_prices_model_id": upstream.id.lower(),
                    "genai_prices_unit_price": money(theirs),
                    "relative_difference": _relative(mine, theirs),
                }
            )
    return sorted(found, key=lambda r: tuple(r[c] for c in DISAGREEMENT_COLUMNS[:5]))


# ------------------------------------------------------------------------------------------------ sync


def provider_models(provider, by_id: dict) -> list:
    """A provider's models in the package's match order: its own, then (one step, as the package falls back) the
    models of its fallback_model_providers (Azure sells OpenAI's models at OpenAI's list prices)."""
    models = list(provider.models)
    for fallback_id in provider.fallback_model_providers or ():
        if fallback_id in by_id:
            models += by_id[fallback_id].models
    return models


def convert(providers, curated: list[dict[str, str]], units: dict[str, str], version: str) -> SyncResult:
    """genai-prices providers -> SyncResult (pure: the tests pass hand-built providers)."""
    result = SyncResult(version=version)
    by_id = {p.id: p for p in providers}
    converted: dict[int, tuple[list[dict], list[dict]]] = {}  # id(model) -> its price rows, its match rows
    models: dict[str, list] = {}
    for genai_id, targets in PROVIDERS.items():
        if genai_id not in by_id:
            continue
        seen: set[str] = set()
        kept = []
        for rank, model in enumerate(provider_models(by_id[genai_id], by_id), start=1):
            if model.id.lower() in seen:
                own = model in by_id[genai_id].models
                result.left_out["duplicate model id" if own else "fallback model with the id of an own model"] += 1
                continue
            seen.add(model.id.lower())
            kept.append(model)
            if id(model) not in converted:  # a model is converted (and its left-outs counted) once
                prices = model_price_rows("", model, units, result.left_out, version)
                converted[id(model)] = (prices, model_match_rows("", model, 0, result.left_out))
            prices, matches = converted[id(model)]
            for target in targets:
                result.price_rows += [row | {"provider": target} for row in prices]
                result.match_rows += [row | {"provider": target, "rank": str(rank)} for row in matches]
        for target in targets:
            models[target] = kept
    result.price_rows.sort(key=lambda r: tuple(r[c] for c in PRICE_BOOK_COLUMNS[:6]))
    result.match_rows.sort(
        key=lambda r: (r["provider"], int(r["rank"]), int(r["alternative"]), r["clause_kind"], r["pattern"])
    )
    result.disagreements = disagreements(curated, models, result.price_rows)
    return result


def sync(seeds: Path = SEEDS) -> SyncResult:
    """Convert the installed package's data (read only: `genai_prices.data.providers`)."""
    from genai_prices.data import providers

    return convert(providers, read_csv(seeds / "price_book.csv"), usage_type_units(seeds), package_version())


def write(result: SyncResult, folder: Path = GENERATED) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in result.files().items():
        (folder / name).write_text(text)


def stale_files(result: SyncResult, folder: Path = GENERATED) -> list[str]:
    """The generated files whose committed content differs from `result` (missing ones included)."""
    return [
        name
        for name, text in result.files().items()
        if not (folder / name).is_file() or (folder / name).read_text() != text
    ]


def summary_lines(result: SyncResult, limit: int = 20) -> list[str]:
    """One summary line, then one line per disagreement (at most `limit`, and how many more)."""
    left = "; ".join(f"{reason}: {count}" for reason, count in sorted(result.left_out.items())) or "nothing"
    models = {(r["provider"], r["model_id"]) for r in result.price_rows}
    lines = [
        f"genai-prices {result.version}: {len(result.price_rows)} price rows for {len(models)} models, "
        f"{len(result.match_rows)} match clauses; {len(result.disagreements)} disagreements with the curated book; "
        f"left out: {left}."
    ]
    for row in result.disagreements[:limit]:
        lines.append(
            f"  {row['provider']} {row['model_id']} {row['usage_type']} {row['service_tier']} >{row['prompt_tokens_gt']}: "
            f"curated {row['curated_unit_price']}, genai-prices ({row['genai_prices_model_id']}) "
            f"{row['genai_prices_unit_price']} ({row['relative_difference'] or 'n/a'})"
        )
    if len(result.disagreements) > limit:
        lines.append(
            f"  ... and {len(result.disagreements) - limit} more in pricing_seeds/generated/{DISAGREEMENTS_FILE}"
        )
    return lines
