"""The OpenAI Admin API shape: the organisation's OpenAI projects as the Usage and Costs APIs report them.

Base URL ``<url>/openai/v1``, header ``Authorization: Bearer <key>``. Paths, parameters, envelopes, units and
pagination follow the vendor's documentation (see the shared provider-API reference):

* ``GET /organization/usage/completions`` - buckets of ``organization.usage.completions.result``.
  ``start_time`` (required, unix s), ``end_time`` (exclusive), ``bucket_width`` ``1d``|``1h``, ``limit``
  (buckets per page; 1d: default 7, max 31; 1h: default 24, max 168), ``page``, ``group_by`` (bracket or
  repeated form) of project_id, user_id, api_key_id, model, batch, service_tier; filters ``project_ids``,
  ``user_ids``, ``api_key_ids``, ``models``, ``batch``. An unaligned ``start_time`` opens a partial first
  bucket (as the real API does); partial buckets hold the UTC hours that start inside them.
* ``GET /organization/costs`` - ``1d`` only, ``limit`` default 7 max 180, ``group_by`` of project_id,
  line_item, api_key_id; filters ``project_ids``, ``api_key_ids``, ``line_items``. ``amount.value`` is a JSON
  number in dollars written exactly (no exponent). A day's costs sit in the bucket holding its 00:00 UTC.
  ``line_item`` = ``"<model_id>, <charge><tier>"``: charge ``input`` (uncached input), ``cached input``,
  ``cache write input``, ``output``; tier suffix none (standard), `` (batch)``, `` (flex)``, e.g.
  ``"gpt-4o-2024-08-06, cached input (batch)"``. ``quantity`` (tokens) only when grouped by line_item.
* The other usage endpoints (``/organization/usage/<endpoint>``, same window, paging and group_by rules, each
  with its documented result object, metrics and dimensions). The org uses four of them (``TOOL_STREAMS``):
  embeddings, audio transcriptions (whisper-1), file search calls and web search calls, each from the day
  the emulator's price table prices it; their cost lines are ``"<model>, input"`` (embeddings),
  ``"whisper-1, audio"`` (``quantity_unit`` ``duration_seconds``), ``"file search tool calls"`` and
  ``"web search tool calls"`` (no single quantity unit: ``null``). Images, moderations, audio speeches,
  vector stores and code interpreter sessions answer with empty buckets: the org does not use them.
* ``GET /organization/projects`` (``after``, ``limit`` default 20 max 100, ``include_archived``),
  ``GET /organization/projects/{id}``, ``GET /organization/projects/{id}/api_keys``, ``GET /organization/users``
  (``after``, ``limit``).

Not grouped dimensions are present with ``null``, metrics summed over them; every bucket of the window is
present, empty ones with ``results: []``. ``next_page`` is an opaque cursor. Errors:
``{"error": {"message", "type", "param", "code"}}``; request id header ``x-request-id``.

Features by launch day: Batch API from 2024-04-15 (a stream is all batch or not at all), prompt caching from
2024-10-01, the flex tier from 2025-04-16 for o3, o4-mini and gpt-5 models. Input tokens include cached
and cache-write tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime

from emulator.api import (
    UTC,
    WIDTHS,
    ApiError,
    Query,
    Request,
    Response,
    aggregate,
    bucket_page,
    filters,
    floor,
    group_by,
    list_page,
    matches,
    paged_body,
)
from emulator.faults import corrupt_usage_page, parse_day_fault
from emulator.org import INTERNAL, SEARCH, SUPPORT, PricedLine, SimulatedOrg, Split
from emulator.plugin import ApiPlugin

BATCH_LAUNCH = date(2024, 4, 15)
PROMPT_CACHING = date(2024, 10, 1)
FLEX_LAUNCH = date(2025, 4, 16)
FLEX_MODELS = ("o3", "o4-mini", "gpt-5")  # model_id prefixes that have the flex tier

USAGE_DIMS = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
COST_DIMS = ("project_id", "api_key_id", "line_item")
METRICS = ("uncached", "cached", "written", "output", "requests")

CHARGES = {
    "input_tokens": "input",
    "cache_read_tokens": "cached input",
    "cache_write_tokens": "cache write input",
    "output_tokens": "output",
    "transcription_seconds": "audio",
}
TIER_SUFFIX = {"standard": "", "batch": " (batch)", "flex": " (flex)", "priority": " (priority)"}

USAGE_LIMITS = {"1d": (7, 31), "1h": (24, 168)}  # (default, max) buckets per page
COSTS_LIMITS = {"1d": (7, 180)}
COMPLETIONS_FILTERS = {
    "project_ids": "project_id",
    "user_ids": "user_id",
    "api_key_ids": "api_key_id",
    "models": "model",
}
COSTS_FILTERS = {"project_ids": "project_id", "api_key_ids": "api_key_id", "line_items": "line_item"}
# The other usage endpoints: path -> allowed group_by values (their documented dimensions).
OTHER_USAGE = {
    "embeddings": ("project_id", "user_id", "api_key_id", "model"),
    "moderations": ("project_id", "user_id", "api_key_id", "model"),
    "images": ("project_id", "user_id", "api_key_id", "model", "size", "source"),
    "audio_speeches": ("project_id", "user_id", "api_key_id", "model"),
    "audio_transcriptions": ("project_id", "user_id", "api_key_id", "model"),
    "vector_stores": ("project_id",),
    "code_interpreter_sessions": ("project_id",),
    "file_search_calls": ("project_id", "user_id", "api_key_id", "vector_store_id"),
    "web_search_calls": ("project_id", "user_id", "api_key_id", "model", "context_level"),
}
# path -> (result object name, metrics), as documented (provider-apis.md §1.3, §1.6)
OTHER_RESULTS = {
    "embeddings": ("embeddings", ("input_tokens", "num_model_requests")),
    "moderations": ("moderations", ("input_tokens", "num_model_requests")),
    "images": ("images", ("images", "num_model_requests")),
    "audio_speeches": ("audio_speeches", ("characters", "num_model_requests")),
    "audio_transcriptions": ("audio_transcriptions", ("seconds", "num_model_requests")),
    "vector_stores": ("vector_stores", ("usage_bytes",)),
    "code_interpreter_sessions": ("code_interpreter_sessions", ("num_sessions",)),
    "file_search_calls": ("file_searches", ("num_requests",)),
    "web_search_calls": ("web_searches", ("num_model_requests", "num_requests")),
}
OTHER_FILTERS = {"project_ids": "project_id", "user_ids": "user_id", "api_key_ids": "api_key_id", "models": "model"}


@dataclass(frozen=True)
class ToolStream:
    """A steady use of one of the other usage endpoints: ``per_day`` units of its priced metric on a weekday
    at EPOCH scale (the org's growth, weekly pattern and spikes apply as for completions)."""

    endpoint: str
    account: str
    api_key_id: str
    model: str | None  # None for the endpoints without a model (file search)
    per_day: int
    units_per_request: int  # the metric's units per model request (1 for tool calls)
    vector_store_id: str | None = None


# endpoint -> (the metric priced, its usage type in the price table)
TOOL_USAGE = {
    "embeddings": ("input_tokens", "input_tokens"),
    "audio_transcriptions": ("seconds", "transcription_seconds"),
    "file_search_calls": ("num_requests", "file_search_calls"),
    "web_search_calls": ("num_requests", "web_search_requests"),
}
TOOL_STREAMS = (
    ToolStream("embeddings", SEARCH, "key_SrchIdx7Wn3Pb5Kc", "text-embedding-3-small", 60_000_000, 2_000),
    ToolStream("audio_transcriptions", SUPPORT, "key_SprtProd9Hd6Tg1R", "whisper-1", 30_000, 45),
    ToolStream("file_search_calls", INTERNAL, "key_IntlOps5Vm1Qx7Nd", None, 1_000, 1, "vs_IntlDocs5Kq8Wz3Ym"),
    ToolStream("web_search_calls", SEARCH, "key_SrchProd4Xq8Lm2V", "gpt-4.1-2025-04-14", 1_500, 1),
)
NO_MODEL = "(none)"  # how a usage line without a model is keyed (as the warehouse keys it)
TOOL_LINES = {"file_search_calls": "file search tool calls", "web_search_requests": "web search tool calls"}
COMPLETIONS = "/organization/usage/completions"
SERVER_ERRORS = {
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The server is overloaded or not ready yet.",
    529: "The server is overloaded.",
}


def usage_result(dims: dict, m: dict) -> dict:
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
        **{k: dims.get(k) for k in USAGE_DIMS},
        "api_source": None,  # a field outside the raw contract: connectors must keep it in _raw
    }


