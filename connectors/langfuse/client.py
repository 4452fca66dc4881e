"""Langfuse public API: the GENERATION observations of a project (provider-apis.md section 7.3).

Everything here is confirmed from Langfuse's own source (langfuse/langfuse, read 2026-08):

* ``fern/apis/server/definition/observations.yml``: ``GET /api/public/v2/observations`` with ``type``,
  ``fromStartTime`` (inclusive) and ``toStartTime`` (exclusive: "before this datetime"), ISO 8601; ``limit``
  (max 1000, default 50); ``cursor`` from ``meta.cursor``, which is absent when there are no more results;
  ``fields``: comma-separated field groups (core is always returned).
* ``web/src/pages/api/public/v2/observations/index.ts``: the route answers ``{"data": [...], "meta": {}}`` on
  the last page and ``{"data": [...], "meta": {"cursor": "<base64>"}}`` before it; it answers 404 unless the
  server runs in Langfuse v4 mode ("The observations v2 API is only available in a Langfuse v4 write mode").
  We use v2 (the brief's choice, Langfuse's "real-time read path"); the v1 list endpoint is not used.
* Auth: HTTP Basic, public key as user name and secret key as password (the Python SDK's
  ``core/client_wrapper.py`` builds ``httpx.BasicAuth(public_key, secret_key)``).

The host is ``LANGFUSE_HOST`` as the Langfuse SDKs take it (``https://cloud.langfuse.com``, no ``/api``).
The secret key and the Basic header are secrets of the HTTP client: never in a log line or a message.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.client import SourceClient
from connectors.credentials import is_credential_name
from connectors.errors import AuthError, ConnectorError, Hints, NotFoundError, ResponseShapeError
from connectors.http import USER_AGENT, public_url, redact
from connectors.langfuse.tables import LANGFUSE_GENERATIONS
from connectors.pagination import Bounds, iter_pages
from connectors.schema import typed_row
from connectors.windows import check_window, day_span, rfc3339

SOURCE = "langfuse"
DEFAULT_HOST = "https://cloud.langfuse.com"
OBSERVATIONS_PATH = "api/public/v2/observations"
PAGE_LIMIT = 1000  # the API's max
# Every field group that carries what a request line needs; not ``io`` (prompts and completions: large, and
# not ours to copy). ``core`` is always returned.
FIELD_GROUPS = ("core", "basic", "time", "metadata", "model", "usage", "prompt", "metrics", "trace_context")

HOST_ENV, PUBLIC_KEY_ENV, SECRET_KEY_ENV = "LANGFUSE_HOST", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"
HINTS = Hints(
    key_env=f"{PUBLIC_KEY_ENV} and {SECRET_KEY_ENV}",
    key_help="the API key pair of the Langfuse project (pk-lf-... and sk-lf-..., Project settings > API keys)",
    base_url_env=HOST_ENV,
    base_url_rule="the Langfuse host the SDKs use, without /api, e.g. https://cloud.langfuse.com",
)

# API field -> column, for the columns that are the API's field under another name.
_FIELDS = {
    "traceId": "trace_id",
    "startTime": "start_time",
    "endTime": "end_time",
    "projectId": "project_id",
    "parentObservationId": "parent_observation_id",
    "statusMessage": "status_message",
    "userId": "user_id",
    "sessionId": "session_id",
    "completionStartTime": "completion_start_time",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "providedModelName": "provided_model_name",
    "internalModelId": "internal_model_id",
    "modelParameters": "model_parameters",
    "usageDetails": "usage_details",
    "costDetails": "cost_details",
    "totalCost": "total_cost",
    "usagePricingTierName": "usage_pricing_tier_name",
    "promptName": "prompt_name",
    "promptVersion": "prompt_version",
    "latency": "latency_seconds",
    "timeToFirstToken": "time_to_first_token_seconds",
    "modelId": "model_id",
    "traceName": "trace_name",
}
_SAME = ("id", "type", "name", "level", "version", "environment", "metadata", "tags", "release")
_JSON_COLUMNS = tuple(name for name, sql_type in LANGFUSE_GENERATIONS.columns if sql_type == "JSON")
# typed_row converts scalars; the JSON columns arrive as JSON text, so they are typed as text here.
_AS_TEXT = replace(
    LANGFUSE_GENERATIONS,
    columns=tuple((n, "VARCHAR" if t == "JSON" else t) for n, t in LANGFUSE_GENERATIONS.columns),
)


def strip_secrets(value: Any) -> Any:
    """``value`` without the object keys that look like they hold a credential (connectors.credentials), at any
    depth; strings that look like provider keys (``sk-...``) redacted. For metadata and model parameters, the
    caller's free-form objects: a logged request's headers or keys (LiteLLM's Langfuse callback logs
    ``user_api_key``, OTel spans may carry HTTP headers) are dropped."""
    if isinstance(value, dict):
        return {k: strip_secrets(v) for k, v in value.items() if not is_credential_name(k)}
    if isinstance(value, list):
        return [strip_secrets(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):  # parse_float=Decimal: a float when it says the same digits, else the digits
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=_json_number, sort_keys=True)


@dataclass(frozen=True)
class _MetaCursor:
    """The v2 cursor strategy for connectors.pagination.iter_pages: pages are re-shaped by ``_get_page`` to
    carry ``has_more`` (a ``meta.cursor`` is present) and ``next`` (that cursor)."""

    param: str = "cursor"
    has_more_field: str = "has_more"
    data_field: str = "data"

    def next_cursor(self, page: dict[str, Any]) -> Any:
        return page.get("next")


def page_problem(body: Any) -> str | None:
    """What is wrong with a v2 observations page, or None."""
    if not isinstance(body, dict):
        return "not a JSON object"
    if not isinstance(body.get("data"), list):
        return "no 'data' list"
    for i, item in enumerate(body["data"]):
        if not isinstance(item, dict):
            return f"data[{i}] is not an object"
        if not item.get("id") or not item.get("startTime"):
            return f"data[{i}] has no 'id' or 'startTime'"
    meta = body.get("meta")
    if meta is not None and not isinstance(meta, dict):
        return "'meta' is not an object"
    cursor = (meta or {}).get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        return "'meta.cursor' is not a string"
    return None


class LangfuseClient(SourceClient):
    """Reads a Langfuse project's generations with its public and secret key."""

    source = SOURCE
    default_base_url = DEFAULT_HOST
    hints = HINTS

    def __init__(self, host: str | None, public_key: str | None, secret_key: str | None, **http_kwargs: Any) -> None:
        public = (public_key or "").strip()
        secret = (secret_key or "").strip()
        missing = [env for env, value in ((PUBLIC_KEY_ENV, public), (SECRET_KEY_ENV, secret)) if not value]
        if missing:
            raise AuthError(
                f"{SOURCE}: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set; set "
                f"{HINTS.key_fix.removeprefix('set ')}.",
                source=SOURCE,
            )
        self._basic = base64.b64encode(f"{public}:{secret}".encode()).decode("ascii")
        secrets = (secret, self._basic, *http_kwargs.pop("secrets", ()))
        super().__init__(secret, (host or "").strip() or None, secrets=secrets, **http_kwargs)

    def _auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Basic {self._basic}", "User-Agent": USER_AGENT}

    # -- generations ---------------------------------------------------------------------------------------

    def iter_generations(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.langfuse_generations``: every GENERATION whose startTime is in the UTC days
        ``[start, end)``, all pages."""
        start_d, end_d = check_window(start, end)
        params = [
            ("type", "GENERATION"),
            ("fromStartTime", rfc3339(start_d)),
            ("toStartTime", rfc3339(end_d)),
            ("fields", ",".join(FIELD_GROUPS)),
            ("limit", PAGE_LIMIT),
        ]
        http = self._http
        scope = day_span(start_d, end_d)

        def paging_error(problem: str, rid: str | None) -> ConnectorError:
            return ResponseShapeError(
                http.redact(
                    f"{SOURCE}: the API's pages at {http.path_of(OBSERVATIONS_PATH)} for {scope} cannot be trusted "
                    f"({problem}); stopped and loaded nothing of it, run again later or report this to Langfuse."
                ),
                source=SOURCE,
                url=public_url(http.url_for(OBSERVATIONS_PATH)),
            )

        pages = iter_pages(
            self._get_page,
            params,
            _MetaCursor(),
            bounds=Bounds(scope=scope),
            validate=None,  # _get_page checks each body before re-shaping it
            shape_error=lambda problem, rid: http.shape_error(OBSERVATIONS_PATH, problem, rid),
            paging_error=paging_error,
            monotonic=http._monotonic,
        )
        for page in pages:
            for item in page["data"]:
                yield self._row(item)

    def _get_page(self, query: list[tuple[str, Any]]) -> tuple[dict[str, Any], None]:
        try:
            body = self._http.get_json(OBSERVATIONS_PATH, query)
        except NotFoundError as exc:
            raise NotFoundError(
                self._http.redact(
                    f"{SOURCE}: HTTP 404 at {exc.url or self._http.path_of(OBSERVATIONS_PATH)}; check {HOST_ENV} "
                    "(the Langfuse host, without /api, e.g. https://cloud.langfuse.com), and that the server is "
                    "Langfuse v4 or Langfuse Cloud: self-hosted Langfuse serves the v2 observations API only "
                    "in its v4 mode."
                ),
                source=SOURCE,
                status=404,
                request_id=exc.request_id,
                url=exc.url,
            ) from None
        except AuthError as exc:
            raise AuthError(
                self._http.redact(
                    f"{SOURCE}: the project's API keys were refused (HTTP {exc.status}) at "
                    f"{self._http.path_of(OBSERVATIONS_PATH)}; {HINTS.key_fix}, and check that {HOST_ENV} is the "
                    "host (region) of that project."
                ),
                source=SOURCE,
                status=exc.status,
                request_id=exc.request_id,
                url=exc.url,
            ) from None
        problem = page_problem(body)
        if problem:
            raise self._http.shape_error(OBSERVATIONS_PATH, problem)
        cursor = (body.get("meta") or {}).get("cursor")
        return {"data": body["data"], "has_more": bool(cursor), "next": cursor}, None

    def _row(self, item: dict[str, Any]) -> dict[str, Any]:
        raw = {**item}
        for field in ("metadata", "modelParameters"):
            if field in raw:
                raw[field] = strip_secrets(raw[field])
        values = {column: raw.get(field) for field, column in _FIELDS.items()}
        values.update({name: raw.get(name) for name in _SAME})
        for column in _JSON_COLUMNS:
            values[column] = json_text(values[column])
        try:
            return typed_row(_AS_TEXT, values, raw)
        except ValueError as exc:
            raise self._http.shape_error(
                OBSERVATIONS_PATH, f"observation {str(item.get('id'))[:60]!r}: {exc}"
            ) from None
