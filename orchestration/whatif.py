"""finops.yaml section ``whatif``: repricing scenarios, written to ``config.whatif_scenarios`` for dbt
(mart_whatif_reprice re-prices actual usage under each scenario with the price book's own rules).

A scenario changes one or more of: the model (``to_model``, resolved at the price date, same provider), the
service tier (``to_service_tier``), the date the book is read at (``price_date``: ``usage_date``, a date or
``today``), the cache hit rate (``cache_hit_rate``: the share of prompt tokens read from cache) and the batch
share (``batch_share``: the share of standard-tier traffic moved to batch); ``scope`` narrows the usage it
applies to (a provider, globs on the actual model id). Rates are exact Decimals of at most 4 places.

Without a file (or a section) the built-in scenarios apply; they assume nothing about an organisation's
models, so they mean something for every warehouse:
  all-batch      batch_share 1: every standard-tier token through the batch API, the ceiling of what batching
                 can save (a model without a batch price stays unpriced, flagged);
  todays-prices  price_date today: the same usage at today's list prices, i.e. what past price changes mean
                 for a bill of the same traffic now.

``whatif.routing`` lists routing rules, written to ``config.whatif_routing`` (mart_whatif_routing): a request of
the request logs is *simple* when its prompt (every input token, cached ones included) is at most
``simple.max_input_tokens`` and its output at most ``simple.max_output_tokens``; the rule estimates what the
simple requests in its scope (a provider, required, and optional model globs) would have cost under ``to_model``.
Without a ``routing`` key the built-in rules apply: simple = at most 1,000 input and 300 output tokens, routed
to the small current model of each of the three providers request logs name most (anthropic to
claude-haiku-4-5, openai to gpt-4.1-mini, google to gemini-2.5-flash-lite). Named models rather than "the
cheapest model in the book": the cheapest rows of a provider's book are embeddings, moderation or audio models
that cannot answer a chat request. A rule matches no usage of a provider the logs do not name, so the built-ins
mean nothing wrong for any warehouse; ``routing:`` left empty means no rule.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from orchestration.config import ConfigTable, Reader, Section, _kind, known_providers, register_section
from orchestration.settings import PRICING_SEEDS_DIR

PRICE_DATE_RULES = ("usage_date", "today")
RATE_PLACES = 4  # 4 places per rate: quantities stay exact in decimal(38,8) when both rates apply
MAX_MODEL_GLOBS = 8  # macro pipe_list_max_parts: the mart splits the '|'-joined globs into at most 8 parts
_NAME = re.compile(r"[a-z0-9_-]+")
_GLOB = re.compile(r"[A-Za-z0-9_.:/@*-]+")
_MODEL_ID = re.compile(r"[A-Za-z0-9_.:/@-]+")
_CHANGES = ("to_model", "to_service_tier", "price_date", "cache_hit_rate", "batch_share")
_KEYS = ("name", "scope", *_CHANGES)
_ROUTING_KEYS = ("name", "simple", "scope", "to_model")
_SIMPLE_KEYS = ("max_input_tokens", "max_output_tokens")
DEFAULT_MAX_INPUT_TOKENS = 1000
DEFAULT_MAX_OUTPUT_TOKENS = 300


@dataclass(frozen=True)
class Scenario:
    name: str
    provider: str | None = None  # scope: None = every provider
    models: tuple[str, ...] = ()  # scope: globs on the actual model_id; () = every model
    to_model: str | None = None
    to_service_tier: str | None = None
    price_date: str = "usage_date"  # 'usage_date' | 'today' | an ISO date
    cache_hit_rate: Decimal | None = None
    batch_share: Decimal | None = None


DEFAULT_SCENARIOS = (
    Scenario(name="all-batch", batch_share=Decimal(1)),
    Scenario(name="todays-prices", price_date="today"),
)


@dataclass(frozen=True)
class RoutingRule:
    """Route a provider's simple requests (prompt <= max_input_tokens and output <= max_output_tokens) to
    ``to_model``; ``models`` globs narrow the actual models it applies to."""

    name: str
    provider: str
    to_model: str
    models: tuple[str, ...] = ()
    max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS


DEFAULT_ROUTING = (
    RoutingRule(name="simple-to-haiku", provider="anthropic", to_model="claude-haiku-4-5"),
    RoutingRule(name="simple-to-gpt-4-1-mini", provider="openai", to_model="gpt-4.1-mini"),
    RoutingRule(name="simple-to-flash-lite", provider="google", to_model="gemini-2.5-flash-lite"),
)


@dataclass(frozen=True)
class WhatifConfig:
    """The section's value: repricing scenarios and routing rules."""

    scenarios: tuple[Scenario, ...] = DEFAULT_SCENARIOS
    routing: tuple[RoutingRule, ...] = DEFAULT_ROUTING


