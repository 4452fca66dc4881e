"""The one simulated organisation behind the emulator, and its ground truth.

Everything here is a pure function of ``(seed, UTC day)``: any day, years back or ahead, can be asked for in
any order, on any page, in any window, and always gives the same numbers. Nothing depends on the wall clock.

The organisation is written out by hand below: its people, its accounts at each vendor (OpenAI projects,
Anthropic workspaces), their API keys, and *streams* (one key, or one person in a console, calling one model
family over time, with its traffic shape and its use of caching, batch, flex, long context and web search).
A stream names the model it calls in each period; a model is only called once the emulator's price table
(:mod:`.price_table`) has a price for it, so every row is priced except the one deliberately unpriced
fine-tune.

Daily volume of a stream = its weekday baseline x weekly pattern x slow growth x noise, and once every 30
days one account (a project or workspace) has a spike day (x4). Tokens are integers; money is ``Decimal``.

How the organisation looks through each vendor (which features exist from which day, the usage rows, the
cost lines, how a row splits into priced usage types) is its plugin's business (:mod:`emulator.plugins`):
this module holds no vendor's shape and never branches on a vendor's name. Ground truth: every usage row
is split by its plugin into disjoint usage types and priced from the emulator's own price table (never the
warehouse's seeds). The organisation pays list price, so billed = list for every priced model; the
fine-tune has no list price and is billed at twice its base model's list price.

A cloud billing export (an :class:`~.plugin.BilledExportPlugin`) bills more than usage: credits, tax, in the
account's currency. It describes each day as :class:`BilledLine` s under the warehouse's provider names; its ground
truth, its full bill per account (:meth:`SimulatedOrg.billed_totals`) and its token quantities
(:meth:`SimulatedOrg.usage_quantities`) are worked out from them.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .pricing import EXACT, PriceTable
from .spikes import Spike, parse_spikes, spike_factor

if TYPE_CHECKING:
    from .plugin import Plugin

UTC = UTC

EPOCH = date(2023, 7, 1)  # the first day with simulated usage; earlier days are empty
WEEKLY = (1.00, 1.06, 1.08, 1.04, 0.92, 0.46, 0.38)  # Monday .. Sunday
VOLUME_SCALE = 1.5  # one knob for the size of the organisation
GROWTH_DAYS = 900  # volume grows linearly by 1x every GROWTH_DAYS days after EPOCH
SPIKE_PERIOD = 30  # one spike day per 30-day block ...
SPIKE_FACTOR = 4.0  # ... on which one account's traffic is multiplied by this
# Share of a day's traffic per UTC hour (weights), used to split days into 1h buckets.
HOURLY = (2, 2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 9, 10, 10, 10, 9, 8, 6, 5, 4, 3, 2)

# The one model absent from the price table (a fine-tune), and how the organisation is billed for it:
# model_raw -> (base model id, factor, first day it exists).
UNPRICED_MODEL = "ft:gpt-4o-mini-2024-07-18:acme::abc123"


def _d(text: str) -> date:
    return date.fromisoformat(text)


# ---------------------------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """Where a vendor groups usage and bills it: an OpenAI project or an Anthropic workspace."""

    id: str | None  # None = the vendor's default account (Anthropic's default workspace: never listed)
    name: str
    created: date
    archived: date | None = None
    display_color: str | None = None


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    owner: str | None  # the account (project / workspace) id; None = the default account
    created: date
    user_id: str | None = None  # the person who owns it (None for a service account)


@dataclass(frozen=True)
class User:
    """A member of the organisation at one vendor (the vendor's users list)."""

    id: str
    name: str
    email: str
    role: str
    added: date


@dataclass(frozen=True)
class Stream:
    """One key (or one person in a vendor's console, ``api_key_id`` None) calling one kind of model.

    ``models`` = (from day, model name as called, or None to stop). Shares are of the input tokens; a vendor
    plugin uses the features its vendor has (and only from their launch days) and ignores the others.
    """

    name: str
    account: str | None
    api_key_id: str | None
    user_id: str | None  # the person calling (OpenAI user_id, Anthropic console account_id), if any
    models: tuple[tuple[str, str | None], ...]
    input_mtok: float  # all input tokens (cached or not) on a weekday at EPOCH scale, millions
    output_ratio: float
    cache_read_share: float = 0.0
    cache_write_share: float = 0.0  # written to the cache (Anthropic: with the 5-minute TTL)
    cache_1h_share: float = 0.0  # written to the cache with a 1-hour TTL
    batch_share: float = 0.0
    flex_share: float = 0.0
    long_share: float = 0.0  # share of traffic in a long-context window (more than 200k prompt tokens)
    searches_per_mtok: float = 0.0  # web searches per million input tokens
    prompt_tokens: int = 2_500  # average prompt size per request
    byok_share: float = 0.0  # share of requests sent with the caller's own provider key (OpenRouter BYOK)

    def model_on(self, day: date) -> str | None:
        current = None
        for start, model in self.models:
            if day >= _d(start):
                current = model
        return current


@dataclass(frozen=True)
class Tenancy:
    """The organisation at one vendor: its accounts, keys, streams, who administers it, which accounts
    can have the monthly spike, and the models billed by special agreement (model_raw -> (base model id,
    factor, first day))."""

    accounts: tuple[Account, ...] = ()
    keys: tuple[ApiKey, ...] = ()
    streams: tuple[Stream, ...] = ()
    users: tuple[User, ...] = ()
    admin: str | None = None
    spike_accounts: tuple[str | None, ...] = ()
    billing_overrides: dict[str, tuple[str, Decimal, date]] = field(default_factory=dict)


ALICE, BOB, CAROL = "user_Aq3Zr8Lm1Xk5Wc9P", "user_Bt6Yn2Hd8Qv4Js1M", "user_Ck9Pe5Gw3Tz7Nb2R"
OPENAI_USERS = (
    User(ALICE, "Alice Moreau", "alice@example.com", "owner", _d("2023-05-02")),
    User(BOB, "Bob Okafor", "bob@example.com", "reader", _d("2023-05-16")),
    User(CAROL, "Carol Lindqvist", "carol@example.com", "reader", _d("2024-03-11")),
)

OPENAI_PROJECTS = (
    Account("proj_Srch7Qm2Lx9Vb4Nd1Kf6Tz3W", "Search", _d("2023-05-02")),
    Account("proj_Sprt3Hw8Ya5Ce2Rj7Gm9Pq1X", "Support bot", _d("2023-05-16")),
    Account("proj_Intl6Bn1Dv8Zs3Uk5Wt2Ly7M", "Internal tools", _d("2023-09-04")),
    Account("proj_Rsch2Fp9Jc4Xe7Qa1Hn6Vd3S", "Research", _d("2024-03-11")),
    Account("proj_Hack8Mt5Kw2Gz9Rb3Ns6Cy1E", "Hackathon 2024", _d("2024-02-19"), archived=_d("2024-11-30")),
    Account("proj_Pltf5Gw8Rq2Lm7Xc4Vb1Nz9K", "Platform", _d("2025-06-02")),
)
SEARCH, SUPPORT, INTERNAL, RESEARCH, HACKATHON, PLATFORM = (p.id for p in OPENAI_PROJECTS)

OPENAI_KEYS = (
    ApiKey("key_SrchProd4Xq8Lm2V", "search-prod", SEARCH, _d("2023-05-02")),
    ApiKey("key_SrchIdx7Wn3Pb5Kc", "search-indexer", SEARCH, _d("2024-07-01")),
    ApiKey("key_SprtProd9Hd6Tg1R", "support-prod", SUPPORT, _d("2023-05-16")),
    ApiKey("key_SprtStg2Jf8Ce4Zs", "support-staging", SUPPORT, _d("2023-05-16"), user_id=BOB),
    ApiKey("key_IntlOps5Vm1Qx7Nd", "ops-agents", INTERNAL, _d("2023-09-04"), user_id=ALICE),
    ApiKey("key_IntlFt3Lk9Ys2Gbw", "ticket-classifier", INTERNAL, _d("2024-08-20"), user_id=ALICE),
    ApiKey("key_RschNb6Pw4Dz8Tax", "research-batch", RESEARCH, _d("2024-03-11"), user_id=CAROL),
    ApiKey("key_Hack1Bq7Mx3Fu9Ey", "hackathon", HACKATHON, _d("2024-02-19"), user_id=BOB),
    # Gateway keys: each one's traffic is logged, request by request, by exactly one log source
    # (emulator.requests.GATEWAY_KEYS).
    ApiKey("key_PltfLlm3Qz8Wx5Rb", "litellm-proxy", PLATFORM, _d("2025-06-02")),
    ApiKey("key_PltfOtl6Hn2Tc9Vd", "otel-service", PLATFORM, _d("2025-06-02")),
    ApiKey("key_PltfHlc1Mk7Ye4Sg", "helicone-app", PLATFORM, _d("2025-06-02")),
    ApiKey("key_PltfJsl8Fb3Pu6Wa", "jsonl-logger", PLATFORM, _d("2025-06-02")),
)

OPENAI_STREAMS = (
    Stream(
        "search-answers",
        SEARCH,
        "key_SrchProd4Xq8Lm2V",
        None,
        (("2023-07-01", "gpt-4"), ("2024-05-13", "gpt-4o"), ("2025-04-14", "gpt-4.1-2025-04-14")),
        input_mtok=12,
        output_ratio=0.12,
        cache_read_share=0.35,
    ),
    Stream(
        "search-rerank",
        SEARCH,
        "key_SrchProd4Xq8Lm2V",
        None,
        (("2025-11-13", "gpt-5.1"),),
        input_mtok=40,
        output_ratio=0.08,
        cache_read_share=0.5,
        cache_write_share=0.03,
        flex_share=0.2,
    ),
    Stream(
        "search-indexer",
        SEARCH,
        "key_SrchIdx7Wn3Pb5Kc",
        None,
        (("2024-07-18", "gpt-4o-mini"),),
        input_mtok=60,
        output_ratio=0.05,
        batch_share=1.0,
        prompt_tokens=6_000,
    ),
    Stream(
        "support-chat",
        SUPPORT,
        "key_SprtProd9Hd6Tg1R",
        None,
        (("2023-07-01", "gpt-3.5-turbo"), ("2024-07-18", "gpt-4o-mini")),
        input_mtok=50,
        output_ratio=0.15,
        cache_read_share=0.5,
        prompt_tokens=1_800,
    ),
    Stream(
        "support-escalations",
        SUPPORT,
        "key_SprtProd9Hd6Tg1R",
        None,
        (("2025-08-07", "gpt-5-2025-08-07"),),
        input_mtok=30,
        output_ratio=0.12,
        cache_read_share=0.6,
        cache_write_share=0.04,
        flex_share=0.25,
    ),
    Stream(
        "support-staging",
        SUPPORT,
        "key_SprtStg2Jf8Ce4Zs",
        BOB,
        (("2023-07-01", "gpt-3.5-turbo"), ("2024-07-18", "gpt-4o-mini")),
        input_mtok=3,
        output_ratio=0.15,
        cache_read_share=0.3,
        prompt_tokens=1_500,
    ),
    Stream(
        "ops-agents",
        INTERNAL,
        "key_IntlOps5Vm1Qx7Nd",
        ALICE,
        (("2023-09-04", "gpt-4-0613"), ("2024-04-09", "gpt-4-turbo-2024-04-09"), ("2025-04-16", "o3-2025-04-16")),
        input_mtok=9,
        output_ratio=0.35,
        cache_read_share=0.25,
        flex_share=0.4,
        prompt_tokens=8_000,
    ),
    Stream(
        "ticket-classifier",
        INTERNAL,
        "key_IntlFt3Lk9Ys2Gbw",
        ALICE,
        (("2024-09-01", UNPRICED_MODEL),),
        input_mtok=15,
        output_ratio=0.02,
        cache_read_share=0.2,
        prompt_tokens=900,
    ),
    Stream(
        "research-batch",
        RESEARCH,
        "key_RschNb6Pw4Dz8Tax",
        CAROL,
        (("2024-05-13", "gpt-4o"), ("2025-08-07", "gpt-5-2025-08-07")),
        input_mtok=45,
        output_ratio=0.2,
        batch_share=1.0,
        prompt_tokens=12_000,
    ),
    Stream(
        "hackathon",
        HACKATHON,
        "key_Hack1Bq7Mx3Fu9Ey",
        BOB,
        (("2024-02-19", "gpt-3.5-turbo"), ("2024-06-01", "gpt-4o"), ("2024-11-30", None)),
        input_mtok=6,
        output_ratio=0.25,
    ),
    # -- gateway streams (small: 50-300 requests a day each), logged request by request --------------------
    Stream(
        "gw-litellm-mini",
        PLATFORM,
        "key_PltfLlm3Qz8Wx5Rb",
        None,
        (("2025-06-02", "gpt-4o-mini"),),
        input_mtok=0.1,
        output_ratio=0.15,
        cache_read_share=0.3,
        prompt_tokens=1_500,
    ),
    Stream(
        "gw-litellm-ft",
        PLATFORM,
        "key_PltfLlm3Qz8Wx5Rb",
        None,
        (("2025-06-02", UNPRICED_MODEL),),
        input_mtok=0.015,
        output_ratio=0.03,
        prompt_tokens=600,
    ),
    Stream(
        "gw-otel-gpt41",
        PLATFORM,
        "key_PltfOtl6Hn2Tc9Vd",
        None,
        (("2025-06-02", "gpt-4.1-2025-04-14"),),
        input_mtok=0.15,
        output_ratio=0.1,
        cache_read_share=0.3,
        prompt_tokens=3_000,
    ),
    Stream(
        "gw-helicone-mini",
        PLATFORM,
        "key_PltfHlc1Mk7Ye4Sg",
        None,
        (("2025-06-02", "gpt-4o-mini"),),
        input_mtok=0.08,
        output_ratio=0.2,
        cache_read_share=0.2,
        prompt_tokens=1_200,
    ),
    Stream(
        "gw-jsonl-gpt51",
        PLATFORM,
        "key_PltfJsl8Fb3Pu6Wa",
        None,
        (("2025-11-13", "gpt-5.1"),),
        input_mtok=0.2,
        output_ratio=0.12,
        cache_read_share=0.4,
        flex_share=0.3,
        prompt_tokens=4_000,
    ),
)

DEFAULT_WS, PRODUCT, DATASCI, AGENTS, PROTOTYPE, GATEWAY_WS = (
    None,
    "wrkspc_01Product7hQm2Lx9Vb4Nd1",
    "wrkspc_01DataSci3Hw8Ya5Ce2Rj7",
    "wrkspc_01Agents6Bn1Dv8Zs3Uk5W",
    "wrkspc_01Proto2Fp9Jc4Xe7Qa1Hn",
    "wrkspc_01Gateway8Rt4Mx2Qd6Lp",
)

ANTHROPIC_WORKSPACES = (
    Account(DEFAULT_WS, "Default Workspace", _d("2024-03-04")),
    Account(PRODUCT, "Product", _d("2024-03-12"), display_color="#6C5BB9"),
    Account(DATASCI, "Data science", _d("2024-03-12"), display_color="#2E8B57"),
    Account(PROTOTYPE, "Prototype", _d("2024-04-01"), archived=_d("2025-03-31"), display_color="#B8860B"),
    Account(AGENTS, "Agents", _d("2025-05-01"), display_color="#C0392B"),
    Account(GATEWAY_WS, "Platform", _d("2025-06-02"), display_color="#34495E"),
)

ANTHROPIC_KEYS = (
    ApiKey("apikey_01DefaultKey8Mt5Kw2Gz9", "Default key", DEFAULT_WS, _d("2024-03-04")),
    ApiKey("apikey_01ProductProd4Xq8Lm2V", "product-prod", PRODUCT, _d("2024-03-12")),
    ApiKey("apikey_01ProductStg7Wn3Pb5Kc", "product-staging", PRODUCT, _d("2024-03-12")),
    ApiKey("apikey_01DataSciBatch9Hd6Tg1", "ds-pipelines", DATASCI, _d("2024-03-12")),
    ApiKey("apikey_01ProtoKey5Vm1Qx7NdWe", "prototype", PROTOTYPE, _d("2024-04-01")),
    ApiKey("apikey_01AgentsProd2Jf8Ce4Zs", "agents-prod", AGENTS, _d("2025-05-01")),
    # Gateway keys (see OPENAI_KEYS)
    ApiKey("apikey_01GwLitellm4Kx9Pd2Wm", "litellm-proxy", GATEWAY_WS, _d("2025-06-02")),
    ApiKey("apikey_01GwOtel7Vb3Nc8Rq5Zt", "otel-service", GATEWAY_WS, _d("2025-06-02")),
    ApiKey("apikey_01GwLangfuse2Hs6Yj9Lf", "langfuse-app", GATEWAY_WS, _d("2025-06-02")),
    ApiKey("apikey_01GwJsonl5Tm1Qe7Xa3Kb", "jsonl-logger", GATEWAY_WS, _d("2025-06-02")),
)
ACCOUNT_DANA, ACCOUNT_EVAN = "user_01DanaWq8Lm2Xk5Zr3Vb9N", "user_01EvanTz7Pe5Gw3Hd8Qc1M"
ANTHROPIC_USERS = (
    User(ACCOUNT_DANA, "Dana Whitfield", "dana@example.com", "admin", _d("2024-03-04")),
    User(ACCOUNT_EVAN, "Evan Brooks", "evan@example.com", "developer", _d("2024-04-01")),
)

_SONNET_LINE = (
    ("2024-03-13", "claude-3-sonnet-20240229"),
    ("2024-06-20", "claude-3-5-sonnet-20240620"),
    ("2024-10-22", "claude-3-5-sonnet-20241022"),
    ("2025-05-22", "claude-sonnet-4-20250514"),
    ("2025-09-29", "claude-sonnet-4-5-20250929"),
)

ANTHROPIC_STREAMS = (
    Stream(
        "console-default",
        DEFAULT_WS,
        None,
        ACCOUNT_DANA,
        (
            ("2024-03-13", "claude-3-opus-20240229"),
            ("2024-06-20", "claude-3-5-sonnet-20240620"),
            ("2024-10-22", "claude-3-5-sonnet-20241022"),
            ("2025-09-29", "claude-sonnet-4-5-20250929"),
        ),
        input_mtok=0.3,
        output_ratio=0.2,
        cache_read_share=0.3,
        cache_write_share=0.05,
    ),
    Stream(
        "default-key",
        DEFAULT_WS,
        "apikey_01DefaultKey8Mt5Kw2Gz9",
        None,
        (
            ("2024-03-13", "claude-3-haiku-20240307"),
            ("2024-11-04", "claude-3-5-haiku-20241022"),
            ("2025-10-15", "claude-haiku-4-5-20251001"),
        ),
        input_mtok=20,
        output_ratio=0.1,
        cache_read_share=0.4,
        cache_write_share=0.05,
    ),
    Stream(
        "product-assistant",
        PRODUCT,
        "apikey_01ProductProd4Xq8Lm2V",
        None,
        _SONNET_LINE + (("2026-03-01", "claude-sonnet-4-6"),),
        input_mtok=40,
        output_ratio=0.1,
        cache_read_share=0.5,
        cache_write_share=0.06,
        cache_1h_share=0.03,
    ),
    Stream(
        "product-staging",
        PRODUCT,
        "apikey_01ProductStg7Wn3Pb5Kc",
        None,
        _SONNET_LINE,
        input_mtok=2,
        output_ratio=0.1,
    ),
    Stream(
        "ds-summaries",
        DATASCI,
        "apikey_01DataSciBatch9Hd6Tg1",
        None,
        (
            ("2024-03-13", "claude-3-haiku-20240307"),
            ("2024-11-04", "claude-3-5-haiku-20241022"),
            ("2025-10-15", "claude-haiku-4-5-20251001"),
        ),
        input_mtok=45,
        output_ratio=0.06,
        cache_read_share=0.2,
        cache_write_share=0.02,
        batch_share=0.8,
        prompt_tokens=5_000,
    ),
    Stream(
        "ds-research",
        DATASCI,
        "apikey_01DataSciBatch9Hd6Tg1",
        None,
        (
            ("2024-03-13", "claude-3-opus-20240229"),
            ("2025-05-22", "claude-opus-4-20250514"),
            ("2025-11-24", "claude-opus-4-5-20251101"),
        ),
        input_mtok=1.2,
        output_ratio=0.25,
        cache_read_share=0.3,
        cache_write_share=0.05,
        batch_share=0.5,
    ),
    Stream(
        "prototype",
        PROTOTYPE,
        "apikey_01ProtoKey5Vm1Qx7NdWe",
        None,
        (("2024-04-01", "claude-3-haiku-20240307"), ("2024-10-22", "claude-3-5-sonnet-20241022"), ("2025-03-31", None)),
        input_mtok=4,
        output_ratio=0.15,
        cache_read_share=0.2,
        cache_write_share=0.05,
    ),
    Stream(
        "agents",
        AGENTS,
        "apikey_01AgentsProd2Jf8Ce4Zs",
        None,
        (("2025-05-22", "claude-sonnet-4-20250514"), ("2025-09-29", "claude-sonnet-4-5-20250929")),
        input_mtok=30,
        output_ratio=0.06,
        cache_read_share=0.55,
        cache_write_share=0.03,
        cache_1h_share=0.06,
        long_share=0.3,
        searches_per_mtok=12,
        prompt_tokens=20_000,
    ),
    Stream(
        "console-agents",
        AGENTS,
        None,
        ACCOUNT_EVAN,
        (("2025-11-24", "claude-opus-4-5-20251101"),),
        input_mtok=0.06,
        output_ratio=0.2,
        cache_read_share=0.2,
        cache_write_share=0.05,
    ),
    # -- gateway streams (small), logged request by request -------------------------------------------------
    Stream(
        "gw-litellm-sonnet",
        GATEWAY_WS,
        "apikey_01GwLitellm4Kx9Pd2Wm",
        None,
        (("2025-09-29", "claude-sonnet-4-5-20250929"),),
        input_mtok=0.3,
        output_ratio=0.1,
        cache_read_share=0.4,
        cache_write_share=0.05,
        prompt_tokens=5_000,
    ),
    Stream(
        "gw-otel-haiku",
        GATEWAY_WS,
        "apikey_01GwOtel7Vb3Nc8Rq5Zt",
        None,
        (("2025-10-15", "claude-haiku-4-5-20251001"),),
        input_mtok=0.1,
        output_ratio=0.12,
        cache_read_share=0.3,
        cache_write_share=0.05,
        prompt_tokens=2_000,
    ),
    Stream(
        "gw-langfuse-sonnet",
        GATEWAY_WS,
        "apikey_01GwLangfuse2Hs6Yj9Lf",
        None,
        (("2025-09-29", "claude-sonnet-4-5-20250929"),),
        input_mtok=0.2,
        output_ratio=0.1,
        cache_read_share=0.4,
        cache_write_share=0.04,
        cache_1h_share=0.02,
        prompt_tokens=3_000,
    ),
    Stream(
        "gw-jsonl-haiku",
        GATEWAY_WS,
        "apikey_01GwJsonl5Tm1Qe7Xa3Kb",
        None,
        (("2025-10-15", "claude-haiku-4-5-20251001"),),
        input_mtok=0.1,
        output_ratio=0.1,
        cache_read_share=0.3,
        cache_write_share=0.05,
        batch_share=0.3,
        prompt_tokens=2_000,
    ),
)

# The organisation at each vendor, by the name of the vendor's plugin (= its source in connectors.registry).
# OpenRouter: one organisation's account (activity is not split by key here). Models are OpenRouter slugs.
OPENROUTER_STREAMS = (
    Stream(
        "router-chat",
        None,
        None,
        None,
        (("2025-05-01", "openai/gpt-4.1-mini"),),
        input_mtok=6,
        output_ratio=0.2,
        prompt_tokens=1_800,
    ),
    Stream(
        "router-agents",
        None,
        None,
        None,
        (("2025-10-01", "anthropic/claude-sonnet-4.5"),),
        input_mtok=2.5,
        output_ratio=0.1,
        prompt_tokens=6_000,
        byok_share=0.3,
    ),
    Stream(
        "router-bulk",
        None,
        None,
        None,
        (("2025-05-01", "meta-llama/llama-3.3-70b-instruct"),),
        input_mtok=15,
        output_ratio=0.3,
        prompt_tokens=900,
    ),
    Stream(
        "router-flash",
        None,
        None,
        None,
        (("2025-07-01", "google/gemini-2.5-flash"),),
        input_mtok=9,
        output_ratio=0.15,
        prompt_tokens=3_000,
    ),
)

# The cloud billing exports: the organisation also buys AI through its clouds, whose billing files (Google Cloud
# Billing, AWS CUR 2.0, Azure Cost Management) bill it; one account each where the cloud bills. Models are named as
# the organisation calls them through each cloud (Google: LiteLLM's prefixes vertex_ai/ and gemini/, since
# Vertex AI and the Gemini API are two price lists; Bedrock: its model ids; Azure OpenAI: the deployed model and
# version). How each export shows them: emulator/plugins/{gcp_billing,aws_cur,azure_cost}.py.
GCP_PROD, GCP_DEV = "acme-genai-prod", "acme-genai-dev"  # Google Cloud project ids
GCP_PROJECTS = (
    Account(GCP_PROD, "Acme GenAI prod", _d("2025-06-02")),
    Account(GCP_DEV, "Acme GenAI dev", _d("2025-06-02")),
)
GCP_STREAMS = (
    Stream(
        "vertex-flash-online",
        GCP_PROD,
        None,
        None,
        (("2025-07-01", "vertex_ai/gemini-2.5-flash"),),
        input_mtok=3,
        output_ratio=0.12,
        cache_read_share=0.3,
        prompt_tokens=4_000,
    ),
    Stream(
        "vertex-flash-batch",
        GCP_PROD,
        None,
        None,
        (("2025-07-01", "vertex_ai/gemini-2.5-flash"),),
        input_mtok=5,
        output_ratio=0.05,
        batch_share=1.0,
        prompt_tokens=8_000,
    ),
    Stream(
        "vertex-pro-agents",
        GCP_PROD,
        None,
        None,
        (("2025-07-01", "vertex_ai/gemini-2.5-pro"),),
        input_mtok=0.8,
        output_ratio=0.2,
        prompt_tokens=12_000,
    ),
    Stream(
        "gemini-api-prototypes",
        GCP_DEV,
        None,
        None,
        (("2025-11-03", "gemini/gemini-2.5-flash"),),
        input_mtok=1.2,
        output_ratio=0.15,
        cache_read_share=0.2,
        prompt_tokens=3_000,
    ),
)

AWS_ACCOUNT = "210987654321"  # the AWS usage account (12 digits) that calls Bedrock
AWS_BEDROCK_STREAMS = (
    Stream(
        "bedrock-claude-support",
        AWS_ACCOUNT,
        None,
        None,
        (("2025-10-01", "anthropic.claude-sonnet-4-5-20250929-v1:0"),),
        input_mtok=2,
        output_ratio=0.1,
        prompt_tokens=5_000,
    ),
    Stream(
        "bedrock-nova-extract",
        AWS_ACCOUNT,
        None,
        None,
        (("2025-05-01", "amazon.nova-pro-v1:0"),),
        input_mtok=5,
        output_ratio=0.08,
        cache_read_share=0.35,
        cache_write_share=0.05,
        prompt_tokens=6_000,
    ),
)

AZURE_SUBSCRIPTION = "5c1f7a2e-8b3d-4e6f-9a0c-2d4b6e8f1a3c"  # the Azure subscription (GUID) billed in USD
AZURE_OPENAI_STREAMS = (
    Stream(
        "aoai-assistant",
        AZURE_SUBSCRIPTION,
        None,
        None,
        (("2025-01-06", "gpt-4o-2024-08-06"),),
        input_mtok=4,
        output_ratio=0.12,
        cache_read_share=0.4,
        prompt_tokens=3_500,
    ),
    Stream(
        "aoai-classifier",
        AZURE_SUBSCRIPTION,
        None,
        None,
        (("2025-01-06", "gpt-4o-mini-2024-07-18"),),
        input_mtok=10,
        output_ratio=0.03,
        prompt_tokens=1_200,
    ),
)

TENANCIES: dict[str, Tenancy] = {
    "openai": Tenancy(
        accounts=OPENAI_PROJECTS,
        keys=OPENAI_KEYS,
        streams=OPENAI_STREAMS,
        users=OPENAI_USERS,
        spike_accounts=(SEARCH, SUPPORT, INTERNAL, RESEARCH),
        billing_overrides={UNPRICED_MODEL: ("gpt-4o-mini-2024-07-18", Decimal(2), _d("2024-07-23"))},
    ),
    "openrouter": Tenancy(streams=OPENROUTER_STREAMS),
    "anthropic": Tenancy(
        accounts=ANTHROPIC_WORKSPACES,
        keys=ANTHROPIC_KEYS,
        streams=ANTHROPIC_STREAMS,
        users=ANTHROPIC_USERS,
        admin=ACCOUNT_DANA,
        spike_accounts=(DEFAULT_WS, PRODUCT, DATASCI, AGENTS),
    ),
    "gcp_billing": Tenancy(accounts=GCP_PROJECTS, streams=GCP_STREAMS, spike_accounts=(GCP_PROD,)),
    "aws_cur": Tenancy(streams=AWS_BEDROCK_STREAMS),
    "azure_cost": Tenancy(streams=AZURE_OPENAI_STREAMS),
}


# ---------------------------------------------------------------------------------------------------------
# Records and priced lines
# ---------------------------------------------------------------------------------------------------------


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
class Split:
    """How a plugin prices one of its usage rows: the disjoint quantities per usage type and the keys of
    their prices."""

    model_raw: str
    account_id: str | None
    api_key_id: str | None
    service_tier: str  # normalised: standard | batch | flex | ...
    prompt_tier: int  # 0, or the prompt-size threshold the row is priced at (200000)
    context_window: str | None
    quantities: dict[str, int]


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


@dataclass(frozen=True)
class BilledLine:
    """One AI line of a cloud billing export (or one credit of a line), as its plugin writes it: what it bills, in
    the export's currency and in US dollars, and the provider the warehouse files it under.

    A plugin whose bill is not its priced lines (a cloud billing export: its own rounding, credits, tax, another
    currency) describes its day with these and declares its ground truth, billed totals and token quantities
    from them (:func:`billed_ground_truth`, :func:`billed_totals_of`, :func:`billed_quantities`)."""

    usage_date: date
    provider: str  # as the warehouse names it (google_vertex, google, aws_bedrock, azure_openai)
    account_id: str  # the project / usage account / subscription the line bills
    line_type: str  # usage | credit | tax
    currency: str
    cost: Decimal  # in ``currency``, exactly as written in the file
    cost_usd: Decimal  # in US dollars (``cost`` converted at the line's rate, see usd_at_rate)
    model_raw: str | None = None  # usage lines: the model as the export names it
    model_id: str | None = None  # usage lines: the model's id
    usage_type: str | None = None  # usage lines: input_tokens, output_tokens, cache_read_tokens, ...
    service_tier: str = "standard"
    quantity: int = 0  # usage lines: tokens
    list_cost_usd: Decimal | None = None  # usage lines: the quantity at list price, exact (before rounding)


def usd_at_rate(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` in a currency whose rate is ``rate`` units per US dollar, in USD: amount / rate to 12 places,
    rounded half away from zero (what the warehouse's dbt macro ``usd_at_rate`` computes)."""
    with localcontext(Context(prec=60)):
        return (amount / rate).quantize(Decimal("1e-12"), rounding=ROUND_HALF_UP)


def billed_ground_truth(lines: Iterable[BilledLine], day: date) -> list[dict]:
    """Ground-truth rows (see :meth:`SimulatedOrg.ground_truth`) of a day's billed lines: one per (provider,
    model_raw) of its usage lines; ``billed_cost_usd`` is what the usage lines bill in USD (before credits and
    tax), ``list_cost_usd`` their quantities at list price, exact."""
    groups: dict[tuple[str, str], list[tuple[str | None, Decimal | None, Decimal]]] = {}
    for line in lines:
        if line.line_type == "usage" and line.model_raw is not None:
            groups.setdefault((line.provider, line.model_raw), []).append(
                (line.model_id, line.list_cost_usd, line.cost_usd)
            )
    return _summed_truth(day, groups)


def _summed_truth(day: date, groups: dict) -> list[dict]:
    """Ground-truth rows, one per (provider, model_raw) of ``groups``, sorted; each group is a list of
    ``(model_id, list_cost_usd or None when unpriced, billed_cost_usd)``."""
    out = []
    for provider, model_raw in sorted(groups):
        group = groups[(provider, model_raw)]
        priced = all(list_cost is not None for _, list_cost, _ in group)
        with localcontext(EXACT):
            list_cost = sum((x for _, x, _ in group), Decimal(0)) if priced else None
            billed = sum((x for _, _, x in group), Decimal(0))
        out.append(
            {
                "usage_date": day,
                "provider": provider,
                "model_raw": model_raw,
                "model_id": group[0][0],
                "list_cost_usd": list_cost,
                "billed_cost_usd": billed,
                "is_priced": priced,
            }
        )
    return out


def billed_totals_of(lines: Iterable[BilledLine]) -> dict[tuple[str, str], Decimal]:
    """The full bill in USD per (provider, account): usage, credits and tax lines summed."""
    totals: dict[tuple[str, str], Decimal] = {}
    with localcontext(EXACT):
        for line in lines:
            key = (line.provider, line.account_id)
            totals[key] = totals.get(key, Decimal(0)) + line.cost_usd
    return totals


def billed_quantities(lines: Iterable[BilledLine]) -> dict[tuple[str, str, str, str], int]:
    """Tokens per (provider, model_id, usage_type, service_tier) of the usage lines (zero-cost lines included)."""
    out: dict[tuple[str, str, str, str], int] = {}
    for line in lines:
        if line.line_type == "usage" and line.model_id is not None and line.usage_type is not None:
            key = (line.provider, line.model_id, line.usage_type, line.service_tier)
            out[key] = out.get(key, 0) + line.quantity
    return out


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
    """A deterministic organisation, seen through one plugin per vendor; see the module docs.

    ``plugins``: the vendor shapes to render it with (default: the plugins of every source in
    ``connectors.registry`` that has one). ``prices``: the price table (default: the emulator's own).
    ``spikes``: injected spend spikes (:mod:`.spikes`: a spec like ``"2025-06-18:openai:gpt-4o:8"`` or
    :class:`~.spikes.Spike` s), each with a known day and driver.
    """

    def __init__(
        self,
        seed: int = 42,
        *,
        plugins: Sequence["Plugin"] | None = None,
        prices: PriceTable | None = None,
        spikes: "str | Sequence[Spike] | None" = None,
    ) -> None:
        from .plugin import plugins_for

        self.seed = int(seed)
        self.spikes: tuple[Spike, ...] = parse_spikes(spikes)
        self.prices = prices if prices is not None else PriceTable()
        self.plugins: tuple[Plugin, ...] = tuple(plugins) if plugins is not None else plugins_for()
        self._by_name: dict[str, Plugin] = {p.name: p for p in self.plugins}
        if len(self._by_name) != len(self.plugins):
            raise ValueError("two emulator plugins share a name")
        # late revisions of past days (see revise): (provider, day) -> volume factor
        self._revisions: dict[tuple[str, date], float] = {}
        # per-instance caches (the org changes only through revise, which clears them)
        self._records = lru_cache(maxsize=4096)(self._build_records)
        self._hourly = lru_cache(maxsize=512)(self._build_hourly)
        self._priced = lru_cache(maxsize=4096)(self._build_priced)

    @property
    def providers(self) -> tuple[str, ...]:
        """The names of the plugins the organisation is rendered with, in order."""
        return tuple(self._by_name)

    def plugin(self, provider: str) -> "Plugin":
        try:
            return self._by_name[provider]
        except KeyError:
            raise ValueError(f"Unknown provider {provider!r}; expected one of {', '.join(self._by_name)}.") from None

    # -- the organisation at one vendor ----------------------------------------------------------------

    def tenancy(self, provider: str) -> Tenancy:
        """The organisation's accounts, keys and streams at ``provider`` (empty when it has none there)."""
        return TENANCIES.get(provider, Tenancy())

    def accounts(self, provider: str) -> tuple[Account, ...]:
        return self.tenancy(provider).accounts

    def keys(self, provider: str) -> tuple[ApiKey, ...]:
        return self.tenancy(provider).keys

    # -- randomness: a fresh generator per (seed, purpose, day), never shared state ---------------------

    def rng(self, *parts: object) -> random.Random:
        key = "|".join(str(p) for p in (self.seed, *parts)).encode()
        return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))

    def spike(self, provider: str, day: date) -> tuple[date, str | None]:
        """The spike day of the 30-day block containing ``day`` and the account that spikes on it."""
        block = (day - EPOCH).days // SPIKE_PERIOD
        rng = self.rng(provider, "spike", block)
        spike_day = EPOCH + timedelta(days=block * SPIKE_PERIOD + rng.randrange(SPIKE_PERIOD))
        accounts = self.tenancy(provider).spike_accounts
        if not accounts:
            return spike_day, None
        return spike_day, accounts[rng.randrange(len(accounts))]

    def scale(self, provider: str, account: str | None, day: date) -> float:
        """How much a stream of ``account`` at ``provider`` calls on ``day``, relative to its baseline."""
        growth = 1.0 + (day - EPOCH).days / GROWTH_DAYS
        spike_day, spike_account = self.spike(provider, day)
        spike = SPIKE_FACTOR if (day == spike_day and account == spike_account) else 1.0
        revision = self._revisions.get((provider, day), 1.0)
        return VOLUME_SCALE * WEEKLY[day.weekday()] * growth * spike * revision

    def revise(self, provider: str, day: date, factor: float) -> None:
        """Revise a past day as providers do: from now on ``provider``'s usage of ``day``, and so its costs and
        ground truth, are ``factor`` times what they were first reported as (1.0 undoes it)."""
        self.plugin(provider)
        if not 0 < factor <= 100:
            raise ValueError(f"factor must be above 0 and at most 100 (got {factor}).")
        self._revisions[(provider, day)] = factor
        for cache in (self._records, self._hourly, self._priced):
            cache.cache_clear()

    def active_streams(self, provider: str, day: date) -> Iterator[tuple[Any, str, str, random.Random, int]]:
        """(stream, model as called, model id, the stream's random draws for the day, its input tokens that day)
        for every stream of ``provider`` that calls a usable model on ``day``."""
        for stream in self.tenancy(provider).streams:
            model = stream.model_on(day)
            if model is None:
                continue
            model_id = self.prices.resolve_model(provider, model, day)
            if not self.usable(provider, model, model_id, day):
                continue
            rng = self.rng(provider, stream.name, day.isoformat())
            scale = self.scale(provider, stream.account, day) * spike_factor(
                self.spikes, provider, day, model, model_id
            )
            total = int(stream.input_mtok * 1e6 * scale * rng.uniform(0.85, 1.15))
            yield stream, model, model_id, rng, total

    def usable(self, provider: str, model_raw: str, model_id: str, day: date) -> bool:
        """A model is called only once it has a price (or, billed by agreement, once it exists)."""
        overrides = self.tenancy(provider).billing_overrides
        if model_raw in overrides:
            return day >= overrides[model_raw][2]
        first = self.prices.first_price_day(provider, model_id)
        return first is not None and day >= first

    # -- usage records ---------------------------------------------------------------------------------

    def records(self, provider: str, day: date) -> tuple[Record, ...]:
        """Full-grain usage records of one UTC day (internal form; see :meth:`usage`)."""
        self.plugin(provider)
        return self._records(provider, day)

    def _build_records(self, provider: str, day: date) -> tuple[Record, ...]:
        if day < EPOCH:
            return ()
        merged: dict[tuple, dict] = {}
        for dims, metrics in self.plugin(provider).simulate(self, day):
            _add(merged.setdefault(tuple(dims.items()), {}), metrics)
        ordered = sorted(merged.items(), key=lambda kv: _sort_key(kv[0]))
        return tuple(Record(dims, tuple(m.items())) for dims, m in ordered)

    def hourly_records(self, provider: str, day: date) -> tuple[tuple[Record, ...], ...]:
        """The day's records split over its 24 UTC hours (each metric sums back to the day exactly)."""
        self.plugin(provider)
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
        self.plugin(provider)
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
        """The day's usage rows at full grain, exactly as the vendor's usage endpoint returns them when
        grouped by every dimension."""
        plugin = self.plugin(provider)
        return [plugin.usage_row(r.dim, r.metric) for r in self.records(provider, day)]

    # -- pricing and billing ---------------------------------------------------------------------------

    def priced_lines(self, provider: str, day: date) -> tuple[PricedLine, ...]:
        """Every usage type of every full-grain usage row of the day, with list and billed cost."""
        self.plugin(provider)
        return self._priced(provider, day)

    def _build_priced(self, provider: str, day: date) -> tuple[PricedLine, ...]:
        plugin = self.plugin(provider)
        overrides = self.tenancy(provider).billing_overrides
        lines = []
        for row in self.usage(provider, day):
            s = plugin.split(row)
            model_id = self.prices.resolve_model(provider, s.model_raw, day)
            for usage_type, qty in s.quantities.items():
                if qty == 0:
                    continue
                price = self.prices.unit_price(provider, model_id, usage_type, s.service_tier, s.prompt_tier, day)
                list_cost = None if price is None else price.cost(qty)
                if list_cost is not None:
                    billed = list_cost
                elif s.model_raw in overrides:
                    base, factor, _ = overrides[s.model_raw]
                    base_cost = self.prices.cost(provider, base, usage_type, s.service_tier, s.prompt_tier, day, qty)
                    if base_cost is None:
                        raise RuntimeError(f"No billing rate for {s.model_raw} {usage_type} on {day}.")
                    with localcontext(EXACT):
                        billed = base_cost * factor
                else:
                    raise RuntimeError(
                        f"Simulated usage of {model_id} {usage_type} ({s.service_tier}) on {day} has no price "
                        "in the emulator's price table (emulator/price_table.py)."
                    )
                lines.append(
                    PricedLine(
                        usage_date=day,
                        provider=provider,
                        account_id=s.account_id,
                        api_key_id=s.api_key_id,
                        model_raw=s.model_raw,
                        model_id=model_id,
                        service_tier=s.service_tier,
                        prompt_tier=s.prompt_tier,
                        context_window=s.context_window,
                        usage_type=usage_type,
                        quantity=qty,
                        unit_price=None if price is None else price.unit_price,
                        list_cost_usd=list_cost,
                        billed_cost_usd=billed,
                    )
                )
        return tuple(lines)

    def cost_records(self, provider: str, day: date) -> list[Record]:
        """The day's billed costs at the full grain of the vendor's costs endpoint (dims and metrics as its
        plugin's ``cost_line`` makes them)."""
        plugin = self.plugin(provider)
        merged: dict[tuple, dict] = {}
        for line in self.priced_lines(provider, day):
            with localcontext(EXACT):
                dims, metrics = plugin.cost_line(line)
                _add(merged.setdefault(tuple(dims.items()), {}), metrics)
        return [Record(d, tuple(m.items())) for d, m in sorted(merged.items(), key=lambda kv: _sort_key(kv[0]))]

    # -- ground truth ----------------------------------------------------------------------------------

    def ground_truth(self, start: date, end: date) -> list[dict]:
        """List and billed cost per UTC day x provider x model_raw over ``[start, end)``, as each plugin
        declares it (:meth:`Plugin.ground_truth`).

        Each row: ``usage_date, provider, model_raw, model_id, list_cost_usd`` (``Decimal``, or ``None``
        when any of the model's usage that day is unpriced), ``billed_cost_usd`` (``Decimal``), ``is_priced``.
        """
        return [row for day in _days(start, end) for plugin in self.plugins for row in plugin.ground_truth(self, day)]

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
        """Billed cost per (UTC day, provider, account) over ``[start, end)``, as each plugin declares it
        (:meth:`Plugin.billed_totals`): what the costs endpoints sum to (OpenAI project id; Anthropic workspace
        id, None = default workspace); a cloud billing export's full bill, credits and tax included, under the
        warehouse's provider names."""
        totals: dict[tuple[date, str, str | None], Decimal] = {}
        with localcontext(EXACT):
            for day in _days(start, end):
                for plugin in self.plugins:
                    for (provider, account), amount in plugin.billed_totals(self, day).items():
                        key = (day, provider, account)
                        totals[key] = totals.get(key, Decimal(0)) + amount
        return totals

    def usage_quantities(self, start: date, end: date) -> dict[tuple[date, str, str, str, str], int]:
        """Usage per (UTC day, provider, model_id, usage_type, service_tier) over ``[start, end)``, as each plugin
        declares it (:meth:`Plugin.usage_quantities`)."""
        out: dict[tuple[date, str, str, str, str], int] = {}
        for day in _days(start, end):
            for plugin in self.plugins:
                for key, quantity in plugin.usage_quantities(self, day).items():
                    out[(day, *key)] = out.get((day, *key), 0) + quantity
        return out


def ground_truth_rows(lines: Iterable[PricedLine], day: date, provider: str) -> list[dict]:
    """Priced lines of one day and provider as ground-truth rows, one per model_raw (sorted)."""
    groups: dict[tuple[str, str], list[tuple[str | None, Decimal | None, Decimal]]] = {}
    for line in lines:
        groups.setdefault((provider, line.model_raw), []).append(
            (line.model_id, line.list_cost_usd, line.billed_cost_usd)
        )
    return _summed_truth(day, groups)


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


def _sort_key(dims: tuple[tuple[str, object], ...]) -> tuple:
    return tuple((v is None, str(v)) for _, v in dims)
