"""The bucketed-report client for admin usage and cost APIs (OpenAI and Anthropic shape), on the base client.

Such an API answers a window of whole UTC days as pages of buckets (start, end, results); a client of it
only names its paths, its auth headers, the names of its bucket time fields, its window parameters and how
it maps a result onto its raw table."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from typing import Any, ClassVar

from connectors.client import SourceClient
from connectors.pagination import Bounds, LastId, NextPage
from connectors.schema import RawTable, typed_row
from connectors.windows import check_window, day_span, parse_ts

Page = dict[str, Any]


def bucket_page_problem(start_key: str, end_key: str) -> Callable[[Page], str | None]:
    """A validator for a bucketed report page (``data[]`` of buckets with start, end and ``results[]``).
    ``object`` values are not checked: vendors have misspelt them before."""

    def problem(page: Page) -> str | None:
        data = page.get("data")
        if not isinstance(data, list):
            return "no 'data' list"
        for i, bucket in enumerate(data):
            if not isinstance(bucket, dict):
                return f"data[{i}] is not an object"
            for key in (start_key, end_key):
                if bucket.get(key) in (None, ""):
                    return f"data[{i}] has no '{key}'"
            if not isinstance(bucket.get("results"), list):
                return f"data[{i}] has no 'results' list"
            if not all(isinstance(r, dict) for r in bucket["results"]):
                return f"data[{i}].results holds a non-object"
        return None

    return problem


def list_page_problem(page: Page) -> str | None:
    """A validator for a list page (``data[]`` of objects)."""
    data = page.get("data")
    if not isinstance(data, list):
        return "no 'data' list"
    if not all(isinstance(item, dict) for item in data):
        return "'data' holds a non-object"
    return None


def nested(result: dict[str, Any], parent: str, child: str) -> Any:
    container = result.get(parent)
    return container.get(child) if isinstance(container, dict) else None


class BucketedReportClient(SourceClient):
    """Base of the admin-report clients: a bucketed report per endpoint, and list endpoints for names."""

    bucket_start_key: ClassVar[str]
    bucket_end_key: ClassVar[str]

    def __init__(self, api_key: str, base_url: str | None = None, **http_kwargs: Any) -> None:
        super().__init__(api_key, base_url, **http_kwargs)
        self._page_problem = bucket_page_problem(self.bucket_start_key, self.bucket_end_key)

    def _window_params(self, start: date, end: date) -> list[tuple[str, Any]]:
        """The query parameters that ask for the whole UTC days [start, end)."""
        raise NotImplementedError

    # -- shared loops --------------------------------------------------------------------------------------

    def _iter_results(
        self, path: str, start: date | datetime, end: date | datetime, limit: int, group_by: Sequence[str]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(bucket, result) pairs of a bucketed report for whole UTC days [start, end), paging lazily."""
        start_d, end_d = check_window(start, end)
        params = [
            *self._window_params(start_d, end_d),
            ("bucket_width", "1d"),
            ("limit", limit),
            *(("group_by[]", g) for g in group_by),
        ]
        window = (datetime.combine(start_d, time.min), datetime.combine(end_d, time.min))
        days = (end_d - start_d).days
        pages = self._http.paginate(
            path,
            params,
            NextPage("page"),
            validate=self._page_problem,
            # Every page holds at least one of the window's daily buckets; a server that pages far past that is
            # looping. (A generous bound: some APIs split a bucket's results over pages.)
            bounds=Bounds(scope=day_span(start_d, end_d), max_pages=4 * days + 10),
        )
        for page in pages:
            for bucket in page["data"]:
                if not _starts_within(bucket[self.bucket_start_key], window):
                    # Landing replaces whole days: a bucket outside the window would duplicate another day's rows.
                    self._http.emit(
                        logging.WARNING,
                        f"GET {self._http.path_of(path)}: skipped a bucket starting at "
                        f"{bucket[self.bucket_start_key]!r:.40}, outside the requested window",
                    )
                    continue
                for result in bucket["results"]:
                    yield bucket, result

    def _iter_list(self, path: str, params: dict[str, Any], cursor_param: str) -> Iterator[dict[str, Any]]:
        for page in self._http.paginate(path, params, LastId(cursor_param), validate=list_page_problem):
            yield from page["data"]

    def _row(
        self, table: RawTable, path: str, bucket: dict[str, Any], values: dict[str, Any], raw: dict[str, Any]
    ) -> dict[str, Any]:
        """The typed row of one result, or a shape error naming the field, its value and the UTC day it is in:
        a field whose type changed fails the whole pull, so nothing of the window is landed partly."""
        values = {"bucket_start": bucket[self.bucket_start_key], "bucket_end": bucket[self.bucket_end_key], **values}
        try:
            return typed_row(table, values, raw)
        except ValueError as exc:
            try:
                day = f"the UTC day {parse_ts(values['bucket_start']):%Y-%m-%d}"
            except ValueError:
                day = f"the bucket starting {values['bucket_start']!r}"
            raise self._http.shape_error(path, f"{exc}, in {day}") from None

    def _typed(self, table: RawTable, path: str, values: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
        try:
            return typed_row(table, values, raw)
        except ValueError as exc:
            raise self._http.shape_error(path, str(exc)) from None


def _starts_within(value: Any, window: tuple[datetime, datetime]) -> bool:
    try:
        ts = parse_ts(value)
    except ValueError:
        return True  # not a timestamp: typed_row reports it with the field name
    return window[0] <= ts < window[1]