def _text(reader: Reader, node: Node, where: str, pattern: re.Pattern, fix: str) -> str:
    value = str(node.value).strip() if isinstance(node, ScalarNode) else None
    if not value or not pattern.fullmatch(value):
        shown = repr(node.value) if isinstance(node, ScalarNode) and node.value != "" else _kind(node)
        raise reader.error(node, f"{where} is {shown}, not a valid value", fix)
    return value


def _rate(reader: Reader, node: Node, where: str) -> Decimal:
    return reader.decimal(node, where, minimum=Decimal(0), maximum=Decimal(1), places=RATE_PLACES)


def _price_date(reader: Reader, node: Node, where: str) -> str:
    value = str(node.value).strip() if isinstance(node, ScalarNode) else ""
    if value in PRICE_DATE_RULES:
        return value
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise reader.error(
        node,
        f"{where} is {value!r}, not a date" if value else f"{where} is {_kind(node)}, not a date",
        "write usage_date, today or a date as YYYY-MM-DD",
    )


def _scope(reader: Reader, node: Node, where: str, what: str = "scenario") -> tuple[str | None, tuple[str, ...]]:
    items = reader.mapping(node, where, ("provider", "models"))
    provider = None
    if "provider" in items:
        value = items["provider"][1]
        provider = _text(reader, value, f"{where}.provider", _NAME, "write a provider name such as openai")
        if provider not in known_providers():
            reader.warn(
                value,
                f"provider {provider!r} is not one this warehouse prices or bills (known: "
                f"{', '.join(sorted(known_providers()))}); the {what} matches no usage unless such rows appear",
            )
    models: tuple[str, ...] = ()
    if "models" in items:
        value = items["models"][1]
        if not isinstance(value, SequenceNode) or not value.value:
            raise reader.error(
                value, f"{where}.models must be a list of model globs, not {_kind(value)}", 'write ["claude-sonnet-4*"]'
            )
        if len(value.value) > MAX_MODEL_GLOBS:
            raise reader.error(
                value,
                f"{where}.models has {len(value.value)} globs, more than {MAX_MODEL_GLOBS}",
                "merge them with * or split the scenario",
            )
        models = tuple(
            _text(reader, glob, f"{where}.models", _GLOB, "write a model id, with * for any text")
            for glob in value.value
        )
    return provider, models


def _to_model(reader: Reader, node: Node, where: str, provider: str, what: str) -> str:
    to_model = _text(reader, node, where, _MODEL_ID, "write a model id")
    if provider in known_providers() and to_model.lower() not in book_models(provider):
        reader.warn(
            node,
            f"model {to_model!r} is not in the price book of {provider} (nor an alias); the {what}'s "
            "counterfactual will be unpriced",
        )
    return to_model


def _count(reader: Reader, node: Node, where: str) -> int:
    text = str(node.value).strip().replace("_", "") if isinstance(node, ScalarNode) else ""
    quoted = isinstance(node, ScalarNode) and node.style in ("'", '"')
    if quoted or not text.isdigit() or not text.isascii():
        shown = repr(node.value) if isinstance(node, ScalarNode) and node.value != "" else _kind(node)
        raise reader.error(node, f"{where} is {shown}, not a whole number of tokens", "write a number such as 1000")
    return int(text)


