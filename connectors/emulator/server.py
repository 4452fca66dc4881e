"""The emulator's HTTP server: OpenAI and Anthropic admin endpoints over a :class:`SimulatedOrg`.

Standard library only (``http.server.ThreadingHTTPServer``), bound to 127.0.0.1. Paths, parameters,
envelopes, units and pagination follow the vendors' documentation (see the shared provider-API reference):

OpenAI, base URL ``<url>/openai/v1``, header ``Authorization: Bearer <key>``:

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
* Other usage endpoints (embeddings, images, ...) answer with empty buckets: the org does not use them.
* ``GET /organization/projects`` (``after``, ``limit`` default 20 max 100, ``include_archived``),
  ``GET /organization/projects/{id}``, ``GET /organization/projects/{id}/api_keys``.

Anthropic, base URL ``<url>/anthropic``, headers ``x-api-key`` and ``anthropic-version``:

* ``GET /v1/organizations/usage_report/messages`` - ``starting_at`` (RFC 3339, required, snapped to the
  bucket start), ``ending_at`` (buckets that end at or before it), ``bucket_width`` ``1d``|``1h``,
  ``limit`` (1d: default 7, max 31; 1h: default 24, max 168), ``page``, ``group_by[]`` of model,
  workspace_id, api_key_id, service_tier, context_window, inference_geo, account_id, service_account_id;
  filters ``models[]``, ``workspace_ids[]``, ``api_key_ids[]``, ``account_ids[]``, ``service_tiers[]``,
  ``context_window[]``, ``inference_geos[]``.
* ``GET /v1/organizations/cost_report`` - ``1d`` only, ``limit`` default 7 max 31, ``group_by[]`` of
  workspace_id, description. ``amount`` is a decimal STRING in cents. ``description`` =
  ``"<model name> Usage - <token type>"`` with ``" (Batch)"``, ``" (Long Context)"`` or
  ``" (Batch, Long Context)"``; token types ``Input Tokens``, ``Output Tokens``, ``Cache Read Input Tokens``,
  ``5m Cache Write Input Tokens``, ``1h Cache Write Input Tokens``; web search is ``"Web Search Usage"``
  (cost_type ``web_search``, model/token_type/service_tier/context_window null).
* ``GET /v1/organizations/workspaces`` (``after_id``, ``before_id``, ``limit`` default 20 max 1000,
  ``include_archived``), ``GET /v1/organizations/api_keys`` (same paging, ``workspace_id``).

Not grouped dimensions are present with ``null``, metrics summed over them; every bucket of the window is
present, empty ones with ``results: []``. ``next_page`` is an opaque cursor (``page_`` + base64 of the next
bucket's start). Errors use each vendor's envelope. Unauthenticated helpers: ``GET /_emulator/health``,
``GET /_emulator/ground_truth?start=YYYY-MM-DD&end=YYYY-MM-DD`` (decimals as strings) and
``GET /_emulator/requests`` (the request log).

Faults (see :mod:`.faults`) are applied in :meth:`EmulatorServer._serve`: the error kinds and ``html`` answer
instead of the handler; ``no_cursor``, ``endless_cursor`` and ``no_cached_field`` rewrite the handler's
successful answer, so authentication and parameter checks still come first.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from decimal import Decimal, localcontext
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Iterator, TextIO
from urllib.parse import parse_qsl, urlsplit, urlencode

from .faults import ERROR_KINDS, FaultInjector, FaultSpec
from .org import (
    ANTHROPIC_COST_DIMS,
    ANTHROPIC_METRICS,
    ANTHROPIC_USAGE_DIMS,
    OPENAI_COST_DIMS,
    OPENAI_METRICS,
    OPENAI_USAGE_DIMS,
    Record,
    SimulatedOrg,
    anthropic_usage_result,
    openai_usage_result,
)
from .pricing import EXACT

UTC = timezone.utc
DEFAULT_OPENAI_KEY = "sk-admin-emulator-fake"
DEFAULT_ANTHROPIC_KEY = "sk-ant-admin01-emulator-fake"
OPENAI_PREFIX = "/openai/v1"
ANTHROPIC_PREFIX = "/anthropic"
MAX_GROUND_TRUTH_DAYS = 3700

WIDTHS = {"1d": timedelta(days=1), "1h": timedelta(hours=1)}
OPENAI_USAGE_LIMITS = {"1d": (7, 31), "1h": (24, 168)}  # (default, max) buckets per page
OPENAI_COSTS_LIMITS = {"1d": (7, 180)}
ANTHROPIC_USAGE_LIMITS = {"1d": (7, 31), "1h": (24, 168)}
ANTHROPIC_COST_LIMITS = {"1d": (7, 31)}

OPENAI_COMPLETIONS_FILTERS = {
    "project_ids": "project_id",
    "user_ids": "user_id",
    "api_key_ids": "api_key_id",
    "models": "model",
}
OPENAI_COSTS_FILTERS = {"project_ids": "project_id", "api_key_ids": "api_key_id", "line_items": "line_item"}
ANTHROPIC_USAGE_FILTERS = {
    "models": "model",
    "workspace_ids": "workspace_id",
    "api_key_ids": "api_key_id",
    "account_ids": "account_id",
    "service_account_ids": "service_account_id",
    "service_tiers": "service_tier",
    "context_window": "context_window",
    "inference_geos": "inference_geo",
}
# Usage endpoints the org does not use: served with empty buckets. path -> allowed group_by values.
OPENAI_EMPTY_USAGE = {
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
CURSOR_PARAMS = ("page", "after", "after_id", "before_id")
ENDLESS_CURSOR = re.compile(r"(page_)?endless_[0-9]+")  # the cursors the endless_cursor fault hands out
HTML_PAGE = (
    b"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Sign in</title></head>\n"
    b"<body><main><h1>Sign in to continue</h1>\n"
    b"<form method=\"post\" action=\"/login\"><label>Username <input name=\"username\"></label>\n"
    b"<label>Password <input type=\"password\" name=\"password\"></label>\n"
    b"<button type=\"submit\">Sign in</button></form></main></body></html>\n"
)
REDACTED_QUERY_NAMES = {"key", "api_key", "apikey", "x-api-key", "token", "access_token", "authorization"}


# ---------------------------------------------------------------------------------------------------------
# JSON with exact decimals
# ---------------------------------------------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain positional text: exact, no exponent, no trailing zeros (``"0.00375"``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _encode(obj: object, out: list[str]) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, Decimal):
        out.append(decimal_text(obj))  # a JSON number written exactly
    elif isinstance(obj, (int, float, str)):
        out.append(json.dumps(obj))
    elif isinstance(obj, dict):
        out.append("{")
        for i, (k, v) in enumerate(obj.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(k)))
            out.append(":")
            _encode(v, out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, v in enumerate(obj):
            if i:
                out.append(",")
            _encode(v, out)
        out.append("]")
    elif isinstance(obj, (date, datetime)):
        out.append(json.dumps(obj.isoformat()))
    else:
        raise TypeError(f"Cannot encode {type(obj).__name__} as JSON.")


def dumps(obj: object) -> bytes:
    out: list[str] = []
    _encode(obj, out)
    return "".join(out).encode("utf-8")


# ---------------------------------------------------------------------------------------------------------
# Requests and responses
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: object = None  # encoded with dumps(), unless raw is set
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    raw: bytes | None = None  # a body sent as is (not JSON)

    def payload(self) -> bytes:
        return self.raw if self.raw is not None else dumps(self.body)


class ApiError(Exception):
    """Raised inside a handler; becomes the vendor's error envelope."""

    def __init__(
        self, status: int, message: str, *, kind: str = "invalid_request_error", param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.param, self.code = status, message, kind, param, code


def openai_error(
    status: int, message: str, kind: str = "invalid_request_error", param: str | None = None, code: str | None = None
) -> Response:
    return Response(status, {"error": {"message": message, "type": kind, "param": param, "code": code}})


def anthropic_error(status: int, kind: str, message: str) -> Response:
    return Response(status, {"type": "error", "error": {"type": kind, "message": message}})


class Query:
    """Query-string access that accepts both array forms: ``name[]=a`` and repeated ``name=a``."""

    def __init__(self, raw: str) -> None:
        self.pairs = parse_qsl(raw, keep_blank_values=True)

    def get(self, name: str) -> str | None:
        values = [v for k, v in self.pairs if k == name]
        return values[-1] if values else None

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k in (name, f"{name}[]")]

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            message = f"Invalid value for '{name}': expected an integer, got {value!r}."
            raise ApiError(400, message, param=name) from None

    def bool(self, name: str, default: bool | None = None) -> bool | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise ApiError(400, f"Invalid value for '{name}': expected true or false, got {value!r}.", param=name)


