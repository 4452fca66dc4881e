"""Langfuse's public API over the simulated organisation: ``GET /api/public/v2/observations``, serving the
requests of log ``langfuse`` (the Anthropic key ``langfuse-app``, traced with Langfuse) as observations.

Everything is confirmed from Langfuse's own source (langfuse/langfuse, HEAD of 2026-08-22):

* Route ``web/src/pages/api/public/v2/observations/index.ts``: the answer is ``{"data": [...], "meta": {}}``,
  with ``meta.cursor`` only when more results exist (it fetches ``limit + 1``); the cursor is base64 of the
  JSON ``{"lastStartTimeTo": <ISO>, "lastTraceId": ..., "lastId": ...}`` of the page's last item
  (``encodeCursor`` in ``web/src/features/public-api/types/observations.ts``); an undecodable cursor is a 400
  "Invalid cursor format".
* Query (``GetObservationsV2Query``, same file): ``limit`` 0..1000, default 50; ``fields`` a comma-separated
  list of field groups (unknown ones dropped; default ``core,basic`` per
  ``packages/shared/src/server/repositories/events.ts``); filters ``type``, ``userId``, ``sessionId``,
  ``traceId``, ``level``, ``environment``, ``fromStartTime`` (inclusive), ``toStartTime`` (exclusive).
  Order: ``start_time DESC, xxHash32(trace_id) DESC, span_id DESC`` (``orderByForObservationsQuery``); here the
  trace id itself stands in for its hash (the cursor is opaque to clients).
* Item (``APIObservationV2``): core ``id``, ``traceId``, ``startTime``, ``endTime``, ``projectId``,
  ``parentObservationId``, ``type``; basic ``isRootObservation``, ``name``, ``level``, ``statusMessage``,
  ``version``, ``environment``, ``bookmarked``, ``public``, ``userId``, ``sessionId``; time
  ``completionStartTime``, ``createdAt``, ``updatedAt``; io ``input``, ``output`` (raw strings); metadata
  ``metadata``; model ``providedModelName``, ``internalModelId``, ``modelParameters``; usage ``usageDetails``
  (key -> integer), ``costDetails`` (key -> USD number), ``totalCost``, ``usagePricingTierName``; prompt
  ``promptId``, ``promptName``, ``promptVersion``; metrics ``latency``, ``timeToFirstToken`` (seconds);
  trace_context ``traceName``, ``tags``, ``release``; always ``modelId``, ``inputPrice``, ``outputPrice``,
  ``totalPrice`` (null unless the model group is asked for; prices as strings).
* ``usageDetails`` as Langfuse stores an Anthropic generation ingested over OpenTelemetry (the Vercel AI SDK
  path of ``packages/shared/src/server/otel/OtelIngestionProcessor.ts``): ``input`` is the prompt LESS the
  cache reads and writes, ``input_cached_tokens`` the cache reads, ``input_cache_creation_5m`` /
  ``input_cache_creation_1h`` the writes by TTL with ``input_cache_creation`` the unsplit rest (0 here),
  ``output`` (less reasoning; none for these models), ``total`` the SDK's total. Disjoint buckets, each priced
  on its own; ``costDetails`` has the same keys plus ``total`` (Langfuse's own pricing of each key).
* Errors (``web/src/features/public-api/server/withMiddlewares.ts``): ``{"message": ..., "error": <name>}``;
  a refused key: 401 ``{"message": ...}``. Auth is HTTP Basic, public key as user, secret key as password.

A failed call is ``level: "ERROR"`` with a ``statusMessage``, no usage and ``totalCost`` 0. Every generation
has a parent SPAN (the traced agent step, same start), so ``type=GENERATION`` matters. Metadata carries
``team`` and ``feature`` and a logged ``authorization`` header holding a FAKE key (``sk-ant-api03-fake...``),
which must never reach the warehouse; the trace's tags are ``team:<t>``, ``feature:<f>``, ``env:prod``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from emulator.api import ApiError, Request, Response, parse_rfc3339
from emulator.org import SimulatedOrg
from emulator.plugin import ApiPlugin, Handler
from emulator.pricing import EXACT
from emulator.requests import LoggedRequest, logged_requests

if TYPE_CHECKING:
    from connectors.source import Source

OBSERVATIONS = "/api/public/v2/observations"
PUBLIC_KEY = "pk-lf-emulator-fake-public-0000"
SECRET_KEY = "sk-lf-emulator-fake-secret-0000"
PROJECT_ID = "cm-emu-project-0001"
FIELD_GROUPS = ("core", "basic", "time", "io", "metadata", "model", "usage", "prompt", "metrics", "trace_context")
DEFAULT_FIELDS = ("core", "basic")
MAX_LIMIT, DEFAULT_LIMIT = 1000, 50
DEFAULT_DAYS = 7  # the window when fromStartTime is not given
MAX_DAYS = 400
LEVELS = ("DEBUG", "DEFAULT", "WARNING", "ERROR")
FAKE_LOGGED_KEY = "Bearer sk-ant-api03-fake-emulator-key-do-not-use-0000"
# usageDetails key -> LoggedRequest field (Langfuse's OTel mapping, see the module docs)
USAGE_KEYS = (
    ("input", "input_tokens"),
    ("input_cached_tokens", "cache_read_tokens"),
    ("input_cache_creation_5m", "cache_write_tokens"),
    ("input_cache_creation_1h", "cache_write_1h_tokens"),
    ("output", "output_tokens"),
)


def iso_ms(ts: datetime) -> str:
    """JavaScript's ``Date.toISOString()``: ``2026-11-20T23:59:59.951Z``."""
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hex(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def usage_details(r: LoggedRequest) -> dict[str, int]:
    if r.status != "success":
        return {}
    details = {key: getattr(r, field) for key, field in USAGE_KEYS}
    details["input_cache_creation"] = 0  # the unsplit rest of the cache writes: all are split by TTL
    details["total"] = r.prompt_tokens + r.output_tokens
    return details


def cost_details(org: SimulatedOrg, r: LoggedRequest) -> dict[str, Decimal]:
    """Langfuse's cost per usage key and ``total``: the emulator's list price of each bucket, scaled so that
    ``total`` is the reported cost (the deliberate wrong cost is wrong in every bucket). Empty when unpriced."""
    if r.status != "success" or r.list_cost_usd is None or r.reported_cost_usd is None:
        return {}
    tier = 200_000 if r.prompt_tokens > 200_000 else 0
    out: dict[str, Decimal] = {}
    with localcontext(EXACT):
        factor = r.reported_cost_usd / r.list_cost_usd if r.list_cost_usd else Decimal(1)
        for key, field in USAGE_KEYS:
            qty = getattr(r, field)
            price = org.prices.unit_price(r.provider, r.model_id, field, r.service_tier, tier, r.usage_date)
            if price is None:
                if qty:
                    return {}
                continue
            out[key] = price.cost(qty) * factor
        out["total"] = sum(out.values(), Decimal(0))
    return out


def observations(org: SimulatedOrg, r: LoggedRequest) -> list[dict]:
    """The trace's SPAN and its GENERATION, with every field group (the handler keeps the asked ones)."""
    trace_id = _hex("trace" + r.request_id, 32)
    span_id, generation_id = _hex("span" + r.request_id, 16), r.request_id
    ok = r.status == "success"
    costs = cost_details(org, r)
    tags = [f"team:{r.team}", f"feature:{r.feature}", "env:prod"]
    common = {
        "traceId": trace_id,
        "startTime": iso_ms(r.started_at),
        "projectId": PROJECT_ID,
        "isRootObservation": False,
        "version": None,
        "environment": "production",
        "bookmarked": False,
        "public": False,
        "userId": r.user_id,
        "sessionId": r.session_id,
        "completionStartTime": None,
        "createdAt": iso_ms(r.ended_at + timedelta(seconds=2)),
        "updatedAt": iso_ms(r.ended_at + timedelta(seconds=3)),
        "promptId": None,
        "promptName": None,
        "promptVersion": None,
        "timeToFirstToken": None,
        "traceName": r.feature,
        "tags": tags,
        "release": "2026.11.1",
    }
    span = {
        **common,
        "id": span_id,
        "endTime": iso_ms(r.ended_at + timedelta(milliseconds=4)),
        "parentObservationId": None,
        "type": "SPAN",
        "isRootObservation": True,
        "name": f"{r.feature}.step",
        "level": "DEFAULT" if ok else "ERROR",
        "statusMessage": None,
        "input": "{}",
        "output": "{}",
        "metadata": {"team": r.team, "feature": r.feature},
        "providedModelName": None,
        "internalModelId": None,
        "modelParameters": None,
        "usageDetails": {},
        "costDetails": {},
        "totalCost": None,
        "usagePricingTierName": None,
        "latency": Decimal(r.latency_ms + 4) / 1000,
    }
    generation = {
        **common,
        "id": generation_id,
        "endTime": iso_ms(r.ended_at),
        "parentObservationId": span_id,
        "type": "GENERATION",
        "name": "ai.generateText.doGenerate",
        "level": "DEFAULT" if ok else "ERROR",
        "statusMessage": None if ok else "429 rate_limit_error: Number of request tokens has exceeded your rate limit",
        "input": '[{"role":"user","content":"(prompt not kept by the emulator)"}]',
        "output": '{"role":"assistant","content":"(completion not kept by the emulator)"}' if ok else None,
        "metadata": {
            "team": r.team,
            "feature": r.feature,
            "gateway_key_alias": r.api_key_alias,
            "authorization": FAKE_LOGGED_KEY,  # a logged request header: must be stripped by the reader
        },
        "providedModelName": r.model,
        "internalModelId": "emu_" + _hex(r.model_id, 20),
        "modelParameters": {"maxTokens": 4096, "temperature": Decimal("0.2")},
        "usageDetails": usage_details(r),
        "costDetails": costs,
        "totalCost": costs.get("total", Decimal(0)) if ok else Decimal(0),
        "usagePricingTierName": "Standard" if costs else None,
        "latency": Decimal(r.latency_ms) / 1000,
    }
    if ok and not costs:
        generation["totalCost"] = None
    return [span, generation]


GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "core": ("id", "traceId", "startTime", "endTime", "projectId", "parentObservationId", "type"),
    "basic": (
        "isRootObservation",
        "name",
        "level",
        "statusMessage",
        "version",
        "environment",
        "bookmarked",
        "public",
        "userId",
        "sessionId",
    ),
    "time": ("completionStartTime", "createdAt", "updatedAt"),
    "io": ("input", "output"),
    "metadata": ("metadata",),
    "model": ("providedModelName", "internalModelId", "modelParameters"),
    "usage": ("usageDetails", "costDetails", "totalCost", "usagePricingTierName"),
    "prompt": ("promptId", "promptName", "promptVersion"),
    "metrics": ("latency", "timeToFirstToken"),
    "trace_context": ("traceName", "tags", "release"),
}