def _routing_rule(reader: Reader, node: Node, where: str) -> tuple[Node, RoutingRule]:
    items = reader.mapping(node, where, _ROUTING_KEYS)
    if "name" not in items:
        raise reader.error(node, f"{where} has no name", "give it a unique name such as simple-to-haiku")
    name_node = items["name"][1]
    name = _text(reader, name_node, f"{where}.name", _NAME, "use lower-case letters, digits, - and _")
    where = f"whatif routing rule {name!r}"
    if "to_model" not in items:
        raise reader.error(node, f"{where} has no to_model", "name the cheaper model the simple requests go to")
    scope = items.get("scope")
    provider, models = _scope(reader, scope[1], f"{where}.scope", "routing rule") if scope else (None, ())
    if provider is None:
        raise reader.error(
            items["scope"][0] if "scope" in items else node,
            f"{where} has no scope.provider",
            "name the provider to_model belongs to, as in scope: {provider: anthropic}",
        )
    to_model = _to_model(reader, items["to_model"][1], f"{where}.to_model", provider, "routing rule")
    limits = {"max_input_tokens": DEFAULT_MAX_INPUT_TOKENS, "max_output_tokens": DEFAULT_MAX_OUTPUT_TOKENS}
    if "simple" in items:
        simple = reader.mapping(items["simple"][1], f"{where}.simple", _SIMPLE_KEYS)
        for key, (_, value) in simple.items():
            limits[key] = _count(reader, value, f"{where}.simple.{key}")
    return name_node, RoutingRule(name=name, provider=provider, to_model=to_model, models=models, **limits)


def _parse_routing(reader: Reader, value: Node) -> tuple[RoutingRule, ...]:
    if isinstance(value, ScalarNode) and value.value == "":
        return ()  # `routing:` left empty: no rule at all
    if not isinstance(value, SequenceNode):
        raise reader.error(value, f"whatif.routing must be a list, not {_kind(value)}", "start each rule with -")
    rules: dict[str, RoutingRule] = {}
    for index, item in enumerate(value.value, start=1):
        name_node, rule = _routing_rule(reader, item, f"whatif routing rule {index}")
        if rule.name in rules:
            raise reader.error(
                name_node, f"whatif routing rule {rule.name!r} is given twice", "give each a unique name"
            )
        rules[rule.name] = rule
    return tuple(rules.values())


def _scenario(reader: Reader, node: Node, where: str) -> tuple[Node, Scenario]:
    items = reader.mapping(node, where, _KEYS)
    if "name" not in items:
        raise reader.error(node, f"{where} has no name", "give it a unique name such as sonnet-to-haiku")
    name_node = items["name"][1]
    name = _text(reader, name_node, f"{where}.name", _NAME, "use lower-case letters, digits, - and _")
    where = f"whatif scenario {name!r}"
    if not any(key in items for key in _CHANGES):
        raise reader.error(node, f"{where} changes nothing", f"give at least one of {', '.join(_CHANGES)}")
    provider, models = _scope(reader, items["scope"][1], f"{where}.scope") if "scope" in items else (None, ())
    values: dict = {"name": name, "provider": provider, "models": models}
    if "to_model" in items:
        key_node, value = items["to_model"]
        if provider is None:
            raise reader.error(
                key_node, f"{where} has to_model but no scope.provider", "name the provider the model belongs to"
            )
        values["to_model"] = _to_model(reader, value, f"{where}.to_model", provider, "scenario")
    if "to_service_tier" in items:
        value = items["to_service_tier"][1]
        tier = str(value.value).strip() if isinstance(value, ScalarNode) else ""
        if tier not in known_service_tiers():
            shown = repr(tier) if tier else _kind(value)
            raise reader.error(
                value,
                f"{where}.to_service_tier is {shown}, not a tier the price book knows",
                f"use one of {', '.join(sorted(known_service_tiers()))}",
            )
        values["to_service_tier"] = tier
    if "to_service_tier" in items and "batch_share" in items:
        raise reader.error(
            items["batch_share"][0],
            f"{where} has both to_service_tier and batch_share",
            "use to_service_tier to move all traffic, batch_share to move a share of standard traffic to batch",
        )
    if "price_date" in items:
        values["price_date"] = _price_date(reader, items["price_date"][1], f"{where}.price_date")
    for key in ("cache_hit_rate", "batch_share"):
        if key in items:
            values[key] = _rate(reader, items[key][1], f"{where}.{key}")
    return name_node, Scenario(**values)


