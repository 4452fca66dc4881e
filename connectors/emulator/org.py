"""The simulated organisation behind the emulator, and its ground truth.

Everything here is a pure function of ``(seed, UTC day)``: any day, years back or ahead, can be asked for in
any order, on any page, in any window, and always gives the same numbers. Nothing depends on the wall clock.

The organisation is written out by hand below: OpenAI projects and keys, Anthropic workspaces and keys, and
*streams* (one key calling one model family over time, with its traffic shape). A stream names the model it
calls in each period; a model is only called once the price book has a price for it (its first
``effective_from``), and each feature (prompt caching, batch, flex, 1-hour cache, web search, long context)
only from its launch day, so every row is priced except the one deliberately unpriced fine-tune.

Daily volume of a stream = its weekday baseline x weekly pattern x slow growth x noise, and once every 30
days one account (a project or workspace) has a spike day (x4). Tokens are integers; money is ``Decimal``.

Ground truth: every usage row is split into disjoint usage types and priced with :mod:`.pricing` (an
implementation independent of the warehouse's SQL). The organisation pays list price, so billed = list for
every priced model; the fine-tune has no list price and is billed at twice its base model's list price.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .pricing import (
    EXACT,
    PriceBook,
    anthropic_prompt_tier,
    anthropic_quantities,
    anthropic_service_tier,
    openai_quantities,
    openai_service_tier,
)

PROVIDERS = ("openai", "anthropic")
UTC = timezone.utc

EPOCH = date(2023, 7, 1)  # the first day with simulated usage; earlier days are empty
WEEKLY = (1.00, 1.06, 1.08, 1.04, 0.92, 0.46, 0.38)  # Monday .. Sunday
VOLUME_SCALE = 1.5  # one knob for the size of the organisation
GROWTH_DAYS = 900  # volume grows linearly by 1x every GROWTH_DAYS days after EPOCH
SPIKE_PERIOD = 30  # one spike day per 30-day block ...
SPIKE_FACTOR = 4.0  # ... on which one account's traffic is multiplied by this
# Share of a day's traffic per UTC hour (weights), used to split days into 1h buckets.
HOURLY = (2, 2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 9, 10, 10, 10, 9, 8, 6, 5, 4, 3, 2)

# Feature launch days: a stream uses a feature only from these days on.
OPENAI_BATCH = date(2024, 4, 15)
OPENAI_PROMPT_CACHING = date(2024, 10, 1)
OPENAI_FLEX = date(2025, 4, 16)
OPENAI_FLEX_MODELS = ("o3", "o4-mini", "gpt-5")  # model_id prefixes that have the flex tier
ANTHROPIC_PROMPT_CACHING = date(2024, 8, 14)
ANTHROPIC_BATCH = date(2024, 10, 8)
ANTHROPIC_WEB_SEARCH = date(2025, 5, 7)
ANTHROPIC_1H_CACHE = date(2025, 5, 22)
ANTHROPIC_LONG_CONTEXT = {  # model -> first day of the 1M context window (priced at the >200k tier)
    "claude-sonnet-4-20250514": date(2025, 8, 12),
    "claude-sonnet-4-5-20250929": date(2025, 9, 29),
}
ANTHROPIC_GEO_FROM = date(2026, 2, 1)  # models released before report inference_geo "not_available"

# The one model absent from the price book, and how the organisation is billed for it.
UNPRICED_MODEL = "ft:gpt-4o-mini-2024-07-18:acme::abc123"
BILLING_OVERRIDES = {UNPRICED_MODEL: ("gpt-4o-mini-2024-07-18", Decimal(2), date(2024, 7, 23))}


def _d(text: str) -> date:
    return date.fromisoformat(text)


# ---------------------------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    created: date
    archived: date | None = None


@dataclass(frozen=True)
class Workspace:
    id: str | None  # None = the default workspace (never listed; null in usage and cost rows)
    name: str
    created: date
    archived: date | None = None
    display_color: str = "#6C5BB9"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    owner: str | None  # project id (OpenAI) or workspace id (Anthropic; None = default workspace)
    created: date
    user_id: str | None = None  # OpenAI: the owning user (None for a service account)


@dataclass(frozen=True)
class OpenAIStream:
    """One OpenAI key calling one kind of model; ``models`` = (from day, model_raw or None to stop)."""

    name: str
    project_id: str
    api_key_id: str
    user_id: str | None
    models: tuple[tuple[str, str | None], ...]
    input_mtok: float  # total input tokens (incl. cache) on a weekday at EPOCH scale, millions
    output_ratio: float
    cached_share: float = 0.0
    cache_write_share: float = 0.0
    flex_share: float = 0.0
    batch: bool = False
    prompt_tokens: int = 2_500  # average prompt size per request


@dataclass(frozen=True)
class AnthropicStream:
    """One Anthropic key (or Console user when ``api_key_id`` is None) calling one kind of model."""

    name: str
    workspace_id: str | None
    api_key_id: str | None
    account_id: str | None
    models: tuple[tuple[str, str | None], ...]
    input_mtok: float  # all four input buckets together
    output_ratio: float
    cache_read_share: float = 0.0
    cache_5m_share: float = 0.0
    cache_1h_share: float = 0.0
    batch_share: float = 0.0
    long_share: float = 0.0  # share of traffic in the 200k-1M context window
    searches_per_mtok: float = 0.0  # web searches per million input tokens
    prompt_tokens: int = 3_000


def _model_on(models: tuple[tuple[str, str | None], ...], day: date) -> str | None:
    current = None
    for start, model in models:
        if day >= _d(start):
            current = model
    return current


ALICE, BOB, CAROL = "user_Aq3Zr8Lm1Xk5Wc9P", "user_Bt6Yn2Hd8Qv4Js1M", "user_Ck9Pe5Gw3Tz7Nb2R"

OPENAI_PROJECTS = (
    Project("proj_Srch7Qm2Lx9Vb4Nd1Kf6Tz3W", "Search", _d("2023-05-02")),
    Project("proj_Sprt3Hw8Ya5Ce2Rj7Gm9Pq1X", "Support bot", _d("2023-05-16")),
    Project("proj_Intl6Bn1Dv8Zs3Uk5Wt2Ly7M", "Internal tools", _d("2023-09-04")),
    Project("proj_Rsch2Fp9Jc4Xe7Qa1Hn6Vd3S", "Research", _d("2024-03-11")),
    Project("proj_Hack8Mt5Kw2Gz9Rb3Ns6Cy1E", "Hackathon 2024", _d("2024-02-19"), archived=_d("2024-11-30")),
)
SEARCH, SUPPORT, INTERNAL, RESEARCH, HACKATHON = (p.id for p in OPENAI_PROJECTS)

OPENAI_KEYS = (
    ApiKey("key_SrchProd4Xq8Lm2V", "search-prod", SEARCH, _d("2023-05-02")),
    ApiKey("key_SrchIdx7Wn3Pb5Kc", "search-indexer", SEARCH, _d("2024-07-01")),
    ApiKey("key_SprtProd9Hd6Tg1R", "support-prod", SUPPORT, _d("2023-05-16")),
    ApiKey("key_SprtStg2Jf8Ce4Zs", "support-staging", SUPPORT, _d("2023-05-16"), user_id=BOB),
    ApiKey("key_IntlOps5Vm1Qx7Nd", "ops-agents", INTERNAL, _d("2023-09-04"), user_id=ALICE),
    ApiKey("key_IntlFt3Lk9Ys2Gbw", "ticket-classifier", INTERNAL, _d("2024-08-20"), user_id=ALICE),
    ApiKey("key_RschNb6Pw4Dz8Tax", "research-batch", RESEARCH, _d("2024-03-11"), user_id=CAROL),
    ApiKey("key_Hack1Bq7Mx3Fu9Ey", "hackathon", HACKATHON, _d("2024-02-19"), user_id=BOB),
)

OPENAI_STREAMS = (
    OpenAIStream(
        "search-answers", SEARCH, "key_SrchProd4Xq8Lm2V", None,
        (("2023-07-01", "gpt-4"), ("2024-05-13", "gpt-4o"), ("2025-04-14", "gpt-4.1-2025-04-14")),
        input_mtok=12, output_ratio=0.12, cached_share=0.35,
    ),
    OpenAIStream(
        "search-rerank", SEARCH, "key_SrchProd4Xq8Lm2V", None,
        (("2025-11-13", "gpt-5.1"),),
        input_mtok=40, output_ratio=0.08, cached_share=0.5, cache_write_share=0.03, flex_share=0.2,
    ),
    OpenAIStream(
        "search-indexer", SEARCH, "key_SrchIdx7Wn3Pb5Kc", None,
        (("2024-07-18", "gpt-4o-mini"),),
        input_mtok=60, output_ratio=0.05, batch=True, prompt_tokens=6_000,
    ),
    OpenAIStream(
        "support-chat", SUPPORT, "key_SprtProd9Hd6Tg1R", None,
        (("2023-07-01", "gpt-3.5-turbo"), ("2024-07-18", "gpt-4o-mini")),
        input_mtok=50, output_ratio=0.15, cached_share=0.5, prompt_tokens=1_800,
    ),
    OpenAIStream(
        "support-escalations", SUPPORT, "key_SprtProd9Hd6Tg1R", None,
        (("2025-08-07", "gpt-5-2025-08-07"),),
        input_mtok=30, output_ratio=0.12, cached_share=0.6, cache_write_share=0.04, flex_share=0.25,
    ),
    OpenAIStream(
        "support-staging", SUPPORT, "key_SprtStg2Jf8Ce4Zs", BOB,
        (("2023-07-01", "gpt-3.5-turbo"), ("2024-07-18", "gpt-4o-mini")),
        input_mtok=3, output_ratio=0.15, cached_share=0.3, prompt_tokens=1_500,
    ),
    OpenAIStream(
        "ops-agents", INTERNAL, "key_IntlOps5Vm1Qx7Nd", ALICE,
        (("2023-09-04", "gpt-4-0613"), ("2024-04-09", "gpt-4-turbo-2024-04-09"), ("2025-04-16", "o3-2025-04-16")),
        input_mtok=9, output_ratio=0.35, cached_share=0.25, flex_share=0.4, prompt_tokens=8_000,
    ),
    OpenAIStream(
        "ticket-classifier", INTERNAL, "key_IntlFt3Lk9Ys2Gbw", ALICE,
        (("2024-09-01", UNPRICED_MODEL),),
        input_mtok=15, output_ratio=0.02, cached_share=0.2, prompt_tokens=900,
    ),
    OpenAIStream(
        "research-batch", RESEARCH, "key_RschNb6Pw4Dz8Tax", CAROL,
        (("2024-05-13", "gpt-4o"), ("2025-08-07", "gpt-5-2025-08-07")),
        input_mtok=45, output_ratio=0.2, batch=True, prompt_tokens=12_000,
    ),
    OpenAIStream(
        "hackathon", HACKATHON, "key_Hack1Bq7Mx3Fu9Ey", BOB,
        (("2024-02-19", "gpt-3.5-turbo"), ("2024-06-01", "gpt-4o"), ("2024-11-30", None)),
        input_mtok=6, output_ratio=0.25,
    ),
)

DEFAULT_WS, PRODUCT, DATASCI, AGENTS, PROTOTYPE = (
    None,
    "wrkspc_01Product7hQm2Lx9Vb4Nd1",
    "wrkspc_01DataSci3Hw8Ya5Ce2Rj7",
    "wrkspc_01Agents6Bn1Dv8Zs3Uk5W",
    "wrkspc_01Proto2Fp9Jc4Xe7Qa1Hn",
)

ANTHROPIC_WORKSPACES = (
    Workspace(DEFAULT_WS, "Default Workspace", _d("2024-03-04")),
    Workspace(PRODUCT, "Product", _d("2024-03-12"), display_color="#6C5BB9"),
    Workspace(DATASCI, "Data science", _d("2024-03-12"), display_color="#2E8B57"),
    Workspace(PROTOTYPE, "Prototype", _d("2024-04-01"), archived=_d("2025-03-31"), display_color="#B8860B"),
    Workspace(AGENTS, "Agents", _d("2025-05-01"), display_color="#C0392B"),
)

ANTHROPIC_KEYS = (
    ApiKey("apikey_01DefaultKey8Mt5Kw2Gz9", "Default key", DEFAULT_WS, _d("2024-03-04")),
    ApiKey("apikey_01ProductProd4Xq8Lm2V", "product-prod", PRODUCT, _d("2024-03-12")),
    ApiKey("apikey_01ProductStg7Wn3Pb5Kc", "product-staging", PRODUCT, _d("2024-03-12")),
    ApiKey("apikey_01DataSciBatch9Hd6Tg1", "ds-pipelines", DATASCI, _d("2024-03-12")),
    ApiKey("apikey_01ProtoKey5Vm1Qx7NdWe", "prototype", PROTOTYPE, _d("2024-04-01")),
    ApiKey("apikey_01AgentsProd2Jf8Ce4Zs", "agents-prod", AGENTS, _d("2025-05-01")),
)
ACCOUNT_DANA, ACCOUNT_EVAN = "user_01DanaWq8Lm2Xk5Zr3Vb9N", "user_01EvanTz7Pe5Gw3Hd8Qc1M"

_SONNET_LINE = (
    ("2024-03-13", "claude-3-sonnet-20240229"),
    ("2024-06-20", "claude-3-5-sonnet-20240620"),
    ("2024-10-22", "claude-3-5-sonnet-20241022"),
    ("2025-05-22", "claude-sonnet-4-20250514"),
    ("2025-09-29", "claude-sonnet-4-5-20250929"),
)

ANTHROPIC_STREAMS = (
    AnthropicStream(
        "console-default", DEFAULT_WS, None, ACCOUNT_DANA,
        (("2024-03-13", "claude-3-opus-20240229"), ("2024-06-20", "claude-3-5-sonnet-20240620"),
         ("2024-10-22", "claude-3-5-sonnet-20241022"), ("2025-09-29", "claude-sonnet-4-5-20250929")),
        input_mtok=0.3, output_ratio=0.2, cache_read_share=0.3, cache_5m_share=0.05,
    ),
    AnthropicStream(
        "default-key", DEFAULT_WS, "apikey_01DefaultKey8Mt5Kw2Gz9", None,
        (("2024-03-13", "claude-3-haiku-20240307"), ("2024-11-04", "claude-3-5-haiku-20241022"),
         ("2025-10-15", "claude-haiku-4-5-20251001")),
        input_mtok=20, output_ratio=0.1, cache_read_share=0.4, cache_5m_share=0.05,
    ),
    AnthropicStream(
        "product-assistant", PRODUCT, "apikey_01ProductProd4Xq8Lm2V", None,
        _SONNET_LINE + (("2026-03-01", "claude-sonnet-4-6"),),
        input_mtok=40, output_ratio=0.1, cache_read_share=0.5, cache_5m_share=0.06, cache_1h_share=0.03,
    ),
    AnthropicStream(
        "product-staging", PRODUCT, "apikey_01ProductStg7Wn3Pb5Kc", None,
        _SONNET_LINE,
        input_mtok=2, output_ratio=0.1,
    ),
    AnthropicStream(
        "ds-summaries", DATASCI, "apikey_01DataSciBatch9Hd6Tg1", None,
        (("2024-03-13", "claude-3-haiku-20240307"), ("2024-11-04", "claude-3-5-haiku-20241022"),
         ("2025-10-15", "claude-haiku-4-5-20251001")),
        input_mtok=45, output_ratio=0.06, cache_read_share=0.2, cache_5m_share=0.02, batch_share=0.8,
        prompt_tokens=5_000,
    ),
    AnthropicStream(
        "ds-research", DATASCI, "apikey_01DataSciBatch9Hd6Tg1", None,
        (("2024-03-13", "claude-3-opus-20240229"), ("2025-05-22", "claude-opus-4-20250514"),
         ("2025-11-24", "claude-opus-4-5-20251101")),
        input_mtok=1.2, output_ratio=0.25, cache_read_share=0.3, cache_5m_share=0.05, batch_share=0.5,
    ),
    AnthropicStream(
        "prototype", PROTOTYPE, "apikey_01ProtoKey5Vm1Qx7NdWe", None,
        (("2024-04-01", "claude-3-haiku-20240307"), ("2024-10-22", "claude-3-5-sonnet-20241022"),
         ("2025-03-31", None)),
        input_mtok=4, output_ratio=0.15, cache_read_share=0.2, cache_5m_share=0.05,
    ),
    AnthropicStream(
        "agents", AGENTS, "apikey_01AgentsProd2Jf8Ce4Zs", None,
        (("2025-05-22", "claude-sonnet-4-20250514"), ("2025-09-29", "claude-sonnet-4-5-20250929")),
        input_mtok=30, output_ratio=0.06, cache_read_share=0.55, cache_5m_share=0.03, cache_1h_share=0.06,
        long_share=0.3, searches_per_mtok=12, prompt_tokens=20_000,
    ),
    AnthropicStream(
        "console-agents", AGENTS, None, ACCOUNT_EVAN,
        (("2025-11-24", "claude-opus-4-5-20251101"),),
        input_mtok=0.06, output_ratio=0.2, cache_read_share=0.2, cache_5m_share=0.05,
    ),
)

# Accounts that can have the monthly spike (one per provider per 30-day block).
SPIKE_ACCOUNTS = {
    "openai": (SEARCH, SUPPORT, INTERNAL, RESEARCH),
    "anthropic": (DEFAULT_WS, PRODUCT, DATASCI, AGENTS),
}

OPENAI_USAGE_DIMS = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
OPENAI_COST_DIMS = ("project_id", "api_key_id", "line_item")
ANTHROPIC_USAGE_DIMS = (
    "model", "workspace_id", "api_key_id", "service_tier", "context_window", "inference_geo",
    "account_id", "service_account_id",
)
ANTHROPIC_COST_DIMS = (
    "workspace_id", "description", "cost_type", "model", "token_type", "service_tier", "context_window",
)

OPENAI_METRICS = ("uncached", "cached", "written", "output", "requests")
ANTHROPIC_METRICS = ("uncached", "read", "write_5m", "write_1h", "output", "searches")

# Cost line vocabularies (see the module docs of server.py for the formats).
OPENAI_CHARGES = {
    "input_tokens": "input",
    "cache_read_tokens": "cached input",
    "cache_write_tokens": "cache write input",
    "output_tokens": "output",
}
OPENAI_TIER_SUFFIX = {"standard": "", "batch": " (batch)", "flex": " (flex)", "priority": " (priority)"}
ANTHROPIC_TOKEN_TYPES = {
    "input_tokens": ("uncached_input_tokens", "Input Tokens"),
    "cache_read_tokens": ("cache_read_input_tokens", "Cache Read Input Tokens"),
    "cache_write_tokens": ("cache_creation.ephemeral_5m_input_tokens", "5m Cache Write Input Tokens"),
    "cache_write_1h_tokens": ("cache_creation.ephemeral_1h_input_tokens", "1h Cache Write Input Tokens"),
    "output_tokens": ("output_tokens", "Output Tokens"),
}
ANTHROPIC_MODEL_NAMES = {
    "claude-3-opus-20240229": "Claude Opus 3",
    "claude-3-sonnet-20240229": "Claude Sonnet 3",
    "claude-3-haiku-20240307": "Claude Haiku 3",
    "claude-3-5-sonnet-20240620": "Claude Sonnet 3.5",
    "claude-3-5-sonnet-20241022": "Claude Sonnet 3.5 v2",
    "claude-3-5-haiku-20241022": "Claude Haiku 3.5",
    "claude-sonnet-4-20250514": "Claude Sonnet 4",
    "claude-opus-4-20250514": "Claude Opus 4",
    "claude-sonnet-4-5-20250929": "Claude Sonnet 4.5",
    "claude-haiku-4-5-20251001": "Claude Haiku 4.5",
    "claude-opus-4-5-20251101": "Claude Opus 4.5",
    "claude-sonnet-4-6": "Claude Sonnet 4.6",
}


def openai_line_item(model_id: str, usage_type: str, service_tier: str) -> str:
    """``"<model_id>, <charge><tier suffix>"``, e.g. ``"o3-2025-04-16, cached input (flex)"``."""
    return f"{model_id}, {OPENAI_CHARGES[usage_type]}{OPENAI_TIER_SUFFIX.get(service_tier, f' ({service_tier})')}"


def anthropic_description(model: str, usage_type: str, service_tier: str, context_window: str) -> str:
    """``"<model name> Usage - <token type>"`` plus ``" (Batch)"``, ``" (Long Context)"`` or both."""
    if usage_type == "web_search_requests":
        return "Web Search Usage"
    name = ANTHROPIC_MODEL_NAMES.get(model, model)
    flags = [f for f, on in (("Batch", service_tier == "batch"), ("Long Context", context_window == "200k-1M")) if on]
    suffix = f" ({', '.join(flags)})" if flags else ""
    return f"{name} Usage - {ANTHROPIC_TOKEN_TYPES[usage_type][1]}{suffix}"


# ---------------------------------------------------------------------------------------------------------
# Row shapes (internal records -> API result rows)
# ---------------------------------------------------------------------------------------------------------


def openai_usage_result(dims: dict, m: dict) -> dict:
    """An ``organization.usage.completions.result`` from grouped dims and summed metrics."""
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": m["uncached"] + m["cached"] + m["written"],
        "input_cached_tokens": m["cached"],
        "input_cache_write_tokens": m["written"],
        "input_uncached_tokens": m["uncached"],
        "input_text_tokens": m["uncached"],
        "input_cached_text_tokens": m["cached"],
        "input_audio_tokens": 0,
        "input_cached_audio_tokens": 0,
        "input_image_tokens": 0,
        "input_cached_image_tokens": 0,
        "output_tokens": m["output"],
        "output_text_tokens": m["output"],
        "output_audio_tokens": 0,
        "output_image_tokens": 0,
        "num_model_requests": m["requests"],
        **{k: dims.get(k) for k in OPENAI_USAGE_DIMS},
        "api_source": None,  # a field outside the raw contract: connectors must keep it in _raw
    }


def anthropic_usage_result(dims: dict, m: dict) -> dict:
    """A messages usage result row from grouped dims and summed metrics."""
    return {
        "uncached_input_tokens": m["uncached"],
        "cache_creation": {
            "ephemeral_1h_input_tokens": m["write_1h"],
            "ephemeral_5m_input_tokens": m["write_5m"],
        },
        "cache_read_input_tokens": m["read"],
        "output_tokens": m["output"],
        "server_tool_use": {"web_search_requests": m["searches"]},
        **{k: dims.get(k) for k in ANTHROPIC_USAGE_DIMS},
    }


@dataclass(frozen=True)
class Record:
    """One full-grain row: its dimension values and its additive metrics."""

    dims: tuple[tuple[str, object], ...]
    metrics: tuple[tuple[str, object], ...]

    @property
    def dim(self) -> dict:
        return dict(self.dims)

    @property
    def metric(self) -> dict:
        return dict(self.metrics)


@dataclass(frozen=True)
class PricedLine:
    """One usage type of one full-grain usage row, priced."""

    usage_date: date
    provider: str
    account_id: str | None  # OpenAI project / Anthropic workspace (None = default workspace)
    api_key_id: str | None
    model_raw: str
    model_id: str
    service_tier: str  # normalised: standard | batch | flex | ...
    prompt_tier: int
    context_window: str | None
    usage_type: str
    quantity: int
    unit_price: Decimal | None
    list_cost_usd: Decimal | None
    billed_cost_usd: Decimal

    @property
    def is_priced(self) -> bool:
        return self.list_cost_usd is not None


def _apportion(total: int, weights: tuple[int, ...]) -> list[int]:
    """Split an integer over weights exactly (largest remainder, ties to the earlier slot)."""
    w = sum(weights)
    base = [total * x // w for x in weights]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % w), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def _add(into: dict, metrics: dict) -> None:
    for k, v in metrics.items():
        into[k] = into.get(k, 0) + v


# ---------------------------------------------------------------------------------------------------------
# The organisation
# ---------------------------------------------------------------------------------------------------------


class SimulatedOrg:
    """A deterministic organisation using OpenAI and Anthropic; see the module docs."""

    def __init__(self, seed: int = 42, price_dir: Path | str | None = None) -> None:
        self.seed = int(seed)
        self.prices = PriceBook(price_dir)
        self.openai_projects = OPENAI_PROJECTS
        self.openai_keys = OPENAI_KEYS
        self.anthropic_workspaces = ANTHROPIC_WORKSPACES
        self.anthropic_keys = ANTHROPIC_KEYS
        # per-instance caches (the org is immutable, so caching is safe and order-independent)
        self._records = lru_cache(maxsize=4096)(self._build_records)
        self._hourly = lru_cache(maxsize=512)(self._build_hourly)
        self._priced = lru_cache(maxsize=4096)(self._build_priced)

    # -- randomness: a fresh generator per (seed, purpose, day), never shared state ---------------------

    def _rng(self, *parts: object) -> random.Random:
        key = "|".join(str(p) for p in (self.seed, *parts)).encode()
        return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))

    def spike(self, provider: str, day: date) -> tuple[date, str | None]:
        """The spike day of the 30-day block containing ``day`` and the account that spikes on it."""
        block = (day - EPOCH).days // SPIKE_PERIOD
        rng = self._rng(provider, "spike", block)
        spike_day = EPOCH + timedelta(days=block * SPIKE_PERIOD + rng.randrange(SPIKE_PERIOD))
        accounts = SPIKE_ACCOUNTS[provider]
        return spike_day, accounts[rng.randrange(len(accounts))]

    def _scale(self, provider: str, account: str | None, day: date) -> float:
        growth = 1.0 + (day - EPOCH).days / GROWTH_DAYS
        spike_day, spike_account = self.spike(provider, day)
        spike = SPIKE_FACTOR if (day == spike_day and account == spike_account) else 1.0
        return VOLUME_SCALE * WEEKLY[day.weekday()] * growth * spike

    def _usable(self, provider: str, model_raw: str, model_id: str, day: date) -> bool:
        """A model is called only once it has a price (or, unpriced, once it exists)."""
        if model_raw in BILLING_OVERRIDES:
            return day >= BILLING_OVERRIDES[model_raw][2]
        first = self.prices.first_price_day(provider, model_id)
        return first is not None and day >= first

    # -- usage records ---------------------------------------------------------------------------------

    def _check(self, provider: str) -> None:
        if provider not in PROVIDERS:
            raise ValueError(f"Unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}.")

    def records(self, provider: str, day: date) -> tuple[Record, ...]:
        """Full-grain usage records of one UTC day (internal form; see :meth:`usage`)."""
        self._check(provider)
        return self._records(provider, day)

    def _build_records(self, provider: str, day: date) -> tuple[Record, ...]:
        if day < EPOCH:
            return ()
        merged: dict[tuple, dict] = {}
        build = self._openai_rows if provider == "openai" else self._anthropic_rows
        for dims, metrics in build(day):
            _add(merged.setdefault(tuple(dims.items()), {}), metrics)
        ordered = sorted(merged.items(), key=lambda kv: _sort_key(kv[0]))
        return tuple(Record(dims, tuple(m.items())) for dims, m in ordered)

    def _openai_rows(self, day: date) -> Iterable[tuple[dict, dict]]:
        for s in OPENAI_STREAMS:
            model = _model_on(s.models, day)
            if model is None:
                continue
            model_id = self.prices.resolve_model("openai", model, day)
            if not self._usable("openai", model, model_id, day):
                continue
            rng = self._rng("openai", s.name, day.isoformat())
            total = int(s.input_mtok * 1e6 * self._scale("openai", s.project_id, day) * rng.uniform(0.85, 1.15))
            if s.batch and day >= OPENAI_BATCH:
                parts = [(True, "default", total)]
            elif s.flex_share and day >= OPENAI_FLEX and model_id.startswith(OPENAI_FLEX_MODELS):
                flex = int(total * s.flex_share * rng.uniform(0.8, 1.2))
                parts = [(False, "default", total - flex), (False, "flex", flex)]
            else:
                parts = [(False, "default", total)]
            for batch, tier, n in parts:
                cached = int(n * s.cached_share * rng.uniform(0.85, 1.15)) if day >= OPENAI_PROMPT_CACHING else 0
                written = int(n * s.cache_write_share * rng.uniform(0.8, 1.2))
                dims = {
                    "project_id": s.project_id,
                    "user_id": s.user_id,
                    "api_key_id": s.api_key_id,
                    "model": model,
                    "batch": batch,
                    "service_tier": tier,
                }
                metrics = {
                    "uncached": n - cached - written,
                    "cached": cached,
                    "written": written,
                    "output": int(n * s.output_ratio * rng.uniform(0.85, 1.15)),
                    "requests": max(1, round(n / (s.prompt_tokens * rng.uniform(0.9, 1.1)))),
                }
                yield dims, metrics

    def _anthropic_rows(self, day: date) -> Iterable[tuple[dict, dict]]:
        for s in ANTHROPIC_STREAMS:
            model = _model_on(s.models, day)
            if model is None:
                continue
            model_id = self.prices.resolve_model("anthropic", model, day)
            if not self._usable("anthropic", model, model_id, day):
                continue
            rng = self._rng("anthropic", s.name, day.isoformat())
            total = int(s.input_mtok * 1e6 * self._scale("anthropic", s.workspace_id, day) * rng.uniform(0.85, 1.15))
            long_from = ANTHROPIC_LONG_CONTEXT.get(model_id)
            long = int(total * s.long_share * rng.uniform(0.8, 1.2)) if long_from and day >= long_from else 0
            batch = int((total - long) * s.batch_share * rng.uniform(0.9, 1.1)) if day >= ANTHROPIC_BATCH else 0
            parts = [
                ("standard", "0-200k", total - long - batch),
                ("batch", "0-200k", batch),
                ("standard", "200k-1M", long),
            ]
            released = self.prices.first_price_day("anthropic", model_id) or day
            geo = "global" if released >= ANTHROPIC_GEO_FROM else "not_available"
            for tier, window, n in parts:
                if n <= 0:
                    continue
                caching = day >= ANTHROPIC_PROMPT_CACHING
                read = int(n * s.cache_read_share * rng.uniform(0.85, 1.15)) if caching else 0
                w5 = int(n * s.cache_5m_share * rng.uniform(0.8, 1.2)) if caching else 0
                w1h = int(n * s.cache_1h_share * rng.uniform(0.8, 1.2)) if day >= ANTHROPIC_1H_CACHE else 0
                searches = 0
                if s.searches_per_mtok and tier == "standard" and day >= ANTHROPIC_WEB_SEARCH:
                    searches = int(n / 1e6 * s.searches_per_mtok * rng.uniform(0.7, 1.3))
                prompt = s.prompt_tokens if window == "0-200k" else 420_000
                dims = {
                    "model": model,
                    "workspace_id": s.workspace_id,
                    "api_key_id": s.api_key_id,
                    "service_tier": tier,
                    "context_window": window,
                    "inference_geo": geo,
                    "account_id": s.account_id,
                    "service_account_id": None,
                }
                metrics = {
                    "uncached": n - read - w5 - w1h,
                    "read": read,
                    "write_5m": w5,
                    "write_1h": w1h,
                    "output": int(n * s.output_ratio * rng.uniform(0.85, 1.15)),
                    "searches": searches,
                }
                yield dims, metrics

    def hourly_records(self, provider: str, day: date) -> tuple[tuple[Record, ...], ...]:
        """The day's records split over its 24 UTC hours (each metric sums back to the day exactly)."""
        self._check(provider)
        return self._hourly(provider, day)

    def _build_hourly(self, provider: str, day: date) -> tuple[tuple[Record, ...], ...]:
        hours: list[list[Record]] = [[] for _ in range(24)]
        for rec in self.records(provider, day):
            split = {k: _apportion(v, HOURLY) for k, v in rec.metrics}
            for h in range(24):
                m = tuple((k, split[k][h]) for k, _ in rec.metrics)
                if any(v for _, v in m):
                    hours[h].append(Record(rec.dims, m))
        return tuple(tuple(h) for h in hours)

    def records_between(self, provider: str, start: datetime, end: datetime) -> list[Record]:
        """Records of a bucket ``[start, end)``: whole days when aligned, else the UTC hours starting in it."""
        self._check(provider)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if start.time() == time(0) and end - start == timedelta(days=1):
            return list(self.records(provider, start.date()))
        out: list[Record] = []
        day = start.date()
        while day <= end.date():
            midnight = datetime.combine(day, time(0), UTC)
            for h, recs in enumerate(self.hourly_records(provider, day)):
                if start <= midnight + timedelta(hours=h) < end:
                    out.extend(recs)
            day += timedelta(days=1)
        return out

    def usage(self, provider: str, day: date) -> list[dict]:
        """The day's usage rows at full grain, exactly as the usage endpoint returns them when grouped by
        every dimension (OpenAI ``organization.usage.completions.result`` / Anthropic messages rows)."""
        fmt = openai_usage_result if provider == "openai" else anthropic_usage_result
        return [fmt(r.dim, r.metric) for r in self.records(provider, day)]

    # -- pricing and billing ---------------------------------------------------------------------------

    def priced_lines(self, provider: str, day: date) -> tuple[PricedLine, ...]:
        """Every usage type of every full-grain usage row of the day, with list and billed cost."""
        self._check(provider)
        return self._priced(provider, day)

    def _build_priced(self, provider: str, day: date) -> tuple[PricedLine, ...]:
        lines = []
        for row in self.usage(provider, day):
            if provider == "openai":
                quantities, tier, prompt_tier = openai_quantities(row), openai_service_tier(row), 0
                account, window = row["project_id"], None
            else:
                quantities, tier = anthropic_quantities(row), anthropic_service_tier(row)
                prompt_tier, account, window = anthropic_prompt_tier(row), row["workspace_id"], row["context_window"]
            model_raw = row["model"]
            model_id = self.prices.resolve_model(provider, model_raw, day)
            for usage_type, qty in quantities.items():
                if qty == 0:
                    continue
                price = self.prices.unit_price(provider, model_id, usage_type, tier, prompt_tier, day)
                list_cost = None if price is None else price.cost(qty)
                if list_cost is not None:
                    billed = list_cost
                elif model_raw in BILLING_OVERRIDES:
                    base, factor, _ = BILLING_OVERRIDES[model_raw]
                    base_cost = self.prices.cost(provider, base, usage_type, tier, prompt_tier, day, qty)
                    if base_cost is None:
                        raise RuntimeError(f"No billing rate for {model_raw} {usage_type} on {day}.")
                    with localcontext(EXACT):
                        billed = base_cost * factor
                else:
                    raise RuntimeError(f"Simulated usage of {model_id} {usage_type} ({tier}) on {day} has no price.")
                lines.append(
                    PricedLine(
                        usage_date=day,
                        provider=provider,
                        account_id=account,
                        api_key_id=row["api_key_id"],
                        model_raw=model_raw,
                        model_id=model_id,
                        service_tier=tier,
                        prompt_tier=prompt_tier,
                        context_window=window,
                        usage_type=usage_type,
                        quantity=qty,
                        unit_price=None if price is None else price.unit_price,
                        list_cost_usd=list_cost,
                        billed_cost_usd=billed,
                    )
                )
        return tuple(lines)

    def cost_records(self, provider: str, day: date) -> list[Record]:
        """The day's billed costs at the costs endpoint's full grain.

        OpenAI: dims (project_id, api_key_id, line_item), metrics amount (USD) and quantity (tokens).
        Anthropic: dims (workspace_id, description, cost_type, model, token_type, service_tier,
        context_window), metric amount (USD cents).
        """
        merged: dict[tuple, dict] = {}
        for line in self.priced_lines(provider, day):
            if provider == "openai":
                dims = {
                    "project_id": line.account_id,
                    "api_key_id": line.api_key_id,
                    "line_item": openai_line_item(line.model_id, line.usage_type, line.service_tier),
                }
                metrics = {"amount": line.billed_cost_usd, "quantity": line.quantity}
            else:
                search = line.usage_type == "web_search_requests"
                dims = {
                    "workspace_id": line.account_id,
                    "description": anthropic_description(
                        line.model_raw, line.usage_type, line.service_tier, line.context_window
                    ),
                    "cost_type": "web_search" if search else "tokens",
                    "model": None if search else line.model_raw,
                    "token_type": None if search else ANTHROPIC_TOKEN_TYPES[line.usage_type][0],
                    "service_tier": None if search else line.service_tier,
                    "context_window": None if search else line.context_window,
                }
                with localcontext(EXACT):
                    metrics = {"amount": line.billed_cost_usd * 100}
            with localcontext(EXACT):
                _add(merged.setdefault(tuple(dims.items()), {}), metrics)
        return [Record(d, tuple(m.items())) for d, m in sorted(merged.items(), key=lambda kv: _sort_key(kv[0]))]

    # -- ground truth ----------------------------------------------------------------------------------

    def ground_truth(self, start: date, end: date) -> list[dict]:
        """List and billed cost per UTC day x provider x model_raw over ``[start, end)``.

        Each row: ``usage_date, provider, model_raw, model_id, list_cost_usd`` (``Decimal``, or ``None``
        when any of the model's usage that day is unpriced), ``billed_cost_usd`` (``Decimal``), ``is_priced``.
        """
        out = []
        for day in _days(start, end):
            for provider in PROVIDERS:
                groups: dict[str, list[PricedLine]] = {}
                for line in self.priced_lines(provider, day):
                    groups.setdefault(line.model_raw, []).append(line)
                for model_raw in sorted(groups):
                    lines = groups[model_raw]
                    priced = all(x.is_priced for x in lines)
                    with localcontext(EXACT):
                        list_cost = sum((x.list_cost_usd for x in lines), Decimal(0)) if priced else None
                        billed = sum((x.billed_cost_usd for x in lines), Decimal(0))
                    out.append(
                        {
                            "usage_date": day,
                            "provider": provider,
                            "model_raw": model_raw,
                            "model_id": lines[0].model_id,
                            "list_cost_usd": list_cost,
                            "billed_cost_usd": billed,
                            "is_priced": priced,
                        }
                    )
        return out

    def ground_truth_totals(self, start: date, end: date) -> dict[tuple[date, str, str], Decimal]:
        """List cost of priced usage per (UTC day, provider, model_id) over ``[start, end)``."""
        totals: dict[tuple[date, str, str], Decimal] = {}
        with localcontext(EXACT):
            for row in self.ground_truth(start, end):
                if row["is_priced"]:
                    key = (row["usage_date"], row["provider"], row["model_id"])
                    totals[key] = totals.get(key, Decimal(0)) + row["list_cost_usd"]
        return totals

    def billed_totals(self, start: date, end: date) -> dict[tuple[date, str, str | None], Decimal]:
        """Billed cost per (UTC day, provider, account) over ``[start, end)``: what the costs endpoints sum to
        (OpenAI project id; Anthropic workspace id, None = default workspace)."""
        totals: dict[tuple[date, str, str | None], Decimal] = {}
        with localcontext(EXACT):
            for day in _days(start, end):
                for provider in PROVIDERS:
                    for line in self.priced_lines(provider, day):
                        key = (day, provider, line.account_id)
                        totals[key] = totals.get(key, Decimal(0)) + line.billed_cost_usd
        return totals


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


def _sort_key(dims: tuple[tuple[str, object], ...]) -> tuple:
    return tuple((v is None, str(v)) for _, v in dims)
