"""The toolkit plugins build their endpoints from: no vendor in here.

* :class:`Response` and :class:`ApiError` (raised in a handler, turned into the plugin's error envelope);
* :class:`Request` (what a plugin's handler gets) and :class:`Query` (both array forms of a query string);
* JSON with exact decimals (:func:`dumps`, :func:`decimal_text`);
* time windows: UTC bucket edges (a partial first bucket when the start is unaligned), opaque ``page_``
  cursors, RFC 3339;
* grouping: ``group_by`` checks, filters, summing metrics over the dimensions not grouped by;
* paging of id lists (``after`` / ``before``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from .pricing import EXACT

if TYPE_CHECKING:
    from .org import Record, SimulatedOrg

UTC = UTC
WIDTHS = {"1d": timedelta(days=1), "1h": timedelta(hours=1)}


# ---------------------------------------------------------------------------------------------------------
# JSON with exact decimals
# ---------------------------------------------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain positional text: exact, no exponent, no trailing zeros (``"0.00375"``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _encode(obj: object, out: list[str]) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, Decimal):
        out.append(decimal_text(obj))  # a JSON number written exactly
    elif isinstance(obj, (int, float, str)):
        out.append(json.dumps(obj))
    elif isinstance(obj, dict):
        out.append("{")
        for i, (k, v) in enumerate(obj.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(k)))
            out.append(":")
            _encode(v, out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, v in enumerate(obj):
            if i:
                out.append(",")
            _encode(v, out)
        out.append("]")
    elif isinstance(obj, (date, datetime)):
        out.append(json.dumps(obj.isoformat()))
    else:
        raise TypeError(f"Cannot encode {type(obj).__name__} as JSON.")


def dumps(obj: object) -> bytes:
    out: list[str] = []
    _encode(obj, out)
    return "".join(out).encode("utf-8")


# ---------------------------------------------------------------------------------------------------------
# Requests and responses
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: object = None  # encoded with dumps(), unless raw is set
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    raw: bytes | None = None  # a body sent as is (not JSON)

    def payload(self) -> bytes:
        return self.raw if self.raw is not None else dumps(self.body)


def paged_body(response: Response) -> dict | None:
    """The body of a successful paged answer (a JSON object with a ``data`` list and ``has_more``), else None."""
    body = response.body
    if 200 <= response.status < 300 and response.raw is None and isinstance(body, dict):
        if isinstance(body.get("data"), list) and "has_more" in body:
            return body
    return None


class ApiError(Exception):
    """Raised inside a handler; the plugin turns it into its error envelope (``ApiPlugin.api_error``)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        kind: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.param, self.code = status, message, kind, param, code


class Query:
    """Query-string access that accepts both array forms: ``name[]=a`` and repeated ``name=a``."""

    def __init__(self, raw: str) -> None:
        self.pairs = parse_qsl(raw, keep_blank_values=True)

    def get(self, name: str) -> str | None:
        values = [v for k, v in self.pairs if k == name]
        return values[-1] if values else None

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k in (name, f"{name}[]")]

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            message = f"Invalid value for '{name}': expected an integer, got {value!r}."
            raise ApiError(400, message, param=name) from None

    def bool(self, name: str, default: bool | None = None) -> bool | None:
        value = self.get(name)
        if value is None or value == "":
            return default
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise ApiError(400, f"Invalid value for '{name}': expected true or false, got {value!r}.", param=name)


@dataclass(frozen=True)
class Request:
    """One request to a plugin: ``path`` is the full path, ``sub`` the part after the plugin's prefix
    (``""`` for the prefix itself), ``key`` the fake key this server expects for the plugin."""

    method: str
    path: str
    sub: str
    query: Query
    headers: Mapping[str, str]
    org: "SimulatedOrg"
    now: datetime
    key: str | None


# ---------------------------------------------------------------------------------------------------------
# Time windows and cursors
# ---------------------------------------------------------------------------------------------------------


