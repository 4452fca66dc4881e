"""The one HTTP client every connector uses: timeout, retry, pagination, typed errors, secret redaction.

Rules (STYLE.md A1-A3 and 3.5 item 5):

* one ``requests.Session``; a finite ``timeout=`` on every request; redirects are not followed (a redirect
  would forward custom auth headers such as ``x-api-key`` to another host) but reported;
* retried: 408, 409, 429, 500, 502, 503, 504, 529, connection errors, timeouts, and a 2xx body that is not
  JSON (a truncated body); every other 4xx fails at once; at most ``max_retries`` retries;
* the sleep before a retry is the server's ``Retry-After`` (``retry-after-ms``, seconds, or an HTTP-date),
  capped at ``max_retry_delay``; without it, ``0.5 * 2**attempt`` seconds (at most 8 s) with jitter;
* bodies are parsed with ``parse_float=Decimal`` so money stays exact;
* the caller's ``params`` are never mutated; pages are requested lazily;
* every log line and error message passes through :meth:`HttpClient.redact`; headers are never logged.

Tests inject ``sleep=`` and ``jitter=`` (Stripe's trick) so they never wait and can assert exact delays.
"""

from __future__ import annotations

import json
import logging
import math
import random
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from connectors.errors import (
    AuthError,
    BadRequestError,
    ConnectionFailed,
    ConnectorError,
    Hints,
    NotFoundError,
    RateLimitError,
    ResponseShapeError,
    ServerError,
)
from connectors.schema import RawTable
from connectors.windows import parse_ts

DEFAULT_TIMEOUT = 60.0  # seconds, per request (connect and read)
DEFAULT_MAX_RETRIES = 5
DEFAULT_MAX_RETRY_DELAY = 60.0  # the most we trust a Retry-After header
INITIAL_RETRY_DELAY = 0.5
MAX_BACKOFF_DELAY = 8.0  # cap of the exponential backoff when the server gives no Retry-After
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
# Nothing listens (refused) or the host name does not resolve: a wrong base URL far more often than an outage,
# so only a brief retry before saying so.
MAX_CONNECT_RETRIES = 2
DEFAULT_MAX_PAGES = 10_000  # list endpoints: 100 items a page; reports pass a bound from their window
DEFAULT_PAGING_DEADLINE = 30 * 60.0  # seconds one paginated pull may take, retries included
REQUEST_ID_HEADERS = ("request-id", "x-request-id")  # Anthropic, OpenAI
USER_AGENT = "ai-spend-warehouse/0.1 (open-source FinOps warehouse for AI API spend; connectors)"
REDACTED = "[REDACTED]"

# Provider keys look like sk-admin-..., sk-proj-..., sk-ant-admin01-...; the length floor keeps prose such as
# "an admin key (sk-admin-...)" in our own hints readable.
_KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_\-]{16,}")
_SNIPPET_CHARS = 160

