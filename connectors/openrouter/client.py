"""OpenRouter: daily activity, the model list with its prices, and the credit balance (provider-apis.md
section 6).

The base URL includes ``/api/v1`` (``https://openrouter.ai/api/v1``), as OpenRouter's SDKs have it. Auth is
``Authorization: Bearer <key>``; ``/activity`` and ``/credits`` need a management key.

``GET /activity`` answers one UTC day (``date``) at a time, unpaged, and only for the last 30 completed UTC
days; :data:`HISTORY_DAYS` says so to the ingest, which never asks for an older day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from connectors.client import SourceClient
from connectors.errors import Hints
from connectors.http import USER_AGENT
from connectors.openrouter.tables import OPENROUTER_ACTIVITY, OPENROUTER_CREDITS, OPENROUTER_MODELS, PRICING_KEYS
from connectors.reports import list_page_problem
from connectors.schema import RawTable, typed_row
from connectors.windows import utc_days

SOURCE = "openrouter"
DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
ACTIVITY_PATH = "activity"
MODELS_PATH = "models"
CREDITS_PATH = "credits"
HISTORY_DAYS = 30  # /activity keeps the last 30 completed UTC days

HINTS = Hints(
    key_env="OPENROUTER_API_KEY",
    key_help="a management key from openrouter.ai/settings/management-keys (activity and credits need one)",
    base_url_env="OPENROUTER_BASE_URL",
    base_url_rule="it must include /api/v1, e.g. https://openrouter.ai/api/v1",
)

_ACTIVITY_FIELDS = tuple(c for c in OPENROUTER_ACTIVITY.column_names if c not in ("bucket_start", "bucket_end"))


class OpenRouterClient(SourceClient):
    """Reads OpenRouter's activity, models and credits with a management key."""

    source = SOURCE
    default_base_url = DEFAULT_BASE_URL
    hints = HINTS

    def _auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}", "User-Agent": USER_AGENT}

    def _data(self, path: str, params: dict[str, Any] | None = None) -> Any:
        body = self._http.get_json(path, params)
        if not isinstance(body, dict) or "data" not in body:
            raise self._http.shape_error(path, "no 'data' in the reply")
        return body["data"]

    def _typed(self, table: RawTable, path: str, values: dict[str, Any], raw: dict[str, Any], where: str = ""):
        try:
            return typed_row(table, values, raw)
        except ValueError as exc:
            raise self._http.shape_error(path, f"{exc}{where}") from None

    def iter_activity(self, start: date | datetime, end: date | datetime) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openrouter_activity`` for the UTC days ``[start, end)``: one request per day, one row
        per (model, endpoint). A row dated another day than asked is skipped with a warning (landing replaces
        whole days)."""
        for day in utc_days(start, end):
            data = self._data(ACTIVITY_PATH, {"date": day.isoformat()})
            page = {"data": data}
            problem = list_page_problem(page)
            if problem:
                raise self._http.shape_error(ACTIVITY_PATH, f"{problem}, for the UTC day {day}")
            midnight = datetime.combine(day, time.min)
            for item in data:
                if str(item.get("date", ""))[:10] != day.isoformat():
                    self._http.emit(
                        logging.WARNING,
                        f"GET {self._http.path_of(ACTIVITY_PATH)}: skipped a row dated {item.get('date')!r:.40} "
                        f"in the reply for {day}",
                    )
                    continue
                values = {name: item.get(name) for name in _ACTIVITY_FIELDS}
                values |= {"bucket_start": midnight, "bucket_end": midnight + timedelta(days=1)}
                yield self._typed(OPENROUTER_ACTIVITY, ACTIVITY_PATH, values, item, f", in the UTC day {day}")

    def iter_models(self) -> Iterator[dict[str, Any]]:
        """Rows of ``raw.openrouter_models``: every model of every output modality, with its prices now."""
        data = self._data(MODELS_PATH, {"output_modalities": "all"})
        problem = list_page_problem({"data": data})
        if problem:
            raise self._http.shape_error(MODELS_PATH, problem)
        for item in data:
            pricing = item.get("pricing")
            if not isinstance(pricing, dict):
                raise self._http.shape_error(MODELS_PATH, f"model {item.get('id')!r:.60} has no 'pricing' object")
            values = {name: item.get(name) for name in ("id", "canonical_slug", "name", "created", "context_length")}
            values["expiration_date"] = item.get("expiration_date")
            values |= {f"pricing_{key}": pricing.get(key) for key in PRICING_KEYS}
            values["pricing_discount"] = pricing.get("discount")
            yield self._typed(OPENROUTER_MODELS, MODELS_PATH, values, item, f", in model {item.get('id')!r:.60}")

    def iter_credits(self) -> Iterator[dict[str, Any]]:
        """The one row of ``raw.openrouter_credits``: credits bought and used, in USD, now."""
        data = self._data(CREDITS_PATH)
        if not isinstance(data, dict):
            raise self._http.shape_error(CREDITS_PATH, "'data' is not an object")
        values = {name: data.get(name) for name in ("total_credits", "total_usage")}
        yield self._typed(OPENROUTER_CREDITS, CREDITS_PATH, values, data)