def _iso_z(day: date, at: dtime) -> str:
    return datetime.combine(day, at, UTC).isoformat().replace("+00:00", "Z")


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_rfc3339(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise ApiError(400, f"{name}: invalid RFC 3339 datetime {value!r}.", param=name) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _floor(moment: datetime, width: timedelta) -> datetime:
    midnight = datetime.combine(moment.date(), dtime(0), UTC)
    if width >= timedelta(days=1):
        return midnight
    return midnight + ((moment - midnight) // width) * width


def _encode_cursor(moment: datetime) -> str:
    return "page_" + base64.urlsafe_b64encode(_rfc3339(moment).encode()).decode()


def _decode_cursor(page: str) -> datetime:
    try:
        if not page.startswith("page_"):
            raise ValueError
        return _parse_rfc3339("page", base64.urlsafe_b64decode(page[5:].encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError, ApiError):
        message = f"Invalid page cursor {page!r}: pass the next_page value of the previous response."
        raise ApiError(400, message, param="page") from None


def _bucket_edges(start: datetime, end: datetime, width: timedelta) -> Iterator[tuple[datetime, datetime]]:
    """Buckets from ``start`` to ``end``: the first may be partial (unaligned start), later ones aligned."""
    s = start
    while s < end:
        e = min(_floor(s, width) + width, end)
        yield s, e
        s = e


def _limit(query: Query, limits: dict[str, tuple[int, int]], width: str) -> int:
    default, maximum = limits[width]
    limit = query.int("limit", default)
    if not 1 <= limit <= maximum:
        message = f"Invalid value for 'limit': must be between 1 and {maximum} for bucket_width={width}, got {limit}."
        raise ApiError(400, message, param="limit")
    return limit


def _group_by(query: Query, allowed: Iterable[str]) -> set[str]:
    allowed = tuple(allowed)
    values = query.getlist("group_by")
    for v in values:
        if v not in allowed:
            message = f"Invalid value for 'group_by': {v!r}. Supported values are: {', '.join(allowed)}."
            raise ApiError(400, message, param="group_by")
    return set(values)


def _filters(query: Query, mapping: dict[str, str]) -> dict[str, set]:
    return {dim: set(values) for name, dim in mapping.items() if (values := query.getlist(name))}


def _matches(record: Record, filters: dict[str, set]) -> bool:
    dims = record.dim
    return all(dims.get(dim) in allowed for dim, allowed in filters.items())


def _aggregate(
    records: Iterable[Record], grouped: set[str], dims: tuple[str, ...], metrics: tuple[str, ...]
) -> list[tuple[dict, dict]]:
    """Sum metrics over the dimensions not grouped by (those become None)."""
    sums: dict[tuple, dict] = {}
    with localcontext(EXACT):
        for r in records:
            d = r.dim
            key = tuple(d.get(k) if k in grouped else None for k in dims)
            into = sums.setdefault(key, {m: 0 for m in metrics})
            for k, v in r.metrics:
                into[k] += v
    ordered = sorted(sums.items(), key=lambda kv: tuple((v is None, str(v)) for v in kv[0]))
    return [(dict(zip(dims, key)), m) for key, m in ordered]


Edges = tuple[datetime, datetime]


def _paged(buckets: Iterator[Edges], limit: int) -> tuple[list[Edges], str | None]:
    """The first ``limit`` buckets and the cursor of the next one (None when there is none)."""
    page: list[tuple[datetime, datetime]] = []
    for edges in buckets:
        if len(page) == limit:
            return page, _encode_cursor(edges[0])
        page.append(edges)
    return page, None


def _list_page(
    items: list[dict], limit: int, after: str | None, before: str | None, param: str
) -> tuple[list[dict], bool]:
    ids = [item["id"] for item in items]
    if after is not None:
        if after not in ids:
            raise ApiError(400, f"No object with id {after!r} to page after.", param=param)
        items = items[ids.index(after) + 1 :]
        return items[:limit], len(items) > limit
    if before is not None:
        if before not in ids:
            raise ApiError(400, f"No object with id {before!r} to page before.", param="before_id")
        items = items[: ids.index(before)]
        return items[-limit:], len(items) > limit
    return items[:limit], len(items) > limit


# ---------------------------------------------------------------------------------------------------------
# The application (no sockets: method, path, query and headers in, Response out)
# ---------------------------------------------------------------------------------------------------------


class EmulatorApp:
    def __init__(
        self, org: SimulatedOrg, openai_key: str, anthropic_key: str, now: Callable[[], datetime] | None = None
    ) -> None:
        self.org = org
        self.openai_key = openai_key
        self.anthropic_key = anthropic_key
        self.now = now or (lambda: datetime.now(UTC))
        self.request_log: Callable[[], list[dict]] = lambda: []

    def handle(self, method: str, path: str, raw_query: str, headers) -> Response:
        path = path.rstrip("/") or "/"
        query = Query(raw_query)
        if path.startswith("/_emulator/") or path == "/_emulator":
            return self._internal(method, path, query)
        if path == ANTHROPIC_PREFIX or path.startswith(ANTHROPIC_PREFIX + "/"):
            return self._anthropic(method, path[len(ANTHROPIC_PREFIX) :], query, headers)
        if path == "/openai" or path.startswith("/openai/"):
            return self._openai(method, path, query, headers)
        message = f"Unknown path {path}: the emulator serves /openai/v1/..., /anthropic/v1/... and /_emulator/...."
        return Response(404, {"error": {"message": message, "type": "not_found"}})

    # -- internal -------------------------------------------------------------------------------------

    def _internal(self, method: str, path: str, query: Query) -> Response:
        if path == "/_emulator/health":
            return Response(200, {"ok": True})
        if path == "/_emulator/requests":
            return Response(200, {"data": self.request_log()})
        if path == "/_emulator/ground_truth":
            try:
                start = date.fromisoformat(query.get("start") or "")
                end = date.fromisoformat(query.get("end") or "")
            except ValueError:
                return Response(400, {"error": "start and end are required, as YYYY-MM-DD (end exclusive)."})
            if not start < end or (end - start).days > MAX_GROUND_TRUTH_DAYS:
                message = f"end must be after start and at most {MAX_GROUND_TRUTH_DAYS} days later."
                return Response(400, {"error": message})
            rows = [
                {
                    **row,
                    "usage_date": row["usage_date"].isoformat(),
                    "list_cost_usd": None if row["list_cost_usd"] is None else decimal_text(row["list_cost_usd"]),
                    "billed_cost_usd": decimal_text(row["billed_cost_usd"]),
                }
                for row in self.org.ground_truth(start, end)
            ]
            body = {"seed": self.org.seed, "start": start.isoformat(), "end": end.isoformat(), "data": rows}
            return Response(200, body)
        return Response(404, {"error": f"Unknown emulator path {path}."})

    # -- OpenAI ---------------------------------------------------------------------------------------

    def _openai(self, method: str, path: str, query: Query, headers) -> Response:
        route = self._openai_route(path[len(OPENAI_PREFIX) :] if path.startswith(OPENAI_PREFIX + "/") else None)
        if route is None:
            return openai_error(404, f"Invalid URL ({method} {path}).")
        auth = headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            message = "You didn't provide an API key. Send an admin key as 'Authorization: Bearer <key>'."
            return openai_error(401, message, code="invalid_api_key")
        if auth[len("Bearer ") :].strip() != self.openai_key:
            message = "Incorrect API key provided. Admin keys are created in the organization settings."
            return openai_error(401, message, code="invalid_api_key")
        if method != "GET":
            return openai_error(405, f"Method {method} is not allowed on {path}; use GET.")
        handler, args = route
        try:
            return Response(200, handler(query, *args))
        except ApiError as e:
            return openai_error(e.status, e.message, param=e.param, code=e.code)

    def _openai_route(self, sub: str | None):
        if sub is None:
            return None
        parts = sub.strip("/").split("/")
        if parts[:2] == ["organization", "usage"] and len(parts) == 3:
            if parts[2] == "completions":
                return self._openai_completions, ()
            if parts[2] in OPENAI_EMPTY_USAGE:
                return self._openai_empty_usage, (parts[2],)
        if parts == ["organization", "costs"]:
            return self._openai_costs, ()
        if parts == ["organization", "projects"]:
            return self._openai_projects, ()
        if parts[:2] == ["organization", "projects"] and len(parts) == 3:
            return self._openai_project, (parts[2],)
        if parts[:2] == ["organization", "projects"] and len(parts) == 4 and parts[3] == "api_keys":
            return self._openai_project_keys, (parts[2],)
        return None

    def _openai_window(self, query: Query, limits: dict[str, tuple[int, int]]):
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
        end = datetime.fromtimestamp(end_ts, UTC) if end_ts is not None else _floor(self.now(), step) + step
        if end <= start:
            raise ApiError(400, "'end_time' must be after 'start_time'.", param="end_time")
        limit = _limit(query, limits, width)
        page = query.get("page")
        if page:
            cursor = _decode_cursor(page)
            if not start <= cursor < end:
                raise ApiError(400, f"Invalid page cursor {page!r}: it is outside the requested window.", param="page")
            start = cursor
        return _paged(_bucket_edges(start, end, step), limit)

    @staticmethod
    def _openai_envelope(
        edges: list, next_page: str | None, results: Callable[[datetime, datetime], list[dict]]
    ) -> dict:
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

    def _openai_completions(self, query: Query) -> dict:
        grouped = _group_by(query, OPENAI_USAGE_DIMS)
        filters = _filters(query, OPENAI_COMPLETIONS_FILTERS)
        batch = query.bool("batch")
        if batch is not None:
            filters["batch"] = {batch}
        edges, next_page = self._openai_window(query, OPENAI_USAGE_LIMITS)

        def results(s: datetime, e: datetime) -> list[dict]:
            records = [r for r in self.org.records_between("openai", s, e) if _matches(r, filters)]
            groups = _aggregate(records, grouped, OPENAI_USAGE_DIMS, OPENAI_METRICS)
            return [openai_usage_result(d, m) for d, m in groups]

        return self._openai_envelope(edges, next_page, results)

    def _openai_empty_usage(self, query: Query, endpoint: str) -> dict:
        _group_by(query, OPENAI_EMPTY_USAGE[endpoint])
        edges, next_page = self._openai_window(query, OPENAI_USAGE_LIMITS)
        return self._openai_envelope(edges, next_page, lambda s, e: [])

    def _openai_costs(self, query: Query) -> dict:
        grouped = _group_by(query, OPENAI_COST_DIMS)
        filters = _filters(query, OPENAI_COSTS_FILTERS)
        edges, next_page = self._openai_window(query, OPENAI_COSTS_LIMITS)

        def results(s: datetime, e: datetime) -> list[dict]:
            midnight = _floor(s, timedelta(days=1))
            if s != midnight:  # a day's costs sit in the bucket holding its 00:00 UTC
                return []
            records = [r for r in self.org.cost_records("openai", midnight.date()) if _matches(r, filters)]
            out = []
            for d, m in _aggregate(records, grouped, OPENAI_COST_DIMS, ("amount", "quantity")):
                by_line = "line_item" in grouped
                out.append(
                    {
                        "object": "organization.costs.result",
                        "amount": {"value": m["amount"], "currency": "usd"},
                        "line_item": d["line_item"],
                        "project_id": d["project_id"],
                        "api_key_id": d["api_key_id"],
                        "quantity": m["quantity"] if by_line else None,
                        "quantity_unit": "tokens" if by_line else None,
                    }
                )
            return out

        return self._openai_envelope(edges, next_page, results)

    def _project_json(self, p) -> dict:
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

    def _openai_list(self, items: list[dict], query: Query) -> dict:
        limit = query.int("limit", 20)
        if not 1 <= limit <= 100:
            raise ApiError(400, f"Invalid value for 'limit': must be between 1 and 100, got {limit}.", param="limit")
        page, has_more = _list_page(items, limit, query.get("after") or None, None, "after")
        return {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": has_more,
        }

    def _openai_projects(self, query: Query) -> dict:
        archived = query.bool("include_archived", False)
        items = [self._project_json(p) for p in self.org.openai_projects if archived or p.archived is None]
        return self._openai_list(items, query)

    def _openai_project(self, query: Query, project_id: str) -> dict:
        for p in self.org.openai_projects:
            if p.id == project_id:
                return self._project_json(p)
        raise ApiError(404, f"No project found with id '{project_id}'.", param="project_id")

    def _openai_project_keys(self, query: Query, project_id: str) -> dict:
        self._openai_project(query, project_id)
        items = []
        for k in self.org.openai_keys:
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
        return self._openai_list(items, query)

    # -- Anthropic ------------------------------------------------------------------------------------

    def _anthropic(self, method: str, sub: str, query: Query, headers) -> Response:
        routes = {
            "/v1/organizations/usage_report/messages": self._anthropic_usage,
            "/v1/organizations/cost_report": self._anthropic_costs,
            "/v1/organizations/workspaces": self._anthropic_workspaces,
            "/v1/organizations/api_keys": self._anthropic_keys,
        }
        handler = routes.get(sub)
        if handler is None:
            return anthropic_error(404, "not_found_error", f"Not found: {method} {ANTHROPIC_PREFIX}{sub}.")
        if (headers.get("x-api-key") or "").strip() != self.anthropic_key:
            return anthropic_error(401, "authentication_error", "invalid x-api-key")
        if not headers.get("anthropic-version"):
            return anthropic_error(400, "invalid_request_error", "anthropic-version: header is required")
        if method != "GET":
            return anthropic_error(405, "invalid_request_error", f"Method {method} is not allowed; use GET.")
        try:
            return Response(200, handler(query))
        except ApiError as e:
            kind = "not_found_error" if e.status == 404 else "invalid_request_error"
            return anthropic_error(e.status, kind, e.message)

    def _anthropic_window(self, query: Query, limits: dict[str, tuple[int, int]]):
        raw_start = query.get("starting_at")
        if not raw_start:
            raise ApiError(400, "starting_at: Field required", param="starting_at")
        width = query.get("bucket_width") or "1d"
        if width not in limits:
            message = f"bucket_width: Input should be {' or '.join(repr(w) for w in limits)}"
            raise ApiError(400, message, param="bucket_width")
        step = WIDTHS[width]
        start = _floor(_parse_rfc3339("starting_at", raw_start), step)  # snapped to the bucket start
        raw_end = query.get("ending_at")
        end = _floor(_parse_rfc3339("ending_at", raw_end), step) if raw_end else _floor(self.now(), step) + step
        if end <= start:
            raise ApiError(400, "ending_at must be at least one bucket after starting_at.", param="ending_at")
        limit = _limit(query, limits, width)
        page = query.get("page")
        if page:
            cursor = _decode_cursor(page)
            if not start <= cursor < end:
                raise ApiError(400, f"Invalid page cursor {page!r}: it is outside the requested window.", param="page")
            start = cursor
        return _paged(_bucket_edges(start, end, step), limit)

    @staticmethod
    def _anthropic_envelope(
        edges: list, next_page: str | None, results: Callable[[datetime, datetime], list[dict]]
    ) -> dict:
        return {
            "data": [
                {"starting_at": _rfc3339(s), "ending_at": _rfc3339(e), "results": results(s, e)} for s, e in edges
            ],
            "has_more": next_page is not None,
            "next_page": next_page,
        }

    def _anthropic_usage(self, query: Query) -> dict:
        grouped = _group_by(query, ANTHROPIC_USAGE_DIMS)
        filters = _filters(query, ANTHROPIC_USAGE_FILTERS)
        edges, next_page = self._anthropic_window(query, ANTHROPIC_USAGE_LIMITS)

        def results(s: datetime, e: datetime) -> list[dict]:
            records = [r for r in self.org.records_between("anthropic", s, e) if _matches(r, filters)]
            groups = _aggregate(records, grouped, ANTHROPIC_USAGE_DIMS, ANTHROPIC_METRICS)
            return [anthropic_usage_result(d, m) for d, m in groups]

        return self._anthropic_envelope(edges, next_page, results)

    def _anthropic_costs(self, query: Query) -> dict:
        grouped = _group_by(query, ("workspace_id", "description"))
        if "description" in grouped:  # the description carries the model, token type, tier and window
            grouped |= {"cost_type", "model", "token_type", "service_tier", "context_window"}
        edges, next_page = self._anthropic_window(query, ANTHROPIC_COST_LIMITS)

        def results(s: datetime, e: datetime) -> list[dict]:
            records = self.org.cost_records("anthropic", s.date())
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
                }
                for d, m in _aggregate(records, grouped, ANTHROPIC_COST_DIMS, ("amount",))
            ]

        return self._anthropic_envelope(edges, next_page, results)

    def _anthropic_list(self, items: list[dict], query: Query) -> dict:
        limit = query.int("limit", 20)
        if not 1 <= limit <= 1000:
            raise ApiError(400, f"limit: must be between 1 and 1000, got {limit}.", param="limit")
        after, before = query.get("after_id") or None, query.get("before_id") or None
        page, has_more = _list_page(items, limit, after, before, "after_id")
        return {
            "data": page,
            "has_more": has_more,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        }

    def _anthropic_workspaces(self, query: Query) -> dict:
        archived = query.bool("include_archived", False)
        items = [
            {
                "id": w.id,
                "type": "workspace",
                "name": w.name,
                "created_at": _iso_z(w.created, dtime(9, 30, 0, 123456)),
                "archived_at": None if w.archived is None else _iso_z(w.archived, dtime(17, 0)),
                "display_color": w.display_color,
            }
            for w in self.org.anthropic_workspaces
            if w.id is not None and (archived or w.archived is None)
        ]
        return self._anthropic_list(items, query)

    def _anthropic_keys(self, query: Query) -> dict:
        workspace = query.get("workspace_id")
        archived = {w.id: w.archived for w in self.org.anthropic_workspaces}
        items = [
            {
                "id": k.id,
                "type": "api_key",
                "name": k.name,
                "partial_key_hint": "sk-ant-api03-****" + k.id[-4:],
                "status": "archived" if archived.get(k.owner) else "active",
                "workspace_id": k.owner,
                "created_at": _iso_z(k.created, dtime(10, 0)),
                "created_by": {"id": "user_01DanaWq8Lm2Xk5Zr3Vb9N", "type": "user"},
                "expires_at": None,
            }
            for k in self.org.anthropic_keys
            if workspace is None or k.owner == workspace
        ]
        return self._anthropic_list(items, query)


def fault_response(vendor: str, kind: str, retry_after: float) -> Response:
    """The error response of an injected fault, in the vendor's envelope."""
    if kind == "429":
        wait = f"{retry_after:g}"
        if vendor == "anthropic":
            message = "Number of requests has exceeded your rate limit. Please try again later."
            resp = anthropic_error(429, "rate_limit_error", message)
        else:
            message = f"Rate limit reached for requests. Please try again in {wait}s."
            resp = openai_error(429, message, kind="requests", code="rate_limit_exceeded")
        resp.headers["Retry-After"] = wait
        return resp
    status = int(kind)
    if vendor == "anthropic":
        if status == 529:
            return anthropic_error(529, "overloaded_error", "Overloaded")
        return anthropic_error(status, "api_error", "Internal server error")
    messages = {
        500: "The server had an error while processing your request. Sorry about that!",
        502: "Bad gateway.",
        503: "The server is overloaded or not ready yet.",
        529: "The server is overloaded.",
    }
    return openai_error(status, messages[status], kind="server_error")


def html_response() -> Response:
    """The ``html`` fault: a proxy's sign-in page where the API was expected."""
    return Response(200, content_type="text/html; charset=utf-8", raw=HTML_PAGE)


def _paged_body(response: Response) -> dict | None:
    """The body of a successful paged answer (a JSON object with a ``data`` list and ``has_more``), else None."""
    body = response.body
    if 200 <= response.status < 300 and response.raw is None and isinstance(body, dict):
        if isinstance(body.get("data"), list) and "has_more" in body:
            return body
    return None


def empty_page(response: Response, *, has_more: bool, cursor: str | None) -> Response:
    """A successful paged answer emptied: ``data: []``, the given ``has_more``, and ``cursor`` as the only way
    on (``next_page`` = ``"page_" + cursor`` on the reports, ``last_id`` = ``cursor`` on the lists; None for
    no cursor). Any other answer (an error, a single object) is returned unchanged."""
    body = _paged_body(response)
    if body is None:
        return response
    body = {**body, "data": [], "has_more": has_more}
    if "next_page" in body:
        body["next_page"] = None if cursor is None else "page_" + cursor
    else:
        body["first_id"] = None
        body["last_id"] = cursor
    return Response(response.status, body, dict(response.headers))


def without_cached_field(response: Response) -> Response:
    """The ``no_cached_field`` fault: every completions usage result without its ``input_cached_tokens`` key."""
    body = _paged_body(response)
    if body is None:
        return response
    buckets = [
        {**b, "results": [{k: v for k, v in r.items() if k != "input_cached_tokens"} for r in b.get("results", [])]}
        if isinstance(b, dict)
        else b
        for b in body["data"]
    ]
    return Response(response.status, {**body, "data": buckets}, dict(response.headers))


def strip_endless_cursors(raw_query: str) -> tuple[str, bool]:
    """The query without the cursors the ``endless_cursor`` fault handed out, and whether there were any."""
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not (k in CURSOR_PARAMS and ENDLESS_CURSOR.fullmatch(v))]
    if len(kept) == len(pairs):
        return raw_query, False
    return urlencode(kept), True