Params = Mapping[str, Any] | Iterable[tuple[str, Any]] | None


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """``text`` with every given secret, and anything shaped like an ``sk-...`` key, replaced by [REDACTED]."""
    out = str(text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        out = out.replace(secret, REDACTED)
    return _KEY_LIKE.sub(REDACTED, out)


def default_jitter(delay: float) -> float:
    """Spread retries of many clients: a random 75-100 % of ``delay`` (the Stainless SDKs' rule)."""
    return delay * (1.0 - 0.25 * random.random())


def parse_retry_after(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, from ``retry-after-ms``, ``retry-after`` seconds or HTTP-date.

    ``None`` when there is no usable header. Negative values (a date in the past) become 0. Not capped here.
    """
    if not headers:
        return None
    lower = {str(k).lower(): str(v).strip() for k, v in headers.items()}
    ms = lower.get("retry-after-ms")
    if ms:
        try:
            value = float(ms) / 1000.0
        except ValueError:
            value = math.nan
        if not math.isnan(value):
            return max(value, 0.0)
    raw = lower.get("retry-after")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when is None:
            return None
        value = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(value):
        return None
    return max(value, 0.0)


def public_url(url: str) -> str:
    """``url`` without credentials, query string or fragment: safe to show in messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _as_pairs(params: Params) -> list[tuple[str, Any]]:
    """A fresh list of (key, value) pairs: lists expand to repeated keys, bools become true/false, None drops."""
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    pairs: list[tuple[str, Any]] = []
    for key, value in items:
        values = value if isinstance(value, (list, tuple)) else (value,)
        for v in values:
            if v is None:
                continue
            pairs.append((key, ("true" if v else "false") if isinstance(v, bool) else v))
    return pairs


def _request_id(headers: Mapping[str, str]) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def _media_type(headers: Mapping[str, str]) -> str:
    """The response's media type, lower case, without parameters ("" when the header is missing)."""
    return str(headers.get("content-type") or "").split(";", 1)[0].strip().lower()


def _cannot_connect(exc: BaseException) -> bool:
    """True when no connection was made at all (refused, unresolvable host), as opposed to a connection that
    broke or timed out mid-request. requests wraps urllib3's NewConnectionError / NameResolutionError."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        err = pending.pop()
        if not isinstance(err, BaseException) or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, (ConnectionRefusedError, socket.gaierror)):
            return True
        if type(err).__name__ in ("NewConnectionError", "NameResolutionError"):
            return True
        pending.extend([*err.args, getattr(err, "reason", None), err.__cause__, err.__context__])
    return False


def _collapse(text: str, limit: int = _SNIPPET_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _body_detail(content: bytes) -> str:
    """A short description of an error body: the API's error message if it has one, never the whole body."""
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        return "empty body"
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message")
            kind = error.get("type") or error.get("code")
            if message:
                return _collapse(f"{kind}: {message}" if kind else str(message))
        elif isinstance(error, str) and error:
            return _collapse(error)
        if isinstance(body.get("message"), str):
            return _collapse(body["message"])
    if text.startswith("<"):
        return "an HTML page, not the API's JSON"
    return "body starts " + repr(_collapse(text, 60))


class HttpClient:
    """GET-only JSON client for one provider API. Thread-unsafe (one ``requests.Session``), cheap to create."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        *,
        source: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        sleep: Callable[[float], Any] = time.sleep,
        session: requests.Session | None = None,
        secrets: Iterable[str] = (),
        jitter: Callable[[float], float] = default_jitter,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        hints: Hints | None = None,
    ) -> None:
        self.source = source
        self.hints = hints or Hints()
        self._secrets = tuple(s for s in secrets if s)
        if timeout is None or not timeout > 0:
            raise ValueError(f"{source}: timeout must be a positive number of seconds, got {timeout!r}")
        if max_retries is None or max_retries < 0:
            raise ValueError(f"{source}: max_retries must be 0 or more, got {max_retries!r}")
        base = str(base_url or "").strip()
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConnectorError(
                self.redact(
                    f"{source}: the base URL {base!r} is not an http(s) URL; {self.hints.base_url_fix}."
                ),
                source=source,
            )
        self.base_url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.max_retry_delay = float(max_retry_delay)
        self._headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **dict(headers)}
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._monotonic = monotonic
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self.log = logging.getLogger(f"connectors.{source}")

    # -- lifecycle ---------------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- helpers -----------------------------------------------------------------------------------------

    def redact(self, text: object) -> str:
        return redact(text, self._secrets)

    def url_for(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def path_of(self, path: str) -> str:
        """The URL path of ``path`` under the base URL, e.g. ``/v1/organization/costs`` (for messages)."""
        return urlsplit(self.url_for(path)).path

    def emit(self, level: int, message: str) -> None:
        """Log ``message`` on ``connectors.<source>``, redacted. Connector code logs only through this."""
        if self.log.isEnabledFor(level):
            self.log.log(level, self.redact(message))

    def _error(self, cls: type[ConnectorError], message: str, **attrs: Any) -> ConnectorError:
        return cls(self.redact(message), source=self.source, **attrs)

    def shape_error(self, path: str, problem: str, request_id: str | None = None) -> ResponseShapeError:
        """The error for a JSON body that lacks the documented envelope (``problem`` says what is missing)."""
        rid = f", request id {request_id}" if request_id else ""
        return self._error(  # type: ignore[return-value]
            ResponseShapeError,
            f"{self.source}: unexpected response at {self.path_of(path)} ({problem}{rid}); the API may have "
            f"changed or {self.hints.base_url_env} points at something else.",
            request_id=request_id,
            url=public_url(self.url_for(path)),
        )

    def backoff_delay(self, attempt: int, headers: Mapping[str, str] | None = None) -> float:
        """Seconds to sleep after failed attempt number ``attempt`` (0-based)."""
        after = parse_retry_after(headers, now=self._clock())
        if after is not None:
            return min(after, self.max_retry_delay)
        return self._jitter(min(INITIAL_RETRY_DELAY * 2**attempt, MAX_BACKOFF_DELAY, self.max_retry_delay))

    # -- requests ----------------------------------------------------------------------------------------

    def get_json(self, path: str, params: Params = None) -> Any:
        """GET ``base_url/path`` and return the parsed JSON body (floats as ``Decimal``)."""
        return self._get(path, params)[0]

    def _get(self, path: str, params: Params) -> tuple[Any, str | None]:
        url = self.url_for(path)
        where = self.path_of(path)
        query = _as_pairs(params)
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            tag = f"attempt {attempt + 1}/{attempts}"
            started = time.monotonic()
            try:
                resp = self._session.get(
                    url, params=query, headers=self._headers, timeout=self.timeout, allow_redirects=False
                )
            except requests.exceptions.SSLError as exc:
                raise self._error(
                    ConnectionFailed,
                    f"{self.source}: the TLS connection to {public_url(url)} failed ({type(exc).__name__}); "
                    f"{self.hints.base_url_fix} and the machine's CA certificates.",
                    url=public_url(url),
                ) from exc
            except (
                requests.exceptions.ConnectionError,
                requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError,  # the connection broke mid-body
                requests.exceptions.ContentDecodingError,
            ) as exc:
                failure = type(exc).__name__
                cannot_connect = _cannot_connect(exc)
                if attempt < (min(self.max_retries, MAX_CONNECT_RETRIES) if cannot_connect else self.max_retries):
                    delay = self.backoff_delay(attempt)
                    self.emit(logging.WARNING, f"GET {where} -> {failure} ({tag}); retrying in {delay:.2f} s")
                    self._sleep(delay)
                    continue
                self.emit(logging.WARNING, f"GET {where} -> {failure} ({tag}); giving up")
                tries = attempt + 1
                if isinstance(exc, requests.exceptions.Timeout):
                    message = (
                        f"{self.source}: no answer within {self.timeout:g} s at {public_url(url)} after "
                        f"{tries} attempts; the provider may be slow or down, run again later, or "
                        f"{self.hints.base_url_fix}."
                    )
                else:
                    message = (
                        f"{self.source}: nothing answers at {public_url(url)} ({failure} after {tries} "
                        f"attempts); {self.hints.base_url_fix}."
                    )
                raise self._error(ConnectionFailed, message, url=public_url(url)) from exc
            except requests.exceptions.RequestException as exc:  # invalid URL and the like: not retryable
                raise self._error(
                    ConnectionFailed,
                    f"{self.source}: could not send the request to {public_url(url)} ({type(exc).__name__}); "
                    f"{self.hints.base_url_fix}.",
                    url=public_url(url),
                ) from exc

            status = resp.status_code
            rid = _request_id(resp.headers)
            elapsed = time.monotonic() - started
            line = f"GET {where} -> HTTP {status} (request id {rid or '-'}, {tag}, {elapsed:.2f} s)"
            if 200 <= status < 300:
                try:
                    body = json.loads(resp.content, parse_float=Decimal)
                    self.emit(logging.DEBUG, line)
                    return body, rid
                except ValueError:  # JSONDecodeError and UnicodeDecodeError: a truncated or non-JSON body
                    media_type = _media_type(resp.headers)
                    if media_type and "json" not in media_type:
                        # A web page (a login page, a proxy, the wrong host) is not going to turn into JSON.
                        self.emit(logging.WARNING, f"{line}: {media_type}, not JSON; giving up")
                        rid_part = f", request id {rid}" if rid else ""
                        raise self._error(
                            ResponseShapeError,
                            f"{self.source}: {where} answered HTTP {status} with {media_type}, not the API's JSON "
                            f"({_body_detail(resp.content)}{rid_part}); {self.hints.base_url_fix}.",
                            status=status,
                            request_id=rid,
                            url=public_url(url),
                        ) from None
                    if attempt < self.max_retries:
                        delay = self.backoff_delay(attempt)
                        self.emit(logging.WARNING, f"{line}: body is not JSON; retrying in {delay:.2f} s")
                        self._sleep(delay)
                        continue
                    self.emit(logging.WARNING, f"{line}: body is not JSON; giving up")
                    rid_part = f", request id {rid}" if rid else ""
                    raise self._error(
                        ResponseShapeError,
                        f"{self.source}: unexpected response at {where} (HTTP {status} but not JSON after "
                        f"{attempts} attempts{rid_part}: {_body_detail(resp.content)}); the API may have "
                        f"changed or {self.hints.base_url_env} points at something else.",
                        status=status,
                        request_id=rid,
                        url=public_url(url),
                    ) from None
            if status in RETRY_STATUSES and attempt < self.max_retries:
                delay = self.backoff_delay(attempt, resp.headers)
                self.emit(logging.WARNING, f"{line}; retrying in {delay:.2f} s")
                self._sleep(delay)
                continue
            self.emit(logging.WARNING, line)
            raise self._status_error(resp, url, attempts=attempt + 1, request_id=rid)
        raise AssertionError("unreachable")  # pragma: no cover

    def _status_error(self, resp: requests.Response, url: str, *, attempts: int, request_id: str | None):
        status = resp.status_code
        src, hints = self.source, self.hints
        where = urlsplit(url).path
        shown = public_url(url)
        rid = f" (request id {request_id})" if request_id else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        attrs = {"status": status, "request_id": request_id, "url": shown}
        if status == 401:
            return self._error(
                AuthError, f"{src}: the admin key was rejected (HTTP 401) at {where}{rid}; {hints.key_fix}.", **attrs
            )
        if status == 403:
            return self._error(
                AuthError,
                f"{src}: the key was refused access (HTTP 403) at {where}{rid}; {hints.key_fix} "
                f"(an organization admin key: ordinary API keys cannot read usage and costs).",
                **attrs,
            )
        if status == 404:
            return self._error(NotFoundError, f"{src}: HTTP 404 at {shown}{rid}; {hints.base_url_fix}.", **attrs)
        if status in (400, 422):
            return self._error(
                BadRequestError,
                f"{src}: the API refused the request to {where} as invalid (HTTP {status}{rid}: "
                f"{_body_detail(resp.content)}); this is a connector bug or an API change, report it with this "
                f"message.",
                **attrs,
            )
        if status == 429:
            return self._error(
                RateLimitError,
                f"{src}: still rate limited (HTTP 429) at {where}{tries}{rid}; wait a few minutes and run again "
                f"(another job may be using the same key).",
                **attrs,
            )
        if status >= 500:
            return self._error(
                ServerError,
                f"{src}: the API failed with HTTP {status} at {where}{tries}{rid} ({_body_detail(resp.content)}); "
                f"the provider may be having an outage, run again later.",
                **attrs,
            )
        if 300 <= status < 400:
            location = resp.headers.get("location")
            target = f" to {public_url(location)}" if location else ""
            return self._error(
                ConnectorError,
                f"{src}: HTTP {status} redirect at {shown}{target}; {hints.base_url_fix}, and use the final "
                f"https URL (redirects are not followed so keys never go to another host).",
                **attrs,
            )
        return self._error(
            ConnectorError,
            f"{src}: HTTP {status} at {shown}{tries}{rid} ({_body_detail(resp.content)}); {hints.base_url_fix}.",
            **attrs,
        )

    # -- pagination --------------------------------------------------------------------------------------

    def paginate(
        self,
        path: str,
        params: Params = None,
        *,
        cursor_param: str,
        next_field: str = "next_page",
        has_more_field: str = "has_more",
        validate: Callable[[Any], str | None] | None = None,
        scope: str = "",
        max_pages: int = DEFAULT_MAX_PAGES,
        deadline: float = DEFAULT_PAGING_DEADLINE,
    ) -> Iterator[dict[str, Any]]:
        """Pages of an opaque-cursor API (``page`` = the previous page's ``next_page``), lazily.

        ``scope`` (e.g. "UTC days 2025-06-01..2025-06-30") names what is being pulled in error messages.
        The pull ends with a :class:`ResponseShapeError` instead of running on when a page contradicts itself
        (``has_more`` with no cursor), makes no progress (an empty page that still has more), repeats a
        cursor, or when it takes more than ``max_pages`` pages or ``deadline`` seconds.
        """
        return self._pages(
            path, params, cursor_param, has_more_field, lambda page: page.get(next_field), validate,
            _Bounds(scope, max_pages, deadline),
        )

    def paginate_list(
        self,
        path: str,
        params: Params = None,
        *,
        cursor_param: str,
        last_id_field: str = "last_id",
        has_more_field: str = "has_more",
        data_field: str = "data",
        validate: Callable[[Any], str | None] | None = None,
        scope: str = "",
        max_pages: int = DEFAULT_MAX_PAGES,
        deadline: float = DEFAULT_PAGING_DEADLINE,
    ) -> Iterator[dict[str, Any]]:
        """Pages of an id-cursor list API (``after`` / ``after_id`` = the previous page's ``last_id``), lazily.
        Bounded like :meth:`paginate`."""

        def next_cursor(page: dict[str, Any]) -> Any:
            cursor = page.get(last_id_field)
            if cursor is None:  # some list endpoints omit last_id: fall back to the last item's id
                data = page.get(data_field)
                if isinstance(data, list) and data and isinstance(data[-1], dict):
                    cursor = data[-1].get("id")
            return cursor

        return self._pages(
            path, params, cursor_param, has_more_field, next_cursor, validate,
            _Bounds(scope, max_pages, deadline, data_field),
        )

    def _pages(
        self,
        path: str,
        params: Params,
        cursor_param: str,
        has_more_field: str,
        next_cursor: Callable[[dict[str, Any]], Any],
        validate: Callable[[Any], str | None] | None,
        bounds: _Bounds,
    ) -> Iterator[dict[str, Any]]:
        base = [(k, v) for k, v in _as_pairs(params) if k != cursor_param]
        query = _as_pairs(params)  # the first request keeps any cursor the caller passed
        seen = {str(v) for k, v in query if k == cursor_param}
        started = self._monotonic()
        pages = 0
        while True:
            page, rid = self._get(path, query)
            pages += 1
            problem = "not a JSON object" if not isinstance(page, dict) else (validate(page) if validate else None)
            if problem:
                raise self.shape_error(path, problem, rid)
            yield page
            if not page.get(has_more_field):
                return
            cursor = next_cursor(page)
            if cursor is None or cursor == "":
                raise self._paging_error(path, f"page {pages} says {has_more_field} but gives no cursor", rid, bounds)
            items = page.get(bounds.data_field)
            if isinstance(items, list) and not items:
                raise self._paging_error(path, f"page {pages} is empty but says {has_more_field}", rid, bounds)
            key = str(cursor)
            if key in seen:
                shown = key if len(key) <= 60 else key[:57] + "..."
                raise self._paging_error(path, f"the same page cursor came twice ({cursor_param}={shown})", rid, bounds)
            if pages >= bounds.max_pages:
                raise self._paging_error(
                    path, f"{pages} pages and still more, beyond the {bounds.max_pages} the request can fill", rid, bounds
                )
            elapsed = self._monotonic() - started
            if elapsed > bounds.deadline:
                raise self._paging_error(
                    path, f"still paging after {elapsed:.0f} s and {pages} pages (limit {bounds.deadline:.0f} s)", rid,
                    bounds,
                )
            seen.add(key)
            query = [*base, (cursor_param, cursor)]

    def _paging_error(self, path: str, problem: str, rid: str | None, bounds: _Bounds) -> ConnectorError:
        scope = f" for {bounds.scope}" if bounds.scope else ""
        rid_part = f", request id {rid}" if rid else ""
        return self._error(
            ResponseShapeError,
            f"{self.source}: the API's pages at {self.path_of(path)}{scope} cannot be trusted ({problem}{rid_part}); "
            f"stopped and loaded nothing of it, run again later or report this to the provider.",
            request_id=rid,
            url=public_url(self.url_for(path)),
        )


@dataclass(frozen=True)
class _Bounds:
    """What one paginated pull may take, and what it is called in messages."""

    scope: str = ""
    max_pages: int = DEFAULT_MAX_PAGES
    deadline: float = DEFAULT_PAGING_DEADLINE
    data_field: str = "data"


# -- JSON values -> landing types ------------------------------------------------------------------------


def typed_row(table: RawTable, values: Mapping[str, Any], raw: Any) -> dict[str, Any]:
    """A landing row for ``table``: exactly its columns, each converted to its DuckDB type, plus ``_raw``.

    Missing values stay ``None`` (never 0). A value that cannot be converted raises ValueError naming the
    column; the clients turn that into a ResponseShapeError.
    """
    unknown = set(values) - set(table.column_names)
    if unknown:
        raise KeyError(f"{table.name}: not columns of the table: {sorted(unknown)}")  # a connector bug
    row: dict[str, Any] = {}
    for name, sql_type in table.columns:
        value = values.get(name)
        try:
            row[name] = _convert(value, sql_type)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"field {name!r} = {_collapse(repr(value), 60)} is not {sql_type}: {exc}") from None
    row["_raw"] = raw
    return row


def _convert(value: Any, sql_type: str) -> Any:
    if value is None:
        return None
    kind = sql_type.split("(", 1)[0].upper()
    if isinstance(value, bool) and kind != "BOOLEAN":
        raise ValueError("a boolean")
    if kind == "VARCHAR":
        if isinstance(value, (dict, list)):
            raise ValueError("an object or list")
        return value if isinstance(value, str) else str(value)
    if kind == "BIGINT":
        if isinstance(value, int):
            return value
        if isinstance(value, (Decimal, float)) and value == int(value):
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ValueError("not a whole number")
    if kind == "DECIMAL":
        if isinstance(value, (dict, list)):
            raise ValueError("an object or list")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise ValueError("not finite")
        return number
    if kind == "BOOLEAN":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("not true/false")
    if kind == "TIMESTAMP":
        return parse_ts(value)
    raise TypeError(f"no conversion for {sql_type}")  # pragma: no cover - a schema type we do not know