def line_item(model_id: str, usage_type: str, service_tier: str) -> str:
    """``"<model_id>, <charge><tier suffix>"``, e.g. ``"o3-2025-04-16, cached input (flex)"``; tool calls
    have their own line (``"web search tool calls"``)."""
    if usage_type in TOOL_LINES:
        return TOOL_LINES[usage_type]
    return f"{model_id}, {CHARGES[usage_type]}{TIER_SUFFIX.get(service_tier, f' ({service_tier})')}"


def quantity_unit(line: str | None) -> str | None:
    """The Costs API's ``quantity_unit`` of a line item: tokens, seconds of audio, none for tool calls."""
    if line is None or line in TOOL_LINES.values():
        return None
    return "duration_seconds" if line.endswith(", audio") else "tokens"


def other_result(endpoint: str, dims: dict, m: dict) -> dict:
    """An ``organization.usage.<object>.result`` of one of the other endpoints, with every documented
    dimension field (null when not grouped) and its metrics."""
    obj, metrics = OTHER_RESULTS[endpoint]
    return {
        "object": f"organization.usage.{obj}.result",
        **{k: m.get(k, 0) for k in metrics},
        **{k: dims.get(k) for k in OTHER_USAGE[endpoint]},
    }


def quantities(row: dict) -> dict[str, int]:
    """Disjoint usage buckets of a completions usage row (``input_tokens`` includes the cache)."""
    cached = row.get("input_cached_tokens") or 0
    written = row.get("input_cache_write_tokens") or 0
    return {
        "input_tokens": (row.get("input_tokens") or 0) - cached - written,
        "cache_read_tokens": cached,
        "cache_write_tokens": written,
        "output_tokens": row.get("output_tokens") or 0,
    }


