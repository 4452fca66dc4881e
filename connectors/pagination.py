"""Pagination as small cursor strategies, and the one bounded loop that follows them.

A strategy says which query parameter carries the cursor and where the next cursor is in a page:
``NextPage`` for the usage and cost reports (``page`` = the previous page's ``next_page``), ``LastId`` for
list endpoints (``after`` / ``after_id`` = the previous page's ``last_id``, else the last item's id).

``iter_pages`` requests pages lazily, never mutates the caller's params, and ends the pull with an error
instead of running on when a page contradicts itself (more to come but no cursor), makes no progress (an
empty page that still has more), repeats a cursor, or when the pull takes more pages or seconds than its
``Bounds`` allow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_MAX_PAGES = 10_000  # list endpoints: 100 items a page; reports pass a bound from their window
DEFAULT_PAGING_DEADLINE = 30 * 60.0  # seconds one paginated pull may take, retries included

Page = dict[str, Any]
Pairs = list[tuple[str, Any]]


class Cursor(Protocol):
    param: str  # the query parameter that carries the cursor
    has_more_field: str
    data_field: str

    def next_cursor(self, page: Page) -> Any: ...


@dataclass(frozen=True)
class NextPage:
    """An opaque cursor: ``param`` = the previous page's ``next_field``."""

    param: str = "page"
    next_field: str = "next_page"
    has_more_field: str = "has_more"
    data_field: str = "data"

    def next_cursor(self, page: Page) -> Any:
        return page.get(self.next_field)


@dataclass(frozen=True)
class LastId:
    """An id cursor: ``param`` = the previous page's ``last_id_field``, else the id of its last item."""

    param: str = "after_id"
    last_id_field: str = "last_id"
    has_more_field: str = "has_more"
    data_field: str = "data"

    def next_cursor(self, page: Page) -> Any:
        cursor = page.get(self.last_id_field)
        if cursor is None:  # some list endpoints omit last_id
            data = page.get(self.data_field)
            if isinstance(data, list) and data and isinstance(data[-1], dict):
                cursor = data[-1].get("id")
        return cursor


@dataclass(frozen=True)
class Bounds:
    """What one paginated pull may take, and what it is called in messages."""

    scope: str = ""  # e.g. "UTC days 2025-06-01..2025-06-30"
    max_pages: int = DEFAULT_MAX_PAGES
    deadline: float = DEFAULT_PAGING_DEADLINE


def iter_pages(
    get: Callable[[Pairs], tuple[Any, str | None]],
    params: Pairs,
    cursor: Cursor,
    *,
    bounds: Bounds,
    validate: Callable[[Page], str | None] | None,
    shape_error: Callable[[str, str | None], Exception],
    paging_error: Callable[[str, str | None], Exception],
    monotonic: Callable[[], float],
) -> Iterator[Page]:
    """Pages from ``get(query) -> (page, request id)``, lazily. ``shape_error(problem, rid)`` is raised for a
    page that is not what ``validate`` expects; ``paging_error(problem, rid)`` when the paging cannot be trusted."""
    base = [(k, v) for k, v in params if k != cursor.param]
    query = list(params)  # the first request keeps any cursor the caller passed
    seen = {str(v) for k, v in params if k == cursor.param}
    started = monotonic()
    pages = 0
    while True:
        page, rid = get(query)
        pages += 1
        problem = "not a JSON object" if not isinstance(page, dict) else (validate(page) if validate else None)
        if problem:
            raise shape_error(problem, rid)
        yield page
        more = cursor.has_more_field
        if not page.get(more):
            return
        following = cursor.next_cursor(page)
        if following is None or following == "":
            raise paging_error(f"page {pages} says {more} but gives no cursor", rid)
        items = page.get(cursor.data_field)
        if isinstance(items, list) and not items:
            raise paging_error(f"page {pages} is empty but says {more}", rid)
        key = str(following)
        if key in seen:
            shown = key if len(key) <= 60 else key[:57] + "..."
            raise paging_error(f"the same page cursor came twice ({cursor.param}={shown})", rid)
        if pages >= bounds.max_pages:
            raise paging_error(f"{pages} pages and still more, beyond the {bounds.max_pages} the request can fill", rid)
        elapsed = monotonic() - started
        if elapsed > bounds.deadline:
            raise paging_error(
                f"still paging after {elapsed:.0f} s and {pages} pages (limit {bounds.deadline:.0f} s)", rid
            )
        seen.add(key)
        query = [*base, (cursor.param, following)]