def encode_cursor(item: dict) -> str:
    body = {"lastStartTimeTo": item["startTime"], "lastTraceId": item["traceId"] or "", "lastId": item["id"]}
    return base64.b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def decode_cursor(value: str) -> tuple[str, str, str]:
    try:
        body = json.loads(base64.b64decode(value.encode(), validate=False).decode("utf-8"))
        last = parse_rfc3339("cursor", str(body["lastStartTimeTo"]))
        return iso_ms(last), str(body["lastTraceId"]), str(body["lastId"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError, ApiError):
        raise ApiError(400, "Invalid cursor format", kind="InvalidRequestError") from None


def _sort_key(item: dict) -> tuple[str, str, str]:
    return item["startTime"], item["traceId"] or "", item["id"]


class LangfusePlugin(ApiPlugin):
    name = "langfuse"
    title = "Langfuse public API (v2 observations)"
    prefix = "/langfuse"
    fake_key = SECRET_KEY
    public_key = PUBLIC_KEY
    request_id_header = "x-request-id"

    def route(self, sub: str) -> Handler | None:
        return self.list_observations if sub == OBSERVATIONS else None

    def authenticate(self, request: Request) -> Response | None:
        auth = request.headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            return Response(401, {"message": "No authorization header"})
        expected = base64.b64encode(f"{self.public_key}:{request.key}".encode()).decode()
        if auth[len("Basic ") :].strip() != expected:
            return Response(401, {"message": "Invalid credentials. Confirm that you've configured the correct host."})
        return None

    def error(self, status: int, message: str, kind: str | None = None, **details) -> Response:
        return Response(status, {"message": message, "error": kind or "Error"})

    def api_error(self, exc: ApiError) -> Response:
        kind = exc.kind if exc.kind != "invalid_request_error" else "InvalidRequestError"
        return self.error(exc.status, exc.message, kind)

    def environ(self, source: "Source", base_url: str, key: str) -> dict[str, str]:
        """LANGFUSE_HOST (this plugin's base URL), LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY, in the order
        of the source's ``Connection`` settings (host, public key, secret key)."""
        envs = getattr(source.setting, "envs", ("LANGFUSE_HOST", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"))
        host_env, public_env, secret_env = envs
        return {host_env: base_url, public_env: self.public_key, secret_env: key}

    # -- GET /api/public/v2/observations -------------------------------------------------------------------

    def list_observations(self, request: Request) -> dict:
        q = request.query
        limit = q.int("limit", DEFAULT_LIMIT)
        if not 0 <= limit <= MAX_LIMIT:
            raise ApiError(400, f"Invalid request data: limit must be between 0 and {MAX_LIMIT}", kind="ZodError")
        fields = DEFAULT_FIELDS
        if q.get("fields"):
            fields = tuple(f.strip() for f in (q.get("fields") or "").split(",") if f.strip() in FIELD_GROUPS)
        end = parse_rfc3339("toStartTime", q.get("toStartTime")) if q.get("toStartTime") else request.now
        if q.get("fromStartTime"):
            start = parse_rfc3339("fromStartTime", q.get("fromStartTime"))
        else:
            start = end - timedelta(days=DEFAULT_DAYS)
        if end - start > timedelta(days=MAX_DAYS):
            raise ApiError(400, f"The emulator serves at most {MAX_DAYS} days per query.", kind="InvalidRequestError")
        level = q.get("level")
        if level is not None and level not in LEVELS:
            raise ApiError(400, f"Invalid request data: level must be one of {', '.join(LEVELS)}", kind="ZodError")
        cursor = decode_cursor(q.get("cursor") or "") if q.get("cursor") is not None else None
        wanted = {
            "type": q.get("type"),
            "userId": q.get("userId"),
            "sessionId": q.get("sessionId"),
            "traceId": q.get("traceId"),
            "level": level,
            "environment": q.get("environment"),
        }
        lo, hi = iso_ms(start), iso_ms(end)
        items = []
        day: date = start.date()
        while start < end and day <= (end - timedelta(microseconds=1)).date():
            for r in logged_requests(request.org, day, self.name):
                for item in observations(request.org, r):
                    if not lo <= item["startTime"] < hi:
                        continue
                    if any(v is not None and item.get(k) != v for k, v in wanted.items()):
                        continue
                    if cursor is not None and _sort_key(item) >= cursor:
                        continue
                    items.append(item)
            day += timedelta(days=1)
        items.sort(key=_sort_key, reverse=True)
        page = items[:limit]
        keep = tuple(name for group in ("core", *fields) for name in GROUP_FIELDS[group])
        enrich = "model" in fields
        data = []
        for item in page:
            out = {name: item.get(name) for name in dict.fromkeys(keep)}
            out.update(
                modelId=item["internalModelId"] if enrich else None, inputPrice=None, outputPrice=None, totalPrice=None
            )
            data.append(out)
        meta = {"cursor": encode_cursor(page[-1])} if len(items) > limit and page else {}
        return {"data": data, "meta": meta}


PLUGIN = LangfusePlugin()