def service_tier(row: dict) -> str:
    """The normalised service tier of a usage row: batch, standard (default/auto/scale), flex, priority."""
    if row.get("batch"):
        return "batch"
    tier = row.get("service_tier")
    if tier in (None, "default", "auto", "scale"):
        return "standard"
    return tier


def _envelope(edges: list, next_page: str | None, results: Callable[[datetime, datetime], list[dict]]) -> dict:
    return {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": int(s.timestamp()),
                "end_time": int(e.timestamp()),
                "results": results(s, e),
            }
            for s, e in edges
        ],
        "has_more": next_page is not None,
        "next_page": next_page,
    }


def _window(request: Request, limits: dict[str, tuple[int, int]]):
    query = request.query
    start_ts = query.int("start_time")
    if start_ts is None:
        raise ApiError(400, "Missing required parameter: 'start_time'.", param="start_time")
    width = query.get("bucket_width") or "1d"
    if width not in limits:
        message = f"Invalid value for 'bucket_width': {width!r}. Supported values are: {', '.join(limits)}."
        raise ApiError(400, message, param="bucket_width")
    step = WIDTHS[width]
    start = datetime.fromtimestamp(start_ts - start_ts % 60, UTC)
    end_ts = query.int("end_time")
    end = datetime.fromtimestamp(end_ts, UTC) if end_ts is not None else floor(request.now, step) + step
    if end <= start:
        raise ApiError(400, "'end_time' must be after 'start_time'.", param="end_time")
    return bucket_page(query, start, end, width, limits)


def _list(items: list[dict], query: Query) -> dict:
    limit = query.int("limit", 20)
    if not 1 <= limit <= 100:
        raise ApiError(400, f"Invalid value for 'limit': must be between 1 and 100, got {limit}.", param="limit")
    page, has_more = list_page(items, limit, query.get("after") or None, None, "after")
    return {
        "object": "list",
        "data": page,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
        "has_more": has_more,
    }


