"""Anthropic Admin API: messages usage report, cost report, workspaces and API keys (provider-apis.md section 2).

The base URL follows the Anthropic SDK convention: no ``/v1`` (``https://api.anthropic.com``), and paths
are ``v1/organizations/...``. Auth is ``x-api-key: <admin key>`` plus ``anthropic-version``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from connectors.anthropic.tables import (
    ANTHROPIC_API_KEYS,
    ANTHROPIC_COST_REPORT,
    ANTHROPIC_MESSAGES_USAGE,
    ANTHROPIC_USERS,
    ANTHROPIC_WORKSPACES,
)
from connectors.errors import Hints
from connectors.http import USER_AGENT
from connectors.reports import BucketedReportClient, nested
from connectors.windows import rfc3339

SOURCE = "anthropic"
DEFAULT_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"

MESSAGES_USAGE_PATH = "v1/organizations/usage_report/messages"
COST_REPORT_PATH = "v1/organizations/cost_report"
WORKSPACES_PATH = "v1/organizations/workspaces"
API_KEYS_PATH = "v1/organizations/api_keys"
USERS_PATH = "v1/organizations/users"

MESSAGES_GROUP_BY = ("model", "workspace_id", "api_key_id", "service_tier", "context_window", "inference_geo")
COST_GROUP_BY = ("workspace_id", "description")
PAGE_BUCKETS = 31  # the max for bucket_width=1d on both reports
WORKSPACES_PAGE_SIZE = 100
API_KEYS_PAGE_SIZE = 100

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


class AnthropicAdminClient(BucketedReportClient):
    """Reads the Anthropic organization Usage and Cost API with an admin key."""

    source = SOURCE
    default_base_url = DEFAULT_BASE_URL
    hints = HINTS
    bucket_start_key, bucket_end_key = "starting_at", "ending_at"  # RFC 3339

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, **http_kwargs: Any) -> None:
        super().__init__(api_key, base_url, **http_kwargs)

    def _auth_headers(self, key: str) -> dict[str, str]:
        return {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION, "User-Agent": USER_AGENT}

    def _window_params(self, start: date, end: date) -> list[tuple[str, Any]]:
        return [("starting_at", rfc3339(start)), ("ending_at", rfc3339(end))]  # ending_at exclusive

    # -- endpoints ---------------------------------------------------------------------------------------

    def iter_messages_usage(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_messages_usage`` for the UTC days ``[start, end)``, one per result."""
        for bucket, result in self._iter_results(MESSAGES_USAGE_PATH, start, end, PAGE_BUCKETS, MESSAGES_GROUP_BY):
            values = {name: result.get(name) for name in _FLAT_USAGE_FIELDS}
            values["cache_creation_5m_input_tokens"] = nested(result, "cache_creation", "ephemeral_5m_input_tokens")
            values["cache_creation_1h_input_tokens"] = nested(result, "cache_creation", "ephemeral_1h_input_tokens")
            values["web_search_requests"] = nested(result, "server_tool_use", "web_search_requests")
            yield self._row(ANTHROPIC_MESSAGES_USAGE, MESSAGES_USAGE_PATH, bucket, values, result)

    def iter_cost_report(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_cost_report`` (``amount_cents``: exact Decimal, in cents)."""
        for bucket, result in self._iter_results(COST_REPORT_PATH, start, end, PAGE_BUCKETS, COST_GROUP_BY):
            values = {name: result.get(name) for name in _COST_FIELDS}
            values["amount_cents"] = result.get("amount")
            yield self._row(ANTHROPIC_COST_REPORT, COST_REPORT_PATH, bucket, values, result)

    def iter_workspaces(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_workspaces``: every workspace, archived ones included."""
        params = {"include_archived": True, "limit": WORKSPACES_PAGE_SIZE}
        for item in self._iter_list(WORKSPACES_PATH, params, cursor_param="after_id"):
            values = {name: item.get(name) for name in ANTHROPIC_WORKSPACES.column_names}
            yield self._typed(ANTHROPIC_WORKSPACES, WORKSPACES_PATH, values, item)

    def iter_api_keys(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_api_keys``: every API key of the organisation (every status), named.

        The workspace is ``workspace_id`` as documented, or ``scope.workspace_id`` in the newer shape (an
        organisation-scoped key has none). ``partial_key_hint`` is left out of the row and of ``_raw``: a
        warehouse keeps no part of a key.
        """
        for item in self._iter_list(API_KEYS_PATH, {"limit": API_KEYS_PAGE_SIZE}, cursor_param="after_id"):
            item = {k: v for k, v in item.items() if k != "partial_key_hint"}
            values = {name: item.get(name) for name in ("id", "name", "status", "created_at", "expires_at")}
            values["workspace_id"] = item.get("workspace_id") or nested(item, "scope", "workspace_id")
            values["created_by_id"] = nested(item, "created_by", "id")
            yield self._typed(ANTHROPIC_API_KEYS, API_KEYS_PATH, values, item)

    def iter_users(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_users``: every member of the organisation (name, email, role)."""
        for item in self._iter_list(USERS_PATH, {"limit": API_KEYS_PAGE_SIZE}, cursor_param="after_id"):
            values = {name: item.get(name) for name in ANTHROPIC_USERS.column_names}
            yield self._typed(ANTHROPIC_USERS, USERS_PATH, values, item)
