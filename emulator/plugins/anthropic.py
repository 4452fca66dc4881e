"""The Anthropic Admin API shape: the organisation's Anthropic workspaces as the usage and cost reports show them.

Base URL ``<url>/anthropic``, headers ``x-api-key`` and ``anthropic-version``. Paths, parameters, envelopes,
units and pagination follow the vendor's documentation (see the shared provider-API reference):

* ``GET /v1/organizations/usage_report/messages`` - ``starting_at`` (RFC 3339, required, snapped to the
  bucket start), ``ending_at`` (buckets that end at or before it), ``bucket_width`` ``1d``|``1h``,
  ``limit`` (1d: default 7, max 31; 1h: default 24, max 168), ``page``, ``group_by[]`` of model,
  workspace_id, api_key_id, service_tier, context_window, inference_geo, speed, account_id,
  service_account_id; filters ``models[]``, ``workspace_ids[]``, ``api_key_ids[]``, ``account_ids[]``,
  ``service_tiers[]``, ``context_window[]``, ``inference_geos[]``, ``speeds[]``. Grouping or filtering by
  speed needs the header ``anthropic-beta: fast-mode-2026-02-01`` (else 400), as the reference says; the
  organisation runs at standard speed only.
* ``GET /v1/organizations/cost_report`` - ``1d`` only, ``limit`` default 7 max 31, ``group_by[]`` of
  workspace_id, description. ``amount`` is a decimal STRING in cents. ``description`` =
  ``"<model name> Usage - <token type>"`` with ``" (Batch)"``, ``" (Long Context)"`` or
  ``" (Batch, Long Context)"``; token types ``Input Tokens``, ``Output Tokens``, ``Cache Read Input Tokens``,
  ``5m Cache Write Input Tokens``, ``1h Cache Write Input Tokens``; web search is ``"Web Search Usage"``
  (cost_type ``web_search``, model/token_type/service_tier/context_window null).
* ``GET /v1/organizations/usage_report/claude_code`` - ``starting_at`` a UTC date ``YYYY-MM-DD`` (one day
  only), ``limit`` (default 20, max 1000), ``page`` (opaque). ``{data, has_more, next_page}``; a record per
  actor (``user_actor`` with ``email_address`` or ``api_actor`` with ``api_key_name``), customer type and
  remote flag: ``date`` as an RFC 3339 midnight, ``core_metrics``, ``tool_actions``, ``model_breakdown``
  (tokens ``input``/``output``/``cache_read``/``cache_creation``, ``estimated_cost`` in whole CENTS, a number).
  An attribution view, see :class:`CodeActor`: its tokens are never added to the messages usage.
* ``GET /v1/organizations/workspaces`` (``after_id``, ``before_id``, ``limit`` default 20 max 1000,
  ``include_archived``), ``GET /v1/organizations/api_keys`` (same paging, ``workspace_id``),
  ``GET /v1/organizations/users`` (same paging).

Not grouped dimensions are present with ``null``, metrics summed over them; every bucket of the window is
present, empty ones with ``results: []``. Errors: ``{"type": "error", "error": {"type", "message"}}``;
request id header ``request-id``. A null workspace is the default workspace.

Features by launch day: prompt caching from 2024-08-14, the Batch API from 2024-10-08, web search from
2025-05-07 (standard tier only), 1-hour cache writes from 2025-05-22, the 1M context window (priced above
200k prompt tokens) per model from its launch. The four input buckets are disjoint.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from emulator.api import (
    UTC,
    WIDTHS,
    ApiError,
    Query,
    Request,
    Response,
    aggregate,
    bucket_page,
    decimal_text,
    filters,
    floor,
    group_by,
    iso_z,
    list_page,
    matches,
    paged_body,
    parse_rfc3339,
    rfc3339,
)
from emulator.faults import corrupt_usage_page, parse_day_fault
from emulator.org import ACCOUNT_DANA, ACCOUNT_EVAN, PricedLine, SimulatedOrg, Split
from emulator.plugin import ApiPlugin
from emulator.pricing import EXACT

PROMPT_CACHING = date(2024, 8, 14)
BATCH_LAUNCH = date(2024, 10, 8)
WEB_SEARCH = date(2025, 5, 7)
CACHE_1H = date(2025, 5, 22)
LONG_CONTEXT = {  # model -> first day of the 1M context window (priced at the >200k tier)
    "claude-sonnet-4-20250514": date(2025, 8, 12),
    "claude-sonnet-4-5-20250929": date(2025, 9, 29),
}
GEO_FROM = date(2026, 2, 1)  # models released before report inference_geo "not_available"

USAGE_DIMS = (
    "model",
    "workspace_id",
    "api_key_id",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
    "account_id",
    "service_account_id",
)
COST_DIMS = ("workspace_id", "description", "cost_type", "model", "token_type", "service_tier", "context_window")
METRICS = ("uncached", "read", "write_5m", "write_1h", "output", "searches")

TOKEN_TYPES = {  # usage type -> (usage field, cost report token type)
    "input_tokens": ("uncached_input_tokens", "Input Tokens"),
    "cache_read_tokens": ("cache_read_input_tokens", "Cache Read Input Tokens"),
    "cache_write_tokens": ("cache_creation.ephemeral_5m_input_tokens", "5m Cache Write Input Tokens"),
    "cache_write_1h_tokens": ("cache_creation.ephemeral_1h_input_tokens", "1h Cache Write Input Tokens"),
    "output_tokens": ("output_tokens", "Output Tokens"),
}
MODEL_NAMES = {
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

# -- the Claude Code usage report -------------------------------------------------------------------------
CLAUDE_CODE_FROM = date(2025, 5, 22)  # Claude Code generally available: the first day of the report here
REMOTE_FROM = date(2025, 10, 20)  # Claude Code on the web: remote sessions from then on, as their own records
CLAUDE_CODE_LIMITS = (20, 1000)  # records per page: default, max
CLAUDE_CODE_ORG_ID = "3f6c1b2a-7d4e-4a9b-8c5d-2e1f0a9b8c7d"
# usage type of the price table -> (usage metric of a messages record, token bucket of the report)
CODE_TOKENS = {
    "input_tokens": ("uncached", "input"),
    "cache_read_tokens": ("read", "cache_read"),
    "cache_write_tokens": ("write_5m", "cache_creation"),
    "cache_write_1h_tokens": ("write_1h", "cache_creation"),
    "output_tokens": ("output", "output"),
}
TOOLS = ("edit_tool", "multi_edit_tool", "notebook_edit_tool", "write_tool")


@dataclass(frozen=True)
class CodeActor:
    """Someone (or an API key) using Claude Code, as the Claude Code usage report names them.

    An ``api`` customer's Claude Code calls are ordinary Messages API calls, billed on the key or Console
    account that made them: they are ALREADY in the messages usage report and the cost report. Their Claude
    Code usage here is a ``share`` of the organisation's messages usage records of that account
    (``account_id``: a person's Console login) or key (``api_key_id``), standard tier, never added to it.
    A ``subscription`` customer (Claude Team / Enterprise seats) is paid per seat, not per token: their usage
    (``input_mtok`` a weekday, at the organisation's scale) is in no messages report at all. Either way the
    estimated cost is the API list price of the tokens, in whole cents, an estimate and not a bill.
    """

    key: str  # names the actor's random draws
    actor: tuple[tuple[str, str], ...]  # the report's actor object
    customer_type: str  # api | subscription
    subscription_type: str | None
    terminal_type: str
    since: date
    account_id: str | None = None
    api_key_id: str | None = None
    share: float = 0.0
    input_mtok: float = 0.0
    models: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # subscription: (share, ((from, model), ...))
    remote_share: float = 0.0  # of its usage from REMOTE_FROM on, reported as a separate is_remote record


CODE_ACTORS = (
    # Dana and Evan (the organisation's Anthropic users) log in to Claude Code with their Console accounts
    CodeActor(
        "dana",
        (("type", "user_actor"), ("email_address", "dana@example.com")),
        "api",
        None,
        "vscode",
        CLAUDE_CODE_FROM,
        account_id=ACCOUNT_DANA,
        share=0.6,
        remote_share=0.25,
    ),
    CodeActor(
        "evan",
        (("type", "user_actor"), ("email_address", "evan@example.com")),
        "api",
        None,
        "iTerm.app",
        date(2025, 11, 24),
        account_id=ACCOUNT_EVAN,
        share=0.8,
    ),
    # a CI job runs Claude Code with the product-staging key
    CodeActor(
        "product-staging",
        (("type", "api_actor"), ("api_key_name", "product-staging")),
        "api",
        None,
        "tmux",
        CLAUDE_CODE_FROM,
        api_key_id="apikey_01ProductStg7Wn3Pb5Kc",
        share=0.5,
    ),
    # a Claude Team seat: not a Console member, and in no usage or cost report
    CodeActor(
        "grace",
        (("type", "user_actor"), ("email_address", "grace@example.com")),
        "subscription",
        "team",
        "vscode",
        date(2025, 6, 2),
        input_mtok=0.8,
        models=(
            ("0.85", (("2025-05-22", "claude-sonnet-4-20250514"), ("2025-09-29", "claude-sonnet-4-5-20250929"))),
            ("0.15", (("2025-05-22", "claude-3-5-haiku-20241022"), ("2025-10-15", "claude-haiku-4-5-20251001"))),
        ),
        remote_share=0.1,
    ),
)

USAGE_LIMITS = {"1d": (7, 31), "1h": (24, 168)}
COST_LIMITS = {"1d": (7, 31)}
USAGE_FILTERS = {
    "models": "model",
    "workspace_ids": "workspace_id",
    "api_key_ids": "api_key_id",
    "account_ids": "account_id",
    "service_account_ids": "service_account_id",
    "service_tiers": "service_tier",
    "context_window": "context_window",
    "inference_geos": "inference_geo",
    "speeds": "speed",
}
FAST_MODE_BETA = "fast-mode-2026-02-01"  # required to group or filter by speed


MESSAGES_USAGE = "/v1/organizations/usage_report/messages"


def _bucket_day(bucket: dict) -> date | None:
    start = bucket.get("starting_at")
    return parse_rfc3339("starting_at", start).date() if isinstance(start, str) else None


def _has_beta(request: Request, beta: str) -> bool:
    """Whether the comma-separated ``anthropic-beta`` header names ``beta``."""
    return beta in {b.strip() for b in (request.headers.get("anthropic-beta") or "").split(",")}


def usage_result(dims: dict, m: dict) -> dict:
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
        **{k: dims.get(k) for k in USAGE_DIMS},
    }


def description(model: str, usage_type: str, service_tier: str, context_window: str | None) -> str:
    """``"<model name> Usage - <token type>"`` plus ``" (Batch)"``, ``" (Long Context)"`` or both."""
    if usage_type == "web_search_requests":
        return "Web Search Usage"
    name = MODEL_NAMES.get(model, model)
    flags = [f for f, on in (("Batch", service_tier == "batch"), ("Long Context", context_window == "200k-1M")) if on]
    suffix = f" ({', '.join(flags)})" if flags else ""
    return f"{name} Usage - {TOKEN_TYPES[usage_type][1]}{suffix}"


def quantities(row: dict) -> dict[str, int]:
    """Disjoint usage buckets of a messages usage row (the four input buckets are disjoint)."""
    creation = row.get("cache_creation") or {}
    tools = row.get("server_tool_use") or {}
    return {
        "input_tokens": row.get("uncached_input_tokens") or 0,
        "cache_read_tokens": row.get("cache_read_input_tokens") or 0,
        "cache_write_tokens": creation.get("ephemeral_5m_input_tokens") or 0,
        "cache_write_1h_tokens": creation.get("ephemeral_1h_input_tokens") or 0,
        "output_tokens": row.get("output_tokens") or 0,
        "web_search_requests": tools.get("web_search_requests") or 0,
    }


def prompt_tier(row: dict) -> int:
    return 200_000 if row.get("context_window") == "200k-1M" else 0


def _envelope(edges: list, next_page: str | None, results) -> dict:
    return {
        "data": [{"starting_at": rfc3339(s), "ending_at": rfc3339(e), "results": results(s, e)} for s, e in edges],
        "has_more": next_page is not None,
        "next_page": next_page,
    }


def _window(request: Request, limits: dict[str, tuple[int, int]]):
    query = request.query
    raw_start = query.get("starting_at")
    if not raw_start:
        raise ApiError(400, "starting_at: Field required", param="starting_at")
    width = query.get("bucket_width") or "1d"
    if width not in limits:
        message = f"bucket_width: Input should be {' or '.join(repr(w) for w in limits)}"
        raise ApiError(400, message, param="bucket_width")
    step = WIDTHS[width]
    start = floor(parse_rfc3339("starting_at", raw_start), step)  # snapped to the bucket start
    raw_end = query.get("ending_at")
    end = floor(parse_rfc3339("ending_at", raw_end), step) if raw_end else floor(request.now, step) + step
    if end <= start:
        raise ApiError(400, "ending_at must be at least one bucket after starting_at.", param="ending_at")
    return bucket_page(query, start, end, width, limits)


def _list(items: list[dict], query: Query) -> dict:
    limit = query.int("limit", 20)
    if not 1 <= limit <= 1000:
        raise ApiError(400, f"limit: must be between 1 and 1000, got {limit}.", param="limit")
    after, before = query.get("after_id") or None, query.get("before_id") or None
    page, has_more = list_page(items, limit, after, before, "after_id")
    return {
        "data": page,
        "has_more": has_more,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    }


class AnthropicPlugin(ApiPlugin):
    name = "anthropic"
    title = "Anthropic Admin API (usage and cost reports)"
    prefix = "/anthropic"
    fake_key = "sk-ant-admin01-emulator-fake"
    request_id_header = "request-id"
    usage_dims = USAGE_DIMS
    metrics = METRICS

    # -- the organisation as Anthropic reports it -----------------------------------------------------------

    def simulate(self, org: SimulatedOrg, day: date):
        for s, model, model_id, rng, total in org.active_streams(self.name, day):
            long_from = LONG_CONTEXT.get(model_id)
            long = int(total * s.long_share * rng.uniform(0.8, 1.2)) if long_from and day >= long_from else 0
            batch = int((total - long) * s.batch_share * rng.uniform(0.9, 1.1)) if day >= BATCH_LAUNCH else 0
            parts = [
                ("standard", "0-200k", total - long - batch),
                ("batch", "0-200k", batch),
                ("standard", "200k-1M", long),
            ]
            released = org.prices.first_price_day(self.name, model_id) or day
            geo = "global" if released >= GEO_FROM else "not_available"
            for tier, window, n in parts:
                if n <= 0:
                    continue
                caching = day >= PROMPT_CACHING
                read = int(n * s.cache_read_share * rng.uniform(0.85, 1.15)) if caching else 0
                w5 = int(n * s.cache_write_share * rng.uniform(0.8, 1.2)) if caching else 0
                w1h = int(n * s.cache_1h_share * rng.uniform(0.8, 1.2)) if day >= CACHE_1H else 0
                searches = 0
                if s.searches_per_mtok and tier == "standard" and day >= WEB_SEARCH:
                    searches = int(n / 1e6 * s.searches_per_mtok * rng.uniform(0.7, 1.3))
                dims = {
                    "model": model,
                    "workspace_id": s.account,
                    "api_key_id": s.api_key_id,
                    "service_tier": tier,
                    "context_window": window,
                    "inference_geo": geo,
                    "speed": "standard",  # the organisation does not use fast mode
                    "account_id": s.user_id,
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

    def usage_row(self, dims: dict, metrics: dict) -> dict:
        return usage_result(dims, metrics)

    def split(self, row: dict) -> Split:
        return Split(
            model_raw=row["model"],
            account_id=row["workspace_id"],
            api_key_id=row["api_key_id"],
            service_tier=row.get("service_tier") or "standard",
            prompt_tier=prompt_tier(row),
            context_window=row["context_window"],
            quantities=quantities(row),
        )

    def cost_line(self, line: PricedLine) -> tuple[dict, dict]:
        search = line.usage_type == "web_search_requests"
        dims = {
            "workspace_id": line.account_id,
            "description": description(line.model_raw, line.usage_type, line.service_tier, line.context_window),
            "cost_type": "web_search" if search else "tokens",
            "model": None if search else line.model_raw,
            "token_type": None if search else TOKEN_TYPES[line.usage_type][0],
            "service_tier": None if search else line.service_tier,
            "context_window": None if search else line.context_window,
        }
        return dims, {"amount": line.billed_cost_usd * 100}  # cents (the org runs this in an exact context)

    # -- HTTP ----------------------------------------------------------------------------------------------

    def route(self, sub: str):
        return {
            MESSAGES_USAGE: self._usage,
            "/v1/organizations/cost_report": self._costs,
            "/v1/organizations/usage_report/claude_code": self._claude_code,
            "/v1/organizations/workspaces": self._workspaces,
            "/v1/organizations/api_keys": self._keys,
            "/v1/organizations/users": self._users,
        }.get(sub)

    def authenticate(self, request: Request) -> Response | None:
        if (request.headers.get("x-api-key") or "").strip() != request.key:
            return self.error(401, "invalid x-api-key", kind="authentication_error")
        if not request.headers.get("anthropic-version"):
            return self.error(400, "anthropic-version: header is required", kind="invalid_request_error")
        return None

    def error(self, status: int, message: str, kind: str | None = None, **details) -> Response:
        return Response(
            status, {"type": "error", "error": {"type": kind or "invalid_request_error", "message": message}}
        )

    def not_found(self, request: Request) -> Response:
        return self.error(404, f"Not found: {request.method} {request.path}.", kind="not_found_error")

    def method_not_allowed(self, request: Request) -> Response:
        return self.error(405, f"Method {request.method} is not allowed; use GET.", kind="invalid_request_error")

    def api_error(self, exc: ApiError) -> Response:
        return self.error(
            exc.status, exc.message, kind="not_found_error" if exc.status == 404 else "invalid_request_error"
        )

    def server_error(self, message: str) -> Response:
        return self.error(500, message, kind="api_error")

    def fault_response(self, kind: str, retry_after: float) -> Response:
        if kind == "429":
            message = "Number of requests has exceeded your rate limit. Please try again later."
            response = self.error(429, message, kind="rate_limit_error")
            response.headers["Retry-After"] = f"{retry_after:g}"
            return response
        if kind == "529":
            return self.error(529, "Overloaded", kind="overloaded_error")
        return self.error(int(kind), "Internal server error", kind="api_error")

    def alter(self, fault: str | None, sub: str, response: Response) -> Response:
        data_fault = parse_day_fault(fault)
        if data_fault and sub == MESSAGES_USAGE and (body := paged_body(response)) is not None:
            kind, day = data_fault
            page = corrupt_usage_page(body, kind, day, bucket_day=_bucket_day)
            return Response(response.status, page, dict(response.headers))
        return response

    def _usage(self, request: Request) -> dict:
        grouped = group_by(request.query, USAGE_DIMS)
        wanted = filters(request.query, USAGE_FILTERS)
        if ("speed" in grouped or "speed" in wanted) and not _has_beta(request, FAST_MODE_BETA):
            raise ApiError(
                400, f"speed: grouping or filtering by speed requires the anthropic-beta header {FAST_MODE_BETA}"
            )
        edges, next_page = _window(request, USAGE_LIMITS)
        org = request.org

        def results(s: datetime, e: datetime) -> list[dict]:
            records = [r for r in org.records_between(self.name, s, e) if matches(r, wanted)]
            return [usage_result(d, m) for d, m in aggregate(records, grouped, USAGE_DIMS, METRICS)]

        return _envelope(edges, next_page, results)

    def _costs(self, request: Request) -> dict:
        grouped = group_by(request.query, ("workspace_id", "description"))
        if "description" in grouped:  # the description carries the model, token type, tier and window
            grouped |= {"cost_type", "model", "token_type", "service_tier", "context_window"}
        edges, next_page = _window(request, COST_LIMITS)
        org = request.org
        fast_beta = _has_beta(request, FAST_MODE_BETA)

        def results(s: datetime, e: datetime) -> list[dict]:
            records = org.cost_records(self.name, s.date())
            return [
                {
                    "currency": "USD",
                    "amount": decimal_text(m["amount"]),
                    "workspace_id": d["workspace_id"],
                    "description": d["description"],
                    "cost_type": d["cost_type"],
                    "context_window": d["context_window"],
                    "model": d["model"],
                    "service_tier": d["service_tier"],
                    "token_type": d["token_type"],
                    "inference_geo": None,
                    **({"speed": None} if fast_beta else {}),
                }
                for d, m in aggregate(records, grouped, COST_DIMS, ("amount",))
            ]

        return _envelope(edges, next_page, results)

    def _claude_code(self, request: Request) -> dict:
        query = request.query
        raw_day = query.get("starting_at")
        if not raw_day:
            raise ApiError(400, "starting_at: Field required", param="starting_at")
        try:
            day = date.fromisoformat(raw_day.strip())
            if len(raw_day.strip()) != 10:
                raise ValueError
        except ValueError:
            message = f"starting_at: expected a UTC date YYYY-MM-DD, got {raw_day!r}."
            raise ApiError(400, message, param="starting_at") from None
        default, maximum = CLAUDE_CODE_LIMITS
        limit = query.int("limit", default)
        if not 1 <= limit <= maximum:
            raise ApiError(400, f"limit: must be between 1 and {maximum}, got {limit}.", param="limit")
        offset = _code_offset(query.get("page"), day)
        records = self.claude_code_records(request.org, day)
        page = records[offset : offset + limit]
        more = offset + limit < len(records)
        return {"data": page, "has_more": more, "next_page": _code_cursor(day, offset + limit) if more else None}

    def claude_code_records(self, org: SimulatedOrg, day: date) -> list[dict]:
        """The Claude Code usage report of one UTC day, every record, in the report's order (actor type, actor,
        customer type, local before remote). Deterministic in ``(org.seed, day)``; see :class:`CodeActor`."""
        records = []
        for actor in CODE_ACTORS:
            if day < max(actor.since, CLAUDE_CODE_FROM):
                continue
            usage = _code_usage(org, actor, day)
            remote = actor.remote_share if day >= REMOTE_FROM else 0.0
            parts = [(False, [(m, t, {k: q - int(q * remote) for k, q in qs.items()}) for m, t, qs in usage])]
            if remote:
                parts.append((True, [(m, t, {k: int(q * remote) for k, q in qs.items()}) for m, t, qs in usage]))
            for is_remote, items in parts:
                record = _code_record(org, actor, day, is_remote, items)
                if record is not None:
                    records.append(record)
        records.sort(key=lambda r: (*r["actor"].values(), r["customer_type"], r["is_remote"]))
        return records

    def _workspaces(self, request: Request) -> dict:
        archived = request.query.bool("include_archived", False)
        items = [
            {
                "id": w.id,
                "type": "workspace",
                "name": w.name,
                "created_at": iso_z(w.created, dtime(9, 30, 0, 123456)),
                "archived_at": None if w.archived is None else iso_z(w.archived, dtime(17, 0)),
                "display_color": w.display_color,
            }
            for w in request.org.accounts(self.name)
            if w.id is not None and (archived or w.archived is None)
        ]
        return _list(items, request.query)

    def _users(self, request: Request) -> dict:
        items = [
            {
                "id": u.id,
                "type": "user",
                "email": u.email,
                "name": u.name,
                "role": u.role,
                "added_at": iso_z(u.added, dtime(8, 0, 0, 654321)),
            }
            for u in request.org.tenancy(self.name).users
        ]
        return _list(items, request.query)

    def _keys(self, request: Request) -> dict:
        workspace = request.query.get("workspace_id")
        tenancy = request.org.tenancy(self.name)
        archived = {w.id: w.archived for w in tenancy.accounts}
        items = [
            {
                "id": k.id,
                "type": "api_key",
                "name": k.name,
                "partial_key_hint": "sk-ant-api03-****" + k.id[-4:],
                "status": "archived" if archived.get(k.owner) else "active",
                "workspace_id": k.owner,
                "created_at": iso_z(k.created, dtime(10, 0)),
                "created_by": {"id": tenancy.admin, "type": "user"},
                "expires_at": None,
            }
            for k in tenancy.keys
            if workspace is None or k.owner == workspace
        ]
        return _list(items, request.query)


PLUGIN = AnthropicPlugin()


# -- the Claude Code usage report ---------------------------------------------------------------------------

CodeItem = tuple[str, int, dict[str, int]]  # (model as called, prompt-size tier, usage type -> tokens)


def _code_usage(org: SimulatedOrg, actor: CodeActor, day: date) -> list[CodeItem]:
    """The actor's Claude Code tokens of the day, per model and prompt-size tier, by price-table usage type."""
    if actor.customer_type == "api":
        items = []
        for record in org.records("anthropic", day):
            dims, metrics = record.dim, record.metric
            if dims["service_tier"] != "standard":
                continue  # Claude Code calls the API directly, never through the Batch API
            if actor.api_key_id is not None:
                if dims["api_key_id"] != actor.api_key_id:
                    continue
            elif dims["account_id"] != actor.account_id or dims["api_key_id"] is not None:
                continue
            quantities = {k: int(metrics[metric] * actor.share) for k, (metric, _) in CODE_TOKENS.items()}
            items.append((dims["model"], prompt_tier(dims), quantities))
        return items
    rng = org.rng("anthropic", "claude_code", actor.key, day.isoformat())
    total = int(
        actor.input_mtok * 1e6 * org.scale("anthropic", f"claude-code:{actor.key}", day) * rng.uniform(0.7, 1.3)
    )
    items = []
    for share, line in actor.models:
        model = None
        for start, name in line:
            if day >= date.fromisoformat(start):
                model = name
        n = int(total * float(share))
        if model is None or n <= 0:
            continue
        read, write = int(n * 0.6 * rng.uniform(0.9, 1.1)), int(n * 0.08 * rng.uniform(0.8, 1.2))
        quantities = {
            "input_tokens": n - read - write,
            "cache_read_tokens": read,
            "cache_write_tokens": write,
            "cache_write_1h_tokens": 0,
            "output_tokens": int(n * 0.05 * rng.uniform(0.8, 1.2)),
        }
        items.append((model, 0, quantities))
    return items


def _code_record(org: SimulatedOrg, actor: CodeActor, day: date, is_remote: bool, items: list[CodeItem]) -> dict | None:
    """One record of the report: the actor's usage of the day (local or remote), None when there is none."""
    models: dict[str, dict] = {}
    for model, tier, quantities in items:
        entry = models.setdefault(
            model, {"tokens": dict.fromkeys(("input", "output", "cache_read", "cache_creation"), 0), "cost": Decimal(0)}
        )
        model_id = org.prices.resolve_model("anthropic", model, day)
        for usage_type, qty in quantities.items():
            if not qty:
                continue
            entry["tokens"][CODE_TOKENS[usage_type][1]] += qty
            cost = org.prices.cost("anthropic", model_id, usage_type, "standard", tier, day, qty)
            if cost is None:
                raise RuntimeError(f"Claude Code usage of {model_id} {usage_type} on {day} has no price in the table.")
            with localcontext(EXACT):
                entry["cost"] += cost
    models = {m: e for m, e in models.items() if any(e["tokens"].values())}
    if not models:
        return None
    rng = org.rng("anthropic", "claude_code", "metrics", actor.key, day.isoformat(), is_remote)
    prompt = sum(
        e["tokens"]["input"] + e["tokens"]["cache_read"] + e["tokens"]["cache_creation"] for e in models.values()
    )
    output = sum(e["tokens"]["output"] for e in models.values())
    sessions = 1 + int(prompt / 400_000 * rng.uniform(0.7, 1.3))
    added = int(output / 60 * rng.uniform(0.6, 1.4))
    commits = int(sessions * rng.uniform(0.2, 1.0))
    accepted = {
        "edit_tool": added // 12,
        "multi_edit_tool": added // 40,
        "notebook_edit_tool": added // 400 if actor.key == "grace" else 0,
        "write_tool": added // 90,
    }
    return {
        "actor": dict(actor.actor),
        "core_metrics": {
            "commits_by_claude_code": commits,
            "lines_of_code": {"added": added, "removed": int(added * rng.uniform(0.2, 0.5))},
            "num_sessions": sessions,
            "pull_requests_by_claude_code": int(commits * rng.uniform(0.1, 0.4)),
        },
        "customer_type": actor.customer_type,
        "date": rfc3339(datetime.combine(day, dtime(0), UTC)),
        "is_remote": is_remote,
        "model_breakdown": [
            {
                "estimated_cost": {"amount": _whole_cents(e["cost"]), "currency": "USD"},
                "model": model,
                "tokens": e["tokens"],
            }
            for model, e in sorted(models.items())
        ],
        "organization_id": CLAUDE_CODE_ORG_ID,
        "subscription_type": actor.subscription_type,
        "terminal_type": "web" if is_remote else actor.terminal_type,
        "tool_actions": {
            tool: {"accepted": n, "rejected": int(n * rng.uniform(0.02, 0.15))} for tool, n in accepted.items()
        },
    }


def _whole_cents(usd: Decimal) -> int:
    """Dollars as the report's estimate: whole cents (minor units), as the documented examples show them."""
    with localcontext(EXACT):
        cents = usd * 100
    return int(cents.quantize(Decimal(1), rounding=ROUND_HALF_UP))  # rounding: outside the exact context


def _code_cursor(day: date, offset: int) -> str:
    return "page_" + base64.urlsafe_b64encode(f"{day.isoformat()}#{offset}".encode()).decode()


def _code_offset(page: str | None, day: date) -> int:
    """The record offset of a ``page`` cursor of the report of ``day`` (0 without one)."""
    if not page:
        return 0
    try:
        if not page.startswith("page_"):
            raise ValueError
        cursor_day, offset = base64.urlsafe_b64decode(page[5:].encode()).decode().split("#")
        if cursor_day != day.isoformat() or not offset.isdigit():
            raise ValueError
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        message = f"Invalid page cursor {page!r}: pass the next_page value of the previous response for this day."
        raise ApiError(400, message, param="page") from None