# ---------------------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    emulator: "EmulatorServer"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "finops-emulator/1.0"
    timeout = 60  # idle keep-alive connections are dropped after this
    disable_nagle_algorithm = True  # headers and body go out as separate writes: don't wait for ACKs

    def do_GET(self) -> None:
        self.server.emulator._serve(self, "GET")

    def do_HEAD(self) -> None:
        self.server.emulator._serve(self, "HEAD")

    def do_POST(self) -> None:
        self.server.emulator._serve(self, "POST")

    do_PUT = do_PATCH = do_DELETE = do_POST

    def log_message(self, format: str, *args) -> None:  # quiet: the request log is on the server object
        pass


class EmulatorServer:
    """The emulator on a background thread.

    >>> with EmulatorServer(faults="429x1") as emu:   # doctest: +SKIP
    ...     requests.get(emu.openai_base_url + "/organization/projects", headers=...)
    """

    def __init__(
        self,
        org: SimulatedOrg | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultSpec | str | None = None,
        openai_key: str = DEFAULT_OPENAI_KEY,
        anthropic_key: str = DEFAULT_ANTHROPIC_KEY,
    ) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError(f"The emulator only binds to the loopback interface (127.0.0.1), not {host!r}.")
        self.org = org if org is not None else SimulatedOrg()
        self.host = "127.0.0.1"
        self._port = int(port)
        self.faults = FaultSpec.parse(faults)
        self._injector = FaultInjector(self.faults)
        self.openai_key = openai_key
        self.anthropic_key = anthropic_key
        self.app = EmulatorApp(self.org, openai_key, anthropic_key)
        self.app.request_log = lambda: self.requests
        self._log: list[dict] = []
        self._log_lock = threading.Lock()
        self._request_ids = 0
        self._endless_pages = 0  # numbers the endless_cursor fault's cursors
        self._endless_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> "EmulatorServer":
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self._port), _Handler)
        httpd.emulator = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"emulator:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("The emulator is not running: call start() first.")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return self.url + OPENAI_PREFIX

    @property
    def anthropic_base_url(self) -> str:
        return self.url + ANTHROPIC_PREFIX

    @property
    def requests(self) -> list[dict]:
        """The request log (a copy): method, path, query (secrets redacted), status, fault. Requests to
        ``/_emulator/`` paths are not logged."""
        with self._log_lock:
            return [dict(entry) for entry in self._log]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    # -- one request ----------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path, raw_query = parts.path, parts.query
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        internal = path.startswith("/_emulator")
        vendor = "anthropic" if path.startswith(ANTHROPIC_PREFIX) else "openai"
        fault = None if internal else self._injector.next_fault()
        if fault == "slow":
            time.sleep(self.faults.slow_seconds)
        if fault in ERROR_KINDS:
            response = fault_response(vendor, fault, self.faults.retry_after)
        elif fault == "html":
            response = html_response()
        else:
            app_query, endless = raw_query, False
            if not internal and self.faults.uses("endless_cursor"):  # take back the cursors it handed out
                app_query, endless = strip_endless_cursors(raw_query)
            try:
                response = self.app.handle(method, path, app_query, handler.headers)
            except Exception as exc:  # a bug in the emulator: answer 500 in the vendor's envelope, say what
                message = f"Emulator error: {type(exc).__name__}: {exc}"
                if vendor == "anthropic":
                    response = anthropic_error(500, "api_error", message)
                else:
                    response = openai_error(500, message, kind="server_error")
            response = self._rewrite(fault, path, response, endless)
        body = response.payload()
        close = False
        if fault == "truncate":
            body, close = body[: len(body) // 2], True
        with self._log_lock:
            self._request_ids += 1
            request_id = f"req_emu{self._request_ids:08d}"
            if not internal:
                entry = {"method": method, "path": path, "query": _redact(raw_query), "status": response.status}
                self._log.append({**entry, "fault": fault})
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", response.content_type)
            if fault != "html":  # a web page in front of the API does not carry the vendor's request id
                handler.send_header("request-id" if vendor == "anthropic" else "x-request-id", request_id)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            if close:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            if method != "HEAD":
                handler.wfile.write(body)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def _rewrite(self, fault: str | None, path: str, response: Response, endless: bool) -> Response:
        """Apply the faults that alter a handler's answer; ``endless``: the request carried an endless cursor."""
        if fault == "no_cursor":
            return empty_page(response, has_more=True, cursor=None)
        if fault == "endless_cursor":
            if _paged_body(response) is None:
                return response
            with self._endless_lock:
                self._endless_pages += 1
                n = self._endless_pages
            return empty_page(response, has_more=True, cursor=f"endless_{n}")
        if endless:  # the endless streak is over: the cursor leads to an empty last page
            response = empty_page(response, has_more=False, cursor=None)
        if fault == "no_cached_field" and path.rstrip("/") == OPENAI_PREFIX + "/organization/usage/completions":
            return without_cached_field(response)
        return response


def _redact(raw_query: str) -> str:
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    return urlencode([(k, "REDACTED" if k.lower() in REDACTED_QUERY_NAMES else v) for k, v in pairs])


def serve(
    port: int = 0,
    seed: int = 42,
    faults: FaultSpec | str | None = None,
    *,
    out: TextIO | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run the emulator until Ctrl-C (or until ``stop`` is set); print the base URLs and keys first.

    Returns the process exit code. Raises ``ValueError`` for an invalid fault spec and ``OSError`` when the
    port cannot be bound, each with a one-sentence message.
    """
    out = out or sys.stdout
    spec = FaultSpec.parse(faults)
    try:
        server = EmulatorServer(SimulatedOrg(seed=seed), port=port, faults=spec).start()
    except OSError as exc:
        raise OSError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}.") from None
    stop = stop or threading.Event()
    try:  # entered before the first line is printed, so a Ctrl-C right after it still stops cleanly
        print(f"OPENAI_BASE_URL={server.openai_base_url}", file=out)
        print(f"OPENAI_ADMIN_KEY={server.openai_key}", file=out)
        print(f"ANTHROPIC_BASE_URL={server.anthropic_base_url}", file=out)
        print(f"ANTHROPIC_ADMIN_KEY={server.anthropic_key}", file=out)
        status = f"Emulator running on {server.url} (seed {seed}, faults: {spec.describe()}); press Ctrl-C to stop."
        print(status, file=out, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("Emulator stopped.", file=out, flush=True)
    return 0