def _parse_scenarios(reader: Reader, value: Node) -> tuple[Scenario, ...]:
    if isinstance(value, ScalarNode) and value.value == "":
        return ()  # `scenarios:` left empty: no scenario at all
    if not isinstance(value, SequenceNode):
        raise reader.error(value, f"whatif.scenarios must be a list, not {_kind(value)}", "start each scenario with -")
    scenarios: dict[str, Scenario] = {}
    for index, item in enumerate(value.value, start=1):
        name_node, scenario = _scenario(reader, item, f"whatif scenario {index}")
        if scenario.name in scenarios:
            raise reader.error(
                name_node, f"whatif scenario {scenario.name!r} is given twice", "give each a unique name"
            )
        scenarios[scenario.name] = scenario
    return tuple(scenarios.values())


def _parse_whatif(reader: Reader, node: Node) -> WhatifConfig:
    if isinstance(node, ScalarNode) and node.value == "":
        return WhatifConfig()
    items = reader.mapping(node, "whatif", ("scenarios", "routing"))
    return WhatifConfig(
        scenarios=_parse_scenarios(reader, items["scenarios"][1]) if "scenarios" in items else DEFAULT_SCENARIOS,
        routing=_parse_routing(reader, items["routing"][1]) if "routing" in items else DEFAULT_ROUTING,
    )


WHATIF_COLUMNS = (
    ("scenario", "varchar"),
    ("scope_provider", "varchar"),
    ("scope_models", "varchar"),
    ("to_model", "varchar"),
    ("to_service_tier", "varchar"),
    ("price_date_rule", "varchar"),
    ("price_date", "date"),
    ("cache_hit_rate", "decimal(5,4)"),
    ("batch_share", "decimal(5,4)"),
)


ROUTING_COLUMNS = (
    ("rule", "varchar"),
    ("scope_provider", "varchar"),
    ("scope_models", "varchar"),
    ("to_model", "varchar"),
    ("max_input_tokens", "bigint"),
    ("max_output_tokens", "bigint"),
)


def _whatif_tables(value: WhatifConfig) -> list[ConfigTable]:
    routing = tuple(
        (r.name, r.provider, "|".join(r.models) or None, r.to_model, r.max_input_tokens, r.max_output_tokens)
        for r in value.routing
    )
    rows = tuple(
        (
            s.name,
            s.provider,
            "|".join(s.models) or None,
            s.to_model,
            s.to_service_tier,
            s.price_date if s.price_date in PRICE_DATE_RULES else "fixed",
            None if s.price_date in PRICE_DATE_RULES else s.price_date,
            s.cache_hit_rate,
            s.batch_share,
        )
        for s in value.scenarios
    )
    return [
        ConfigTable(name="whatif_scenarios", columns=WHATIF_COLUMNS, rows=rows),
        ConfigTable(name="whatif_routing", columns=ROUTING_COLUMNS, rows=routing),
    ]


def _book_rows(name: str) -> list[dict[str, str]]:
    rows = []
    for path in (PRICING_SEEDS_DIR / name, PRICING_SEEDS_DIR / "generated" / f"genai_prices__{name}"):
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                rows.extend(csv.DictReader(handle))
    return rows


@cache
def known_service_tiers() -> frozenset[str]:
    """The service tiers the price book prices: its rows' tiers and its modifiers' (not the geo uplifts)."""
    tiers = {row["service_tier"] for row in _book_rows("price_book.csv")}
    tiers |= {row["service_tier"] for row in _book_rows("price_modifiers.csv")}
    return frozenset(tier for tier in tiers if tier and not tier.startswith("region_"))


def book_models(provider: str) -> frozenset[str]:
    return _book_models().get(provider, frozenset())


@cache
def _book_models() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for row in _book_rows("price_book.csv"):
        found.setdefault(row["provider"], set()).add(row["model_id"].lower())
    for row in _book_rows("model_aliases.csv"):
        found.setdefault(row["provider"], set()).add(row["alias"].lower())
    return {provider: frozenset(models) for provider, models in found.items()}


register_section(Section(name="whatif", parse=_parse_whatif, default=WhatifConfig, tables=_whatif_tables))
