"""Anthropic Admin API: messages usage report, cost report, Claude Code usage report, workspaces, API keys
and users (provider-apis.md section 2).

The base URL follows the Anthropic SDK convention: no ``/v1`` (``https://api.anthropic.com``), and paths
are ``v1/organizations/...``. Auth is ``x-api-key: <admin key>`` plus ``anthropic-version``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from connectors.anthropic.tables import (
    ANTHROPIC_API_KEYS,
    ANTHROPIC_CLAUDE_CODE_USAGE,
    ANTHROPIC_COST_REPORT,
    ANTHROPIC_MESSAGES_USAGE,
    ANTHROPIC_USERS,
    ANTHROPIC_WORKSPACES,
)
from connectors.errors import AuthError, Hints, NotFoundError
from connectors.http import USER_AGENT
from connectors.pagination import Bounds, NextPage
from connectors.reports import BucketedReportClient, list_page_problem, nested
from connectors.schema import typed_row
from connectors.windows import day_span, parse_ts, rfc3339, utc_days

SOURCE = "anthropic"
DEFAULT_BASE_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"

MESSAGES_USAGE_PATH = "v1/organizations/usage_report/messages"
COST_REPORT_PATH = "v1/organizations/cost_report"
WORKSPACES_PATH = "v1/organizations/workspaces"
API_KEYS_PATH = "v1/organizations/api_keys"
USERS_PATH = "v1/organizations/users"
CLAUDE_CODE_PATH = "v1/organizations/usage_report/claude_code"

MESSAGES_GROUP_BY = (
    "model",
    "workspace_id",
    "api_key_id",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",  # fast mode is priced apart (a multiple of standard); grouping by it needs FAST_MODE_BETA
)
# "anthropic-beta: fast-mode-2026-02-01 is required to filter or group by speed" (Usage and Cost API
# reference); sent on every admin request, as the SDKs send a client's betas.
FAST_MODE_BETA = "fast-mode-2026-02-01"
COST_GROUP_BY = ("workspace_id", "description")
PAGE_BUCKETS = 31  # the max for bucket_width=1d on both reports
WORKSPACES_PAGE_SIZE = 100
API_KEYS_PAGE_SIZE = 100
CLAUDE_CODE_PAGE_SIZE = 1000  # records per page: the max (default 20)
# What an organisation without Claude Code analytics may answer at CLAUDE_CODE_PATH (a 401 is a bad key).
CLAUDE_CODE_UNAVAILABLE = (403, 404)

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
    "speed",
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
)
_COST_FIELDS = tuple(
    c for c in ANTHROPIC_COST_REPORT.column_names if c not in ("bucket_start", "bucket_end", "amount_cents")
)
_CLAUDE_CODE_FLAT = ("organization_id", "customer_type", "subscription_type", "terminal_type", "is_remote")
# typed_row converts scalars; tool_actions arrives as JSON text, so it is typed as text here.
_CLAUDE_CODE_AS_TEXT = replace(
    ANTHROPIC_CLAUDE_CODE_USAGE,
    columns=tuple((n, "VARCHAR" if t == "JSON" else t) for n, t in ANTHROPIC_CLAUDE_CODE_USAGE.columns),
)


def _at(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]...``, or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):  # parse_float=Decimal: a float when it says the same digits, else the digits
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=_json_number, sort_keys=True)


class AnthropicAdminClient(BucketedReportClient):
    """Reads the Anthropic organization Usage and Cost API with an admin key."""

    source = SOURCE
    default_base_url = DEFAULT_BASE_URL
    hints = HINTS
    bucket_start_key, bucket_end_key = "starting_at", "ending_at"  # RFC 3339

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, **http_kwargs: Any) -> None:
        super().__init__(api_key, base_url, **http_kwargs)
        self._notices: list[str] = []
        # The Claude Code report: None until its first answer; then True (it answers) or False (refused).
        self._claude_code_available: bool | None = None
        self._claude_code_empty: list[tuple[date, date]] = []  # windows [start, end) in which it had no records

    def take_notices(self) -> list[str]:
        """The one-line notices of the pulls since the last call (then forgotten), for the run to show after the
        table's name: what a pull left out and why, when that is not an error (an organisation without Claude
        Code analytics). The windows of several pulls without Claude Code records are said in one line."""
        notices, self._notices = self._notices, []
        if self._claude_code_empty:
            spans: list[list[date]] = []
            for lo, hi in sorted(self._claude_code_empty):
                if spans and lo <= spans[-1][1]:
                    spans[-1][1] = max(spans[-1][1], hi)
                else:
                    spans.append([lo, hi])
            self._claude_code_empty = []
            days = ", ".join(day_span(lo, hi) for lo, hi in spans)
            notices.append(
                f"the Claude Code usage report has no records for {days} (nobody in the organisation used Claude Code)."
            )
        return notices

    def _notice(self, level: int, message: str) -> None:
        self._notices.append(self._http.redact(message))
        self._http.emit(level, f"{self.source}: {message}")

    def _auth_headers(self, key: str) -> dict[str, str]:
        return {
            "x-api-key": key,
            "anthropic-version": ANTHROPIC_VERSION,
            "anthropic-beta": FAST_MODE_BETA,
            "User-Agent": USER_AGENT,
        }

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

    # -- Claude Code usage report ------------------------------------------------------------------------

    def iter_claude_code_usage(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.anthropic_claude_code_usage`` for the UTC days ``[start, end)``: one request (and its
        pages) per day, as the report answers one day at a time; one row per record x model of its
        ``model_breakdown``, or one row with the model columns null for a record without models.

        The report is an attribution view (who used Claude Code, what it produced, Anthropic's estimate of its
        cost), never billing: ``customer_type: api`` usage is already in the messages usage report.

        Where the organisation has it. The first request this client sends to the report is the probe: a 403 or
        404 there means the organisation has no Claude Code analytics. Then nothing is landed for this pull or
        any later one of this client, no other request is sent to the report, and one notice says so
        (:meth:`take_notices`); the other Anthropic reports are not touched. A 403 or 404 after the report has
        answered is an error, as is a 401 (the key). Windows in which every day is empty give one notice.

        A record dated another day than asked is skipped with a warning (landing replaces whole days). The
        window's records are read whole before the first row is given, so a failure lands nothing of it.
        """
        days = utc_days(start, end)
        if self._claude_code_available is False:
            return
        rows: list[dict[str, Any]] = []
        for day in days:
            try:
                records = self._claude_code_day(day)
            except (NotFoundError, AuthError) as exc:
                if self._claude_code_available or exc.status not in CLAUDE_CODE_UNAVAILABLE:
                    raise
                self._claude_code_available = False
                self._notice(
                    logging.WARNING,
                    f"the Claude Code usage report is not available to this organisation (HTTP {exc.status} at "
                    f"{self._http.path_of(CLAUDE_CODE_PATH)}), so no Claude Code usage is landed; the other Anthropic "
                    f"reports are not affected.",
                )
                return
            self._claude_code_available = True
            for index, record in enumerate(records):
                rows.extend(self._claude_code_rows(day, index, record))
        if not rows:
            window = (days[0], days[-1] + timedelta(days=1))
            self._claude_code_empty.append(window)
            self._http.emit(logging.INFO, f"{self.source}: no Claude Code usage records for {day_span(*window)}")
        yield from rows

    def _claude_code_day(self, day: date) -> list[dict[str, Any]]:
        """Every record of the report for one UTC day, following ``next_page``, dated that day."""
        params = [("starting_at", day.isoformat()), ("limit", CLAUDE_CODE_PAGE_SIZE)]  # a UTC date, no time
        pages = self._http.paginate(
            CLAUDE_CODE_PATH,
            params,
            NextPage("page"),
            validate=list_page_problem,
            bounds=Bounds(scope=day_span(day, day + timedelta(days=1))),
        )
        records = []
        for page in pages:
            for record in page["data"]:
                if self._claude_code_date(day, record) != day:
                    self._http.emit(
                        logging.WARNING,
                        f"GET {self._http.path_of(CLAUDE_CODE_PATH)}: skipped a record dated "
                        f"{record.get('date')!r:.40} in the report for {day}",
                    )
                    continue
                records.append(record)
        return records

    def _claude_code_date(self, day: date, record: dict[str, Any]) -> date:
        """The UTC day of a record's ``date``: ``YYYY-MM-DD`` (older reports) or an RFC 3339 midnight (newer)."""
        try:
            return parse_ts(record.get("date")).date()
        except ValueError:
            problem = f"field 'date' = {record.get('date')!r:.40} is not a date, in the UTC day {day}"
            raise self._http.shape_error(CLAUDE_CODE_PATH, problem) from None

    def _claude_code_rows(self, day: date, index: int, record: dict[str, Any]) -> Iterator[dict[str, Any]]:
        midnight = datetime.combine(day, time.min)
        values: dict[str, Any] = {"bucket_start": midnight, "bucket_end": midnight + timedelta(days=1)}
        values["record_index"] = index
        values["actor_type"] = _at(record, "actor", "type")
        values["actor_email_address"] = _at(record, "actor", "email_address")
        values["actor_api_key_name"] = _at(record, "actor", "api_key_name")
        values |= {name: record.get(name) for name in _CLAUDE_CODE_FLAT}
        values["num_sessions"] = _at(record, "core_metrics", "num_sessions")
        values["lines_of_code_added"] = _at(record, "core_metrics", "lines_of_code", "added")
        values["lines_of_code_removed"] = _at(record, "core_metrics", "lines_of_code", "removed")
        values["commits_by_claude_code"] = _at(record, "core_metrics", "commits_by_claude_code")
        values["pull_requests_by_claude_code"] = _at(record, "core_metrics", "pull_requests_by_claude_code")
        where = f", in record {index} of the UTC day {day}"
        tools = record.get("tool_actions")
        if tools is not None and not isinstance(tools, dict):
            raise self._http.shape_error(CLAUDE_CODE_PATH, f"'tool_actions' is not an object{where}")
        values["tool_actions"] = _json_text(tools)
        breakdown = record.get("model_breakdown")
        if breakdown is None:
            breakdown = []
        if not isinstance(breakdown, list) or not all(isinstance(m, dict) for m in breakdown):
            raise self._http.shape_error(CLAUDE_CODE_PATH, f"'model_breakdown' is not a list of objects{where}")
        models: list[tuple[int | None, dict[str, Any]]] = list(enumerate(breakdown)) or [(None, {})]
        for position, entry in models:
            row = dict(values)
            row["model_index"] = position
            row["model"] = entry.get("model")
            for name in ("input", "output", "cache_read", "cache_creation"):
                row[f"{name}_tokens"] = _at(entry, "tokens", name)
            row["estimated_cost_cents"] = _at(entry, "estimated_cost", "amount")  # minor units, exact Decimal
            row["estimated_cost_currency"] = _at(entry, "estimated_cost", "currency")
            try:
                yield typed_row(_CLAUDE_CODE_AS_TEXT, row, record)
            except ValueError as exc:
                raise self._http.shape_error(CLAUDE_CODE_PATH, f"{exc}{where}") from None