def _project_json(p) -> dict:
    created = int(datetime.combine(p.created, dtime(9, 30), UTC).timestamp())
    archived = None if p.archived is None else int(datetime.combine(p.archived, dtime(17, 0), UTC).timestamp())
    return {
        "id": p.id,
        "object": "organization.project",
        "name": p.name,
        "created_at": created,
        "archived_at": archived,
        "status": "archived" if p.archived else "active",
    }


class OpenAIPlugin(ApiPlugin):
    name = "openai"
    title = "OpenAI Admin API (usage and costs)"
    prefix = "/openai/v1"
    fake_key = "sk-admin-emulator-fake"
    request_id_header = "x-request-id"
    usage_dims = USAGE_DIMS
    metrics = METRICS

    # -- the organisation as OpenAI reports it ------------------------------------------------------------

    def simulate(self, org: SimulatedOrg, day: date):
        for s, model, model_id, rng, total in org.active_streams(self.name, day):
            if s.batch_share not in (0, 1):
                raise ValueError(f"OpenAI stream {s.name!r}: batch_share is 0 or 1 (a key sends batches or not)")
            if s.batch_share and day >= BATCH_LAUNCH:
                parts = [(True, "default", total)]
            elif s.flex_share and day >= FLEX_LAUNCH and model_id.startswith(FLEX_MODELS):
                flex = int(total * s.flex_share * rng.uniform(0.8, 1.2))
                parts = [(False, "default", total - flex), (False, "flex", flex)]
            else:
                parts = [(False, "default", total)]
            for batch, tier, n in parts:
                cached = int(n * s.cache_read_share * rng.uniform(0.85, 1.15)) if day >= PROMPT_CACHING else 0
                written = int(n * s.cache_write_share * rng.uniform(0.8, 1.2))
                dims = {
                    "project_id": s.account,
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
        yield from self._simulate_tools(org, day)

    def _simulate_tools(self, org: SimulatedOrg, day: date):
        """The other usage endpoints' records: ``endpoint`` in their dims, their own metrics."""
        for t in TOOL_STREAMS:
            metric, usage_type = TOOL_USAGE[t.endpoint]
            model = t.model or NO_MODEL
            model_id = org.prices.resolve_model(self.name, model, day)
            if org.prices.unit_price(self.name, model_id, usage_type, "standard", 0, day) is None:
                continue  # the organisation uses a tool once its price is known (as for models)
            rng = org.rng(self.name, "tool", t.endpoint, day.isoformat())
            n = max(1, int(t.per_day * org.scale(self.name, t.account, day) * rng.uniform(0.85, 1.15)))
            requests = max(1, round(n / t.units_per_request))
            dims = {"endpoint": t.endpoint, "project_id": t.account, "user_id": None, "api_key_id": t.api_key_id}
            dims |= {"model": t.model, "vector_store_id": t.vector_store_id}
            metrics = {metric: n}
            if "num_model_requests" in OTHER_RESULTS[t.endpoint][1] and metric != "num_model_requests":
                metrics["num_model_requests"] = requests
            yield dims, metrics

    def usage_row(self, dims: dict, metrics: dict) -> dict:
        if dims.get("endpoint"):
            return {**other_result(dims["endpoint"], dims, metrics), "endpoint": dims["endpoint"]}
        return usage_result(dims, metrics)

    def split(self, row: dict) -> Split:
        endpoint = row.get("endpoint")
        if endpoint:
            metric, usage_type = TOOL_USAGE[endpoint]
            return Split(
                model_raw=row.get("model") or NO_MODEL,
                account_id=row["project_id"],
                api_key_id=row.get("api_key_id"),
                service_tier="standard",
                prompt_tier=0,
                context_window=None,
                quantities={usage_type: row[metric]},
            )
        return Split(
            model_raw=row["model"],
            account_id=row["project_id"],
            api_key_id=row["api_key_id"],
            service_tier=service_tier(row),
            prompt_tier=0,
            context_window=None,
            quantities=quantities(row),
        )

    def cost_line(self, line: PricedLine) -> tuple[dict, dict]:
        dims = {
            "project_id": line.account_id,
            "api_key_id": line.api_key_id,
            "line_item": line_item(line.model_id, line.usage_type, line.service_tier),
        }
        return dims, {"amount": line.billed_cost_usd, "quantity": line.quantity}

    # -- HTTP ----------------------------------------------------------------------------------------------

    def route(self, sub: str):
        parts = sub.strip("/").split("/")
        if parts[:2] == ["organization", "usage"] and len(parts) == 3:
            if parts[2] == "completions":
                return self._completions
            if parts[2] in OTHER_USAGE:
                return lambda request: self._other_usage(request, parts[2])
        if parts == ["organization", "costs"]:
            return self._costs
        if parts == ["organization", "projects"]:
            return self._projects
        if parts[:2] == ["organization", "projects"] and len(parts) == 3:
            return lambda request: self._project(request, parts[2])
        if parts == ["organization", "users"]:
            return self._users
        if parts[:2] == ["organization", "projects"] and len(parts) == 4 and parts[3] == "api_keys":
            return lambda request: self._project_keys(request, parts[2])
        return None

    def authenticate(self, request: Request) -> Response | None:
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            message = "You didn't provide an API key. Send an admin key as 'Authorization: Bearer <key>'."
            return self.error(401, message, code="invalid_api_key")
        if auth[len("Bearer ") :].strip() != request.key:
            message = "Incorrect API key provided. Admin keys are created in the organization settings."
            return self.error(401, message, code="invalid_api_key")
        return None

    def error(self, status: int, message: str, kind: str | None = None, **details) -> Response:
        error = {
            "message": message,
            "type": kind or "invalid_request_error",
            "param": details.get("param"),
            "code": details.get("code"),
        }
        return Response(status, {"error": error})

    def not_found(self, request: Request) -> Response:
        return self.error(404, f"Invalid URL ({request.method} {request.path}).")

    def api_error(self, exc: ApiError) -> Response:
        return self.error(exc.status, exc.message, param=exc.param, code=exc.code)

    def server_error(self, message: str) -> Response:
        return self.error(500, message, kind="server_error")

    def fault_response(self, kind: str, retry_after: float) -> Response:
        if kind == "429":
            wait = f"{retry_after:g}"
            message = f"Rate limit reached for requests. Please try again in {wait}s."
            response = self.error(429, message, kind="requests", code="rate_limit_exceeded")
            response.headers["Retry-After"] = wait
            return response
        status = int(kind)
        return self.error(status, SERVER_ERRORS[status], kind="server_error")

    def alter(self, fault: str | None, sub: str, response: Response) -> Response:
        if fault == "no_cached_field" and sub == COMPLETIONS:
            return without_cached_field(response)
        data_fault = parse_day_fault(fault)
        if data_fault and sub == COMPLETIONS and (body := paged_body(response)) is not None:
            kind, day = data_fault
            page = corrupt_usage_page(body, kind, day, bucket_day=_bucket_day)
            return Response(response.status, page, dict(response.headers))
        return response

    def _completions(self, request: Request) -> dict:
        grouped = group_by(request.query, USAGE_DIMS)
        wanted = filters(request.query, COMPLETIONS_FILTERS)
        batch = request.query.bool("batch")
        if batch is not None:
            wanted["batch"] = {batch}
        edges, next_page = _window(request, USAGE_LIMITS)
        org = request.org

        def results(s: datetime, e: datetime) -> list[dict]:
            records = [
                r for r in org.records_between(self.name, s, e) if not r.dim.get("endpoint") and matches(r, wanted)
            ]
            return [usage_result(d, m) for d, m in aggregate(records, grouped, USAGE_DIMS, METRICS)]

        return _envelope(edges, next_page, results)

    def _other_usage(self, request: Request, endpoint: str) -> dict:
        dims = OTHER_USAGE[endpoint]
        grouped = group_by(request.query, dims)
        wanted = {k: v for k, v in filters(request.query, OTHER_FILTERS).items() if k in dims}
        edges, next_page = _window(request, USAGE_LIMITS)
        org = request.org
        metrics = OTHER_RESULTS[endpoint][1]

        def results(s: datetime, e: datetime) -> list[dict]:
            records = [
                r
                for r in org.records_between(self.name, s, e)
                if r.dim.get("endpoint") == endpoint and matches(r, wanted)
            ]
            return [other_result(endpoint, d, m) for d, m in aggregate(records, grouped, dims, metrics)]

        return _envelope(edges, next_page, results)

    def _costs(self, request: Request) -> dict:
        grouped = group_by(request.query, COST_DIMS)
        wanted = filters(request.query, COSTS_FILTERS)
        edges, next_page = _window(request, COSTS_LIMITS)
        org = request.org

        def results(s: datetime, e: datetime) -> list[dict]:
            midnight = floor(s, timedelta(days=1))
            if s != midnight:  # a day's costs sit in the bucket holding its 00:00 UTC
                return []
            records = [r for r in org.cost_records(self.name, midnight.date()) if matches(r, wanted)]
            by_line = "line_item" in grouped
            return [
                {
                    "object": "organization.costs.result",
                    "amount": {"value": m["amount"], "currency": "usd"},
                    "line_item": d["line_item"],
                    "project_id": d["project_id"],
                    "api_key_id": d["api_key_id"],
                    "quantity": m["quantity"] if by_line else None,
                    "quantity_unit": quantity_unit(d["line_item"]) if by_line else None,
                }
                for d, m in aggregate(records, grouped, COST_DIMS, ("amount", "quantity"))
            ]

        return _envelope(edges, next_page, results)

    def _projects(self, request: Request) -> dict:
        archived = request.query.bool("include_archived", False)
        projects = request.org.accounts(self.name)
        return _list([_project_json(p) for p in projects if archived or p.archived is None], request.query)

    def _project(self, request: Request, project_id: str) -> dict:
        for p in request.org.accounts(self.name):
            if p.id == project_id:
                return _project_json(p)
        raise ApiError(404, f"No project found with id '{project_id}'.", param="project_id")

    def _users(self, request: Request) -> dict:
        items = [
            {
                "object": "organization.user",
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "added_at": int(datetime.combine(u.added, dtime(8, 0), UTC).timestamp()),
            }
            for u in request.org.tenancy(self.name).users
        ]
        return _list(items, request.query)

    def _project_keys(self, request: Request, project_id: str) -> dict:
        self._project(request, project_id)
        items = []
        for k in request.org.keys(self.name):
            if k.owner != project_id:
                continue
            created = int(datetime.combine(k.created, dtime(10, 0), UTC).timestamp())
            if k.user_id:
                owner = {"type": "user", "user": {"id": k.user_id, "object": "organization.user"}}
            else:
                account = {"id": f"svc_acct_{k.id[4:]}", "object": "organization.project.service_account"}
                owner = {"type": "service_account", "service_account": account}
            items.append(
                {
                    "object": "organization.project.api_key",
                    "id": k.id,
                    "name": k.name,
                    "redacted_value": "sk-proj-****" + k.id[-4:],
                    "created_at": created,
                    "last_used_at": None,
                    "owner": owner,
                }
            )
        return _list(items, request.query)


def _bucket_day(bucket: dict) -> date | None:
    start = bucket.get("start_time")
    return datetime.fromtimestamp(start, UTC).date() if isinstance(start, int) else None


def without_cached_field(response: Response) -> Response:
    """The ``no_cached_field`` fault: every completions usage result without its ``input_cached_tokens`` key."""
    body = paged_body(response)
    if body is None:
        return response
    buckets = [
        {**b, "results": [{k: v for k, v in r.items() if k != "input_cached_tokens"} for r in b.get("results", [])]}
        if isinstance(b, dict)
        else b
        for b in body["data"]
    ]
    return Response(response.status, {**body, "data": buckets}, dict(response.headers))


PLUGIN = OpenAIPlugin()
