"""OpenAI Admin API: completions and the other usage endpoints, costs, projects and their API keys
(provider-apis.md section 1).

The base URL follows the OpenAI SDK convention: it includes ``/v1`` (``https://api.openai.com/v1``), and
paths are ``organization/...`` relative to it. Auth is ``Authorization: Bearer <admin key>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from connectors.errors import Hints
from connectors.openai.tables import (
    OPENAI_API_KEYS,
    OPENAI_COMPLETIONS_USAGE,
    OPENAI_COSTS,
    OPENAI_OTHER_USAGE,
    OPENAI_PROJECTS,
    OPENAI_USERS,
    OTHER_USAGE_ENDPOINTS,
)
from connectors.reports import BucketedReportClient
from connectors.windows import day_start_epoch

SOURCE = "openai"
DEFAULT_BASE_URL = "https://api.openai.com/v1"

COMPLETIONS_PATH = "organization/usage/completions"
USAGE_PATH = "organization/usage/{endpoint}"
COSTS_PATH = "organization/costs"
PROJECTS_PATH = "organization/projects"
PROJECT_API_KEYS_PATH = "organization/projects/{project_id}/api_keys"
USERS_PATH = "organization/users"

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


def reconcile_input_buckets(row: dict[str, Any]) -> str | None:
    """Make a completions row's input buckets whole and consistent, or say why they cannot be.

    ``input_tokens`` includes cached and cache-write tokens: ``input_tokens = input_uncached_tokens +
    input_cached_tokens + input_cache_write_tokens`` (the fields' documented meanings). Pricing needs the
    cached part; when the API omits ``input_cached_tokens`` it is derived from the fields that are present
    (a missing cache-write count is taken as 0, as in responses older than cache writes), never read as 0.
    The original result stays untouched in ``_raw``. Returns a problem naming the field, or None.
    """
    total = row["input_tokens"]
    if total is None:
        return "input_tokens is missing"
    if total < 0:
        return f"input_tokens is negative ({total})"
    cached, written, uncached = (
        row["input_cached_tokens"],
        row["input_cache_write_tokens"],
        row["input_uncached_tokens"],
    )
    for name, value in (
        ("input_cached_tokens", cached),
        ("input_cache_write_tokens", written),
        ("input_uncached_tokens", uncached),
    ):
        if value is not None and value < 0:
            return f"{name} is negative ({value})"
    if cached is None:
        if uncached is None:
            return (
                "input_cached_tokens and input_uncached_tokens are both missing, so cached input cannot be told apart"
            )
        cached = total - uncached - (written or 0)
        if cached < 0:
            return (
                f"input_cached_tokens is missing and cannot be derived: input_uncached_tokens ({uncached}) + "
                f"input_cache_write_tokens ({written or 0}) exceed input_tokens ({total})"
            )
        row["input_cached_tokens"] = cached
    if uncached is not None and written is not None and uncached + cached + written != total:
        return (
            f"input_tokens ({total}) is not input_uncached_tokens ({uncached}) + input_cached_tokens ({cached}) + "
            f"input_cache_write_tokens ({written})"
        )
    if cached + (written or 0) + (uncached or 0) > total:
        return f"input_cached_tokens ({cached}) and the other input buckets exceed input_tokens ({total})"
    return None


class OpenAIAdminClient(BucketedReportClient):
    """Reads the OpenAI organization Usage and Costs APIs with an admin key."""

    source = SOURCE
    default_base_url = DEFAULT_BASE_URL
    hints = HINTS
    bucket_start_key, bucket_end_key = "start_time", "end_time"  # unix seconds

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, **http_kwargs: Any) -> None:
        super().__init__(api_key, base_url, **http_kwargs)

    def _auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def _window_params(self, start: date, end: date) -> list[tuple[str, Any]]:
        return [("start_time", day_start_epoch(start)), ("end_time", day_start_epoch(end))]  # end exclusive

    # -- endpoints ---------------------------------------------------------------------------------------

    def iter_completions_usage(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_completions_usage`` for the UTC days ``[start, end)``, one per result."""
        results = self._iter_results(COMPLETIONS_PATH, start, end, COMPLETIONS_PAGE_BUCKETS, COMPLETIONS_GROUP_BY)
        for bucket, result in results:
            values = {name: result.get(name) for name in _COMPLETIONS_FIELDS}
            row = self._row(OPENAI_COMPLETIONS_USAGE, COMPLETIONS_PATH, bucket, values, result)
            problem = reconcile_input_buckets(row)
            if problem:
                where = f"{row['bucket_start']:%Y-%m-%d}, model {row['model'] or '(not grouped)'}"
                raise self._http.shape_error(COMPLETIONS_PATH, f"{problem} in the result for {where}")
            yield row

    def iter_other_usage(self, endpoint: str, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_<endpoint>_usage`` (embeddings, images, vector_stores, ...; see
        ``OTHER_USAGE_ENDPOINTS``) for the UTC days ``[start, end)``, one per result. A metric the API leaves
        out stays NULL (only the documented required ones are always there); a negative one is refused."""
        dims, metrics = OTHER_USAGE_ENDPOINTS[endpoint]
        table = OPENAI_OTHER_USAGE[endpoint]
        path = USAGE_PATH.format(endpoint=endpoint)
        for bucket, result in self._iter_results(path, start, end, COMPLETIONS_PAGE_BUCKETS, dims):
            values = {name: result.get(name) for name in dims + metrics}
            row = self._row(table, path, bucket, values, result)
            for name in metrics:
                if row[name] is not None and row[name] < 0:
                    where = f"{row['bucket_start']:%Y-%m-%d}, project {row['project_id'] or '(not grouped)'}"
                    raise self._http.shape_error(path, f"{name} is negative ({row[name]}) in the result for {where}")
            yield row

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

    def _iter_project_items(self) -> Iterator[dict[str, Any]]:
        """Every project as the list returns it, archived ones included."""
        params = {"include_archived": True, "limit": PROJECTS_PAGE_SIZE}
        return self._iter_list(PROJECTS_PATH, params, cursor_param="after")

    def iter_projects(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_projects``: every project, archived ones included."""
        for item in self._iter_project_items():
            values = {name: item.get(name) for name in OPENAI_PROJECTS.column_names}
            yield self._typed(OPENAI_PROJECTS, PROJECTS_PATH, values, item)

    def iter_api_keys(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_api_keys``: the API keys of every project (archived projects included), named.

        The list is per project, so the projects are listed first. ``redacted_value`` (the key's first and
        last characters) is left out of the row and of ``_raw``: a warehouse keeps no part of a key.
        """
        for project_id in [project.get("id") for project in self._iter_project_items()]:
            path = PROJECT_API_KEYS_PATH.format(project_id=project_id)
            # owner_project_access=any: every enabled key (without it, keys whose owner left the project may
            # be missing, and their usage would lose its name)
            params = {"owner_project_access": "any", "limit": PROJECTS_PAGE_SIZE}
            for item in self._iter_list(path, params, cursor_param="after"):
                item = {k: v for k, v in item.items() if k != "redacted_value"}
                owner = item.get("owner") or {}
                who = owner.get(owner.get("type") or "") or {}
                values = {
                    "project_id": project_id,
                    "id": item.get("id"),
                    "name": item.get("name"),
                    "owner_type": owner.get("type"),
                    "owner_id": who.get("id"),
                    "owner_name": who.get("name"),
                    "created_at": item.get("created_at"),
                    "last_used_at": item.get("last_used_at"),
                }
                yield self._typed(OPENAI_API_KEYS, path, values, item)

    def iter_users(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openai_users``: every member of the organisation (name, email, role)."""
        for item in self._iter_list(USERS_PATH, {"limit": PROJECTS_PAGE_SIZE}, cursor_param="after"):
            values = {name: item.get(name) for name in OPENAI_USERS.column_names}
            yield self._typed(OPENAI_USERS, USERS_PATH, values, item)
