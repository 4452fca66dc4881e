"""Anthropic Admin API: messages usage report, cost report and workspaces (provider-apis.md section 2).

The base URL follows the Anthropic SDK convention: no ``/v1`` (``https://api.anthropic.com``), and paths
are ``v1/organizations/...``. Auth is ``x-api-key: <admin key>`` plus ``anthropic-version``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from connectors._http import USER_AGENT, HttpClient, typed_row
from connectors.errors import AuthError, Hints
from connectors.schema import ANTHROPIC_COST_REPORT, ANTHROPIC_MESSAGES_USAGE, ANTHROPIC_WORKSPACES, RawTable
from connectors.windows import check_window, parse_ts, rfc3339

SOURCE = "anthropic"
DEFAULT_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"

MESSAGES_USAGE_PATH = "v1/organizations/usage_report/messages"
COST_REPORT_PATH = "v1/organizations/cost_report"
WORKSPACES_PATH = "v1/organizations/workspaces"

MESSAGES_GROUP_BY = ("model", "workspace_id", "api_key_id", "service_tier", "context_window", "inference_geo")
COST_GROUP_BY = ("workspace_id", "description")
PAGE_BUCKETS = 31  # the max for bucket_width=1d on both reports
WORKSPACES_PAGE_SIZE = 100

HINTS = Hints(
    key_env="ANTHROPIC_ADMIN_KEY",
    key_help="an admin key (sk-ant-admin...) from Claude Console > Settings > Admin keys",
    base_url_env="ANTHROPIC_BASE_URL",
    base_url_rule="it must not end in /v1, e.g. https://api.anthropic.com",
)

# Result fields landed under the same name (the nested ones are flattened by hand below).
_FLAT_USAGE_FIELDS = (
    "workspace_id",
    "api_key_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
)
_COST_FIELDS = tuple(
    c for c in ANTHROPIC_COST_REPORT.column_names if c not in ("bucket_start", "bucket_end", "amount_cents")
)

def _bucket_page_problem(page: dict[str, Any]) -> str | None:
    """What is wrong with a report page envelope, or None."""
    data = page.get("data")
    if not isinstance(data, list):
        return "no 'data' list"
    for i, bucket in enumerate(data):
        if not isinstance(bucket, dict):
            return f"data[{i}] is not an object"
        for key in ("starting_at", "ending_at"):
            if not bucket.get(key):
                return f"data[{i}] has no '{key}'"
        if not isinstance(bucket.get("results"), list):
            return f"data[{i}] has no 'results' list"
        if not all(isinstance(r, dict) for r in bucket["results"]):
            return f"data[{i}].results holds a non-object"
    return None


def _list_page_problem(page: dict[str, Any]) -> str | None:
    data = page.get("data")
    if not isinstance(data, list):
        return "no 'data' list"
    if not all(isinstance(item, dict) for item in data):
        return "'data' holds a non-object"
    return None


def _nested(result: dict[str, Any], parent: str, child: str) -> Any:
    container = result.get(parent)
    return container.get(child) if isinstance(container, dict) else None


class AnthropicAdminClient:
    """Reads the Anthropic organization Usage and Cost API with an admin key.

    ``http_kwargs`` go to :class:`connectors._http.HttpClient` (``timeout``, ``max_retries``,
    ``max_retry_delay``, ``sleep``, ``session``, ``jitter``, ``clock``).
    """

    source = SOURCE

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, **http_kwargs: Any) -> None:
        key = (api_key or "").strip()
        if not key:
            raise AuthError(f"{SOURCE}: no admin key was given; {HINTS.key_fix}.", source=SOURCE)
        secrets = (key, *http_kwargs.pop("secrets", ()))
        self._http = HttpClient(
            base_url or DEFAULT_BASE_URL,
            {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION, "User-Agent": USER_AGENT},
            source=SOURCE,
            secrets=secrets,
            hints=HINTS,
            **http_kwargs,
        )

    @property
    def http(self) -> HttpClient:
        return self._http

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AnthropicAdminClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows the key
        return f"AnthropicAdminClient(base_url={self._http.base_url!r})"

    # -- endpoints ---------------------------------------------------------------------------------------

    def iter_messages_usage(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_messages_usage`` for the UTC days ``[start, end)``, one per result."""
        for bucket, result in self._iter_results(MESSAGES_USAGE_PATH, start, end, MESSAGES_GROUP_BY):
            values = {name: result.get(name) for name in _FLAT_USAGE_FIELDS}
            values["cache_creation_5m_input_tokens"] = _nested(result, "cache_creation", "ephemeral_5m_input_tokens")
            values["cache_creation_1h_input_tokens"] = _nested(result, "cache_creation", "ephemeral_1h_input_tokens")
            values["web_search_requests"] = _nested(result, "server_tool_use", "web_search_requests")
            yield self._row(ANTHROPIC_MESSAGES_USAGE, MESSAGES_USAGE_PATH, bucket, values, result)

    def iter_cost_report(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_cost_report`` (``amount_cents``: exact Decimal, in cents)."""
        for bucket, result in self._iter_results(COST_REPORT_PATH, start, end, COST_GROUP_BY):
            values = {name: result.get(name) for name in _COST_FIELDS}
            values["amount_cents"] = result.get("amount")
            yield self._row(ANTHROPIC_COST_REPORT, COST_REPORT_PATH, bucket, values, result)

    def iter_workspaces(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_workspaces``: every workspace, archived ones included."""
        params = {"include_archived": True, "limit": WORKSPACES_PAGE_SIZE}
        pages = self._http.paginate_list(WORKSPACES_PATH, params, cursor_param="after_id", validate=_list_page_problem)
        for page in pages:
            for item in page["data"]:
                values = {name: item.get(name) for name in ANTHROPIC_WORKSPACES.column_names}
                yield self._typed(ANTHROPIC_WORKSPACES, WORKSPACES_PATH, values, item)

    # -- helpers -----------------------------------------------------------------------------------------

    def _iter_results(
        self, path: str, start: date | datetime, end: date | datetime, group_by: tuple[str, ...]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(bucket, result) pairs of a report endpoint, for whole UTC days, paging lazily."""
        start_d, end_d = check_window(start, end)
        params = [
            ("starting_at", rfc3339(start_d)),
            ("ending_at", rfc3339(end_d)),  # exclusive
            ("bucket_width", "1d"),
            ("limit", PAGE_BUCKETS),
            *(("group_by[]", g) for g in group_by),
        ]
        window = (datetime.combine(start_d, time.min), datetime.combine(end_d, time.min))
        pages = self._http.paginate(path, params, cursor_param="page", validate=_bucket_page_problem)
        for page in pages:
            for bucket in page["data"]:
                if not _starts_within(bucket["starting_at"], window):
                    # Landing replaces whole days: a bucket outside the window would duplicate another day's rows.
                    self._http.emit(
                        logging.WARNING,
                        f"GET {self._http.path_of(path)}: skipped a bucket starting at {bucket['starting_at']!r:.40}, "
                        f"outside the requested window",
                    )
                    continue
                for result in bucket["results"]:
                    yield bucket, result

    def _row(
        self, table: RawTable, path: str, bucket: dict[str, Any], values: dict[str, Any], raw: dict[str, Any]
    ) -> dict[str, Any]:
        values = {"bucket_start": bucket["starting_at"], "bucket_end": bucket["ending_at"], **values}
        return self._typed(table, path, values, raw)

    def _typed(self, table: RawTable, path: str, values: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
        try:
            return typed_row(table, values, raw)
        except ValueError as exc:
            raise self._http.shape_error(path, str(exc)) from None


def _starts_within(starting_at: Any, window: tuple[datetime, datetime]) -> bool:
    try:
        ts = parse_ts(starting_at)
    except ValueError:
        return True  # let typed_row report the bad value
    return window[0] <= ts < window[1]
