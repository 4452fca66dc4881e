"""OpenAI Admin API: completions usage, costs and projects (provider-apis.md section 1).

The base URL follows the OpenAI SDK convention: it includes ``/v1`` (``https://api.openai.com/v1``), and
paths are ``organization/...`` relative to it. Auth is ``Authorization: Bearer <admin key>``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from connectors._http import HttpClient, typed_row
from connectors.errors import AuthError, Hints
from connectors.schema import OPENAI_COMPLETIONS_USAGE, OPENAI_COSTS, OPENAI_PROJECTS, RawTable
from connectors.windows import check_window, day_start_epoch

SOURCE = "openai"
DEFAULT_BASE_URL = "https://api.openai.com/v1"

COMPLETIONS_PATH = "organization/usage/completions"
COSTS_PATH = "organization/costs"
PROJECTS_PATH = "organization/projects"

COMPLETIONS_GROUP_BY = ("project_id", "api_key_id", "model", "batch", "service_tier")
COSTS_GROUP_BY = ("project_id", "line_item")
COMPLETIONS_PAGE_BUCKETS = 31  # the API's max for bucket_width=1d
COSTS_PAGE_BUCKETS = 180  # the API's max for costs
PROJECTS_PAGE_SIZE = 100  # the API's max for list endpoints

HINTS = Hints(
    key_env="OPENAI_ADMIN_KEY",
    key_help="an admin key (sk-admin-...) from platform.openai.com/settings/organization/admin-keys",
    base_url_env="OPENAI_BASE_URL",
    base_url_rule="it must include /v1, e.g. https://api.openai.com/v1",
)

# Completions result fields that are landed as typed columns under the same name.
_COMPLETIONS_FIELDS = tuple(c for c in OPENAI_COMPLETIONS_USAGE.column_names if c not in ("bucket_start", "bucket_end"))


def _bucket_page_problem(page: dict[str, Any]) -> str | None:
    """What is wrong with a usage/costs page envelope, or None. ``object`` values are not checked."""
    data = page.get("data")
    if not isinstance(data, list):
        return "no 'data' list"
    for i, bucket in enumerate(data):
        if not isinstance(bucket, dict):
            return f"data[{i}] is not an object"
        for key in ("start_time", "end_time"):
            if key not in bucket or bucket[key] is None:
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


class OpenAIAdminClient:
    """Reads the OpenAI organization Usage and Costs APIs with an admin key.

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
            {"Authorization": f"Bearer {key}"},
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

    def __enter__(self) -> OpenAIAdminClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIAdminClient(base_url={self._http.base_url!r})"

    # -- endpoints ---------------------------------------------------------------------------------------

    def iter_completions_usage(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_completions_usage`` for the UTC days ``[start, end)``, one per result."""
        results = self._iter_results(COMPLETIONS_PATH, start, end, COMPLETIONS_PAGE_BUCKETS, COMPLETIONS_GROUP_BY)
        for bucket, result in results:
            values = {name: result.get(name) for name in _COMPLETIONS_FIELDS}
            yield self._row(OPENAI_COMPLETIONS_USAGE, COMPLETIONS_PATH, bucket, values, result)

    def iter_costs(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_costs`` (dollars, exact Decimal) for the UTC days ``[start, end)``."""
        for bucket, result in self._iter_results(COSTS_PATH, start, end, COSTS_PAGE_BUCKETS, COSTS_GROUP_BY):
            amount = result.get("amount")
            if amount is not None and not isinstance(amount, dict):
                raise self._http.shape_error(COSTS_PATH, f"'amount' is not an object: {amount!r:.60}")
            amount = amount or {}
            values = {
                "project_id": result.get("project_id"),
                "api_key_id": result.get("api_key_id"),
                "line_item": result.get("line_item"),
                "amount_value": amount.get("value"),
                "amount_currency": amount.get("currency"),
                "quantity": result.get("quantity"),
                "quantity_unit": result.get("quantity_unit"),
            }
            yield self._row(OPENAI_COSTS, COSTS_PATH, bucket, values, result)

    def iter_projects(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_projects``: every project, archived ones included."""
        params = {"include_archived": True, "limit": PROJECTS_PAGE_SIZE}
        pages = self._http.paginate_list(PROJECTS_PATH, params, cursor_param="after", validate=_list_page_problem)
        for page in pages:
            for item in page["data"]:
                values = {name: item.get(name) for name in OPENAI_PROJECTS.column_names}
                yield self._typed(OPENAI_PROJECTS, PROJECTS_PATH, values, item)

    # -- helpers -----------------------------------------------------------------------------------------

    def _iter_results(
        self, path: str, start: date | datetime, end: date | datetime, limit: int, group_by: tuple[str, ...]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(bucket, result) pairs of a usage/costs endpoint, for whole UTC days, paging lazily."""
        start_d, end_d = check_window(start, end)
        lo, hi = day_start_epoch(start_d), day_start_epoch(end_d)
        params = [
            ("start_time", lo),
            ("end_time", hi),  # exclusive
            ("bucket_width", "1d"),
            ("limit", limit),
            *(("group_by[]", g) for g in group_by),
        ]
        for page in self._http.paginate(path, params, cursor_param="page", validate=_bucket_page_problem):
            for bucket in page["data"]:
                if not _starts_within(bucket["start_time"], lo, hi):
                    # Landing replaces whole days: a bucket outside the window would duplicate another day's rows.
                    self._http.emit(
                        logging.WARNING,
                        f"GET {self._http.path_of(path)}: skipped a bucket starting at {bucket['start_time']!r:.40}, "
                        f"outside the requested window",
                    )
                    continue
                for result in bucket["results"]:
                    yield bucket, result

    def _row(
        self, table: RawTable, path: str, bucket: dict[str, Any], values: dict[str, Any], raw: dict[str, Any]
    ) -> dict[str, Any]:
        values = {"bucket_start": bucket["start_time"], "bucket_end": bucket["end_time"], **values}
        return self._typed(table, path, values, raw)

    def _typed(self, table: RawTable, path: str, values: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
        try:
            return typed_row(table, values, raw)
        except ValueError as exc:
            raise self._http.shape_error(path, str(exc)) from None


def _starts_within(start_time: Any, lo: int, hi: int) -> bool:
    try:
        ts = int(start_time)
    except (TypeError, ValueError, ArithmeticError):
        return True  # not a number: typed_row reports it with the field name
    return lo <= ts < hi