def iso_z(day: date, at: dtime) -> str:
    return datetime.combine(day, at, UTC).isoformat().replace("+00:00", "Z")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise ApiError(400, f"{name}: invalid RFC 3339 datetime {value!r}.", param=name) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def floor(moment: datetime, width: timedelta) -> datetime:
    midnight = datetime.combine(moment.date(), dtime(0), UTC)
    if width >= timedelta(days=1):
        return midnight
    return midnight + ((moment - midnight) // width) * width


def encode_cursor(moment: datetime) -> str:
    return "page_" + base64.urlsafe_b64encode(rfc3339(moment).encode()).decode()


def decode_cursor(page: str) -> datetime:
    try:
        if not page.startswith("page_"):
            raise ValueError
        return parse_rfc3339("page", base64.urlsafe_b64decode(page[5:].encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError, ApiError):
        message = f"Invalid page cursor {page!r}: pass the next_page value of the previous response."
        raise ApiError(400, message, param="page") from None


def bucket_edges(start: datetime, end: datetime, width: timedelta) -> Iterator[tuple[datetime, datetime]]:
    """Buckets from ``start`` to ``end``: the first may be partial (unaligned start), later ones aligned."""
    s = start
    while s < end:
        e = min(floor(s, width) + width, end)
        yield s, e
        s = e


Edges = tuple[datetime, datetime]


def paged(buckets: Iterator[Edges], limit: int) -> tuple[list[Edges], str | None]:
    """The first ``limit`` buckets and the cursor of the next one (None when there is none)."""
    page: list[Edges] = []
    for edges in buckets:
        if len(page) == limit:
            return page, encode_cursor(edges[0])
        page.append(edges)
    return page, None


def bucket_page(query: Query, start: datetime, end: datetime, width: str, limits: dict[str, tuple[int, int]]):
    """The buckets of one page of ``[start, end)`` (after the ``page`` cursor, if any) and the next cursor."""
    limit = check_limit(query, limits, width)
    page = query.get("page")
    if page:
        cursor = decode_cursor(page)
        if not start <= cursor < end:
            raise ApiError(400, f"Invalid page cursor {page!r}: it is outside the requested window.", param="page")
        start = cursor
    return paged(bucket_edges(start, end, WIDTHS[width]), limit)


def check_limit(query: Query, limits: dict[str, tuple[int, int]], width: str) -> int:
    default, maximum = limits[width]
    limit = query.int("limit", default)
    if not 1 <= limit <= maximum:
        message = f"Invalid value for 'limit': must be between 1 and {maximum} for bucket_width={width}, got {limit}."
        raise ApiError(400, message, param="limit")
    return limit


# ---------------------------------------------------------------------------------------------------------
# Grouping
# ---------------------------------------------------------------------------------------------------------


def group_by(query: Query, allowed: Iterable[str]) -> set[str]:
    allowed = tuple(allowed)
    values = query.getlist("group_by")
    for v in values:
        if v not in allowed:
            message = f"Invalid value for 'group_by': {v!r}. Supported values are: {', '.join(allowed)}."
            raise ApiError(400, message, param="group_by")
    return set(values)


def filters(query: Query, mapping: dict[str, str]) -> dict[str, set]:
    """``{dimension: allowed values}`` from the filter parameters present (``mapping``: parameter -> dim)."""
    return {dim: set(values) for name, dim in mapping.items() if (values := query.getlist(name))}


def matches(record: "Record", wanted: dict[str, set]) -> bool:
    dims = record.dim
    return all(dims.get(dim) in allowed for dim, allowed in wanted.items())


def aggregate(
    records: Iterable["Record"], grouped: set[str], dims: tuple[str, ...], metrics: tuple[str, ...]
) -> list[tuple[dict, dict]]:
    """Sum metrics over the dimensions not grouped by (those become None)."""
    sums: dict[tuple, dict] = {}
    with localcontext(EXACT):
        for r in records:
            d = r.dim
            key = tuple(d.get(k) if k in grouped else None for k in dims)
            into = sums.setdefault(key, {m: 0 for m in metrics})
            for k, v in r.metrics:
                into[k] += v
    ordered = sorted(sums.items(), key=lambda kv: tuple((v is None, str(v)) for v in kv[0]))
    return [(dict(zip(dims, key, strict=True)), m) for key, m in ordered]


def list_page(
    items: list[dict], limit: int, after: str | None, before: str | None, param: str
) -> tuple[list[dict], bool]:
    """One page of an id-ordered list: the items after ``after`` (or before ``before``) and whether more remain."""
    ids = [item["id"] for item in items]
    if after is not None:
        if after not in ids:
            raise ApiError(400, f"No object with id {after!r} to page after.", param=param)
        items = items[ids.index(after) + 1 :]
        return items[:limit], len(items) > limit
    if before is not None:
        if before not in ids:
            raise ApiError(400, f"No object with id {before!r} to page before.", param="before_id")
        items = items[: ids.index(before)]
        return items[-limit:], len(items) > limit
    return items[:limit], len(items) > limit
