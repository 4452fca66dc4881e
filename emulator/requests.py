"""Request-level logs of the simulated organisation: what gateways and tracers record, one call at a time.

Vendor-neutral core: no file format here (the writers are the file plugins in ``emulator/plugins/``).

Some API keys of the organisation (:data:`GATEWAY_KEYS`) call through a gateway or an instrumented app whose
log records every request; each key's traffic is logged ENTIRELY by exactly one log source (``litellm``,
``otel``, ``helicone``, ``langfuse``, ``jsonl_requests``). The requests are DERIVED from the usage the
vendors' admin APIs report: every full-grain usage record of a gateway key on a UTC day is split into ``n``
requests (``n`` = the record's own request count when its vendor reports one, else its input tokens over the
stream's average prompt size) and every disjoint usage type (the vendor plugin's :meth:`split`) is
apportioned over them exactly (largest remainder). So, summed per (day, key, model, service tier, usage type),
the successful requests equal what the admin usage API reports for that key, to the token.

Each request's list cost is priced from the emulator's own price table, per request (exact ``Decimal``); it
is ``None`` for the unpriced fine-tune. The gateway's reported cost equals the list cost except for the
deliberate wrong one.

Edge cases, deterministic, per log and UTC day (:func:`logged_requests`):

* midnight: the day's last request starts at 23:59:59.9xx and ends after midnight (it belongs to its start
  day); the day's first request starts at 00:00:00.0xx;
* one failed call (status ``error``, zero tokens, zero reported cost, list cost 0; not in the usage API);
* one wrong gateway-reported cost: a priced request reported at 10x its list cost;
* the unpriced fine-tune (``UNPRICED_MODEL``) through the LiteLLM proxy: list cost ``None``, reported ``None``.

The duplicate (the same request in two files) is a file concern: see the LiteLLM writer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext

from .org import HOURLY, UTC, SimulatedOrg, Stream, _apportion, _days
from .pricing import EXACT

LOGS = ("litellm", "otel", "helicone", "langfuse", "jsonl_requests")

# vendor API key id -> the one log source that records all of its traffic
GATEWAY_KEYS: dict[str, str] = {
    "key_PltfLlm3Qz8Wx5Rb": "litellm",
    "apikey_01GwLitellm4Kx9Pd2Wm": "litellm",
    "key_PltfOtl6Hn2Tc9Vd": "otel",
    "apikey_01GwOtel7Vb3Nc8Rq5Zt": "otel",
    "key_PltfHlc1Mk7Ye4Sg": "helicone",
    "apikey_01GwLangfuse2Hs6Yj9Lf": "langfuse",
    "key_PltfJsl8Fb3Pu6Wa": "jsonl_requests",
    "apikey_01GwJsonl5Tm1Qe7Xa3Kb": "jsonl_requests",
}

# Who calls through each log: (team, feature, weight); users are drawn from the team's people.
ATTRIBUTION: dict[str, tuple[tuple[str, str, int], ...]] = {
    "litellm": (("search", "query-rewrite", 5), ("support", "reply-draft", 3), ("ops", "ticket-triage", 2)),
    "otel": (("search", "rerank", 6), ("growth", "email-personalise", 4)),
    "helicone": (("support", "chat-widget", 7), ("support", "faq-suggest", 3)),
    "langfuse": (("research", "agent-planner", 5), ("research", "doc-qa", 5)),
    "jsonl_requests": (("data", "enrichment", 6), ("data", "classification", 4)),
}
TEAM_USERS: dict[str, tuple[str, ...]] = {
    "search": ("u-ana", "u-bram", "u-chen"),
    "support": ("u-dee", "u-eli"),
    "ops": ("u-fay",),
    "growth": ("u-gus", "u-hana"),
    "research": ("u-ivo", "u-jun", "u-kai"),
    "data": ("u-lena", "u-milo"),
}
WRONG_COST_FACTOR = Decimal(10)
TOKEN_FIELDS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens")
REASONING_MODELS = ("gpt-5", "o3", "o4")  # model_id prefixes whose output includes reasoning tokens


@dataclass(frozen=True)
class LoggedRequest:
    """One call as a gateway / tracer logs it. Token counts are DISJOINT (``input_tokens`` is uncached input;
    ``reasoning_tokens`` is part of ``output_tokens``, informational)."""

    request_id: str
    log: str
    provider: str  # the vendor plugin's name: openai | anthropic
    model: str  # as called (e.g. "gpt-4o-mini", the fine-tune's "ft:..." name)
    model_id: str  # as the price table resolves it on the day
    api_key_id: str
    api_key_alias: str
    account_id: str | None  # OpenAI project / Anthropic workspace
    started_at: datetime
    ended_at: datetime
    status: str  # success | error
    service_tier: str  # standard | batch | flex | priority
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cache_write_1h_tokens: int
    output_tokens: int
    reasoning_tokens: int
    user_id: str
    team: str
    feature: str
    tags: dict[str, str] = field(hash=False)
    session_id: str
    list_cost_usd: Decimal | None
    reported_cost_usd: Decimal | None

    @property
    def usage_date(self) -> date:
        return self.started_at.date()

    @property
    def latency_ms(self) -> int:
        return (self.ended_at - self.started_at) // timedelta(milliseconds=1)

    @property
    def prompt_tokens(self) -> int:
        """All input tokens of the call (uncached + cache read + cache writes)."""
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens + self.cache_write_1h_tokens


def _stream_for(org: SimulatedOrg, provider: str, key: str, model: str, day: date) -> Stream:
    for stream in org.tenancy(provider).streams:
        if stream.api_key_id == key and stream.model_on(day) == model:
            return stream
    raise RuntimeError(f"no stream of {provider} key {key} calls {model} on {day}")


def _request_id(rng, log: str) -> str:
    ident = uuid.UUID(int=rng.getrandbits(128), version=4)
    return f"chatcmpl-{ident}" if log == "litellm" else str(ident)


def _aliases(org: SimulatedOrg, provider: str) -> dict[str, str]:
    return {k.id: k.name for k in org.keys(provider)}


def logged_requests(org: SimulatedOrg, day: date, log: str) -> tuple[LoggedRequest, ...]:
    """Every request ``log`` recorded that STARTED on UTC ``day``, sorted by start time (see module docs).
    Deterministic in ``(org.seed, day, log)``."""
    if log not in LOGS:
        raise ValueError(f"Unknown request log {log!r}; expected one of {', '.join(LOGS)}.")
    drafts: list[dict] = []
    for provider in org.providers:
        plugin = org.plugin(provider)
        aliases = _aliases(org, provider)
        for record in org.records(provider, day):
            dims, metrics = record.dim, record.metric
            if dims.get("endpoint"):
                continue  # a tool or embeddings record: no gateway logs them (the request logs carry chat calls)
            key = dims.get("api_key_id")
            if GATEWAY_KEYS.get(key) != log:
                continue
            row = plugin.usage_row(dims, metrics)
            split = plugin.split(row)
            stream = _stream_for(org, provider, key, split.model_raw, day)
            quantities = {k: v for k, v in split.quantities.items() if v}
            unknown = set(quantities) - set(TOKEN_FIELDS)
            if unknown:
                raise RuntimeError(f"gateway stream {stream.name} has usage a request log cannot carry: {unknown}")
            rng = org.rng("requests", log, provider, stream.name, split.service_tier, split.prompt_tier, day)
            prompt = sum(v for k, v in quantities.items() if k != "output_tokens")
            n = int(metrics.get("requests") or max(1, round(prompt / stream.prompt_tokens)))
            w_in = tuple(rng.randint(40, 160) for _ in range(n))
            w_out = tuple(rng.randint(10, 190) for _ in range(n))
            parts = {k: _apportion(v, w_out if k == "output_tokens" else w_in) for k, v in quantities.items()}
            model_id = org.prices.resolve_model(provider, split.model_raw, day)
            for i in range(n):
                tokens = {k: parts[k][i] if k in parts else 0 for k in TOKEN_FIELDS}
                drafts.append(
                    {
                        "provider": provider,
                        "model": split.model_raw,
                        "model_id": model_id,
                        "api_key_id": key,
                        "api_key_alias": aliases.get(key, key),
                        "account_id": split.account_id,
                        "service_tier": split.service_tier,
                        "prompt_tier": split.prompt_tier,
                        "tokens": tokens,
                        "rng_key": (stream.name, split.service_tier, i),
                    }
                )
    if not drafts:
        return ()
    rng = org.rng("requests", log, "day", day.isoformat())
    # the failed call: the first priced draft's call again, with zero tokens
    priced = [d for d in drafts if org.prices.first_price_day(d["provider"], d["model_id"]) is not None]
    if priced:
        drafts.append(dict(priced[0], tokens=dict.fromkeys(TOKEN_FIELDS, 0), status="error"))
    midnight = datetime.combine(day, time(0), UTC)
    starts = [_start_ms(rng) for _ in drafts]
    order = sorted(range(len(drafts)), key=lambda i: (starts[i], i))
    starts[order[0]] = rng.randrange(1, 90)  # 00:00:00.0xx
    starts[order[-1]] = 86_400_000 - rng.randrange(1, 90)  # 23:59:59.9xx, ends after midnight
    weights = ATTRIBUTION[log]
    out: list[LoggedRequest] = []
    wrong_done = False
    for rank, i in enumerate(order):
        d = drafts[i]
        status = d.get("status", "success")
        tokens = d["tokens"]
        list_cost = _list_cost(org, d, day)
        team, feature, _ = rng.choices(weights, weights=[w for *_, w in weights])[0]
        user = rng.choice(TEAM_USERS[team])
        latency = 250 + tokens["output_tokens"] * rng.randint(8, 20) + rng.randint(0, 400)
        if rank == len(order) - 1:
            latency = max(latency, 1_200)  # surely past midnight
        reported = list_cost if status == "success" else Decimal(0)
        if not wrong_done and status == "success" and list_cost and rank >= len(order) // 2:
            with localcontext(EXACT):
                reported = list_cost * WRONG_COST_FACTOR
            wrong_done = True
        reasoning = 0
        if d["model_id"].startswith(REASONING_MODELS):
            reasoning = tokens["output_tokens"] * rng.randint(20, 60) // 100
        start = midnight + timedelta(milliseconds=starts[i])
        out.append(
            LoggedRequest(
                request_id=_request_id(rng, log),
                log=log,
                provider=d["provider"],
                model=d["model"],
                model_id=d["model_id"],
                api_key_id=d["api_key_id"],
                api_key_alias=d["api_key_alias"],
                account_id=d["account_id"],
                started_at=start,
                ended_at=start + timedelta(milliseconds=latency),
                status=status,
                service_tier=d["service_tier"],
                **tokens,
                reasoning_tokens=reasoning,
                user_id=user,
                team=team,
                feature=feature,
                tags={"team": team, "feature": feature, "env": "prod"},
                session_id=f"sess-{log}-{day:%Y%m%d}-{rank // 7:04d}",
                list_cost_usd=list_cost,
                reported_cost_usd=None if list_cost is None and status == "success" else reported,
            )
        )
    return tuple(out)


def _start_ms(rng) -> int:
    hour = rng.choices(range(24), weights=HOURLY)[0]
    return hour * 3_600_000 + rng.randrange(3_600_000)


def _list_cost(org: SimulatedOrg, draft: dict, day: date) -> Decimal | None:
    """The request's list price from the emulator's own table; None when any of its usage is unpriced."""
    total = Decimal(0)
    with localcontext(EXACT):
        for usage_type, qty in draft["tokens"].items():
            price = org.prices.unit_price(
                draft["provider"], draft["model_id"], usage_type, draft["service_tier"], draft["prompt_tier"], day
            )
            if price is None:
                if qty or org.prices.first_price_day(draft["provider"], draft["model_id"]) is None:
                    return None
                continue
            total += price.cost(qty)
    return total


def requests_between(org: SimulatedOrg, start: date, end: date, log: str) -> list[LoggedRequest]:
    """Every request of ``log`` that started in the UTC days ``[start, end)``."""
    return [r for day in _days(start, end) for r in logged_requests(org, day, log)]


def request_truth(org: SimulatedOrg, start: date, end: date, logs: Iterable[str] = LOGS) -> list[dict]:
    """Ground truth of the request logs over ``[start, end)``: one row per (usage_date, log, provider, model,
    team, feature, user_id) with ``requests`` (all logged, failed ones included), ``list_cost_usd`` (the sum
    over its priced requests, never None) and ``unpriced_requests``. Duplicated exports do not count twice."""
    groups: dict[tuple, dict] = {}
    with localcontext(EXACT):
        for log in logs:
            for r in requests_between(org, start, end, log):
                key = (r.usage_date, r.log, r.provider, r.model, r.team, r.feature, r.user_id)
                g = groups.setdefault(key, {"requests": 0, "list_cost_usd": Decimal(0), "unpriced_requests": 0})
                g["requests"] += 1
                if r.list_cost_usd is None:
                    g["unpriced_requests"] += 1
                else:
                    g["list_cost_usd"] += r.list_cost_usd
    names = ("usage_date", "log", "provider", "model", "team", "feature", "user_id")
    return [{**dict(zip(names, k, strict=True)), **v} for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]))]


def list_cost_by_team(org: SimulatedOrg, start: date, end: date, logs: Iterable[str] = LOGS) -> dict[str, Decimal]:
    """List cost of the priced requests per team over ``[start, end)``."""
    totals: dict[str, Decimal] = {}
    with localcontext(EXACT):
        for row in request_truth(org, start, end, logs):
            totals[row["team"]] = totals.get(row["team"], Decimal(0)) + row["list_cost_usd"]
    return totals
