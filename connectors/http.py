"""The HTTP core every API connector uses: timeout, retry, Retry-After, redaction, logging.

Error wording lives beside the typed errors (connectors/errors.py), cursor strategies in
connectors/pagination.py, row typing beside the landing contract (connectors/schema.py), and the base
client of an API source in connectors/client.py. Rules (STYLE.md A1-A3 and 3.5 item 5):

* one ``requests.Session``; a finite ``timeout=`` on every request; redirects are not followed (a redirect
  would forward custom auth headers such as ``x-api-key`` to another host) but reported;
* retried: 408, 409, 429, 500, 502, 503, 504, 529, connection errors, timeouts, and a 2xx body that is not
  JSON (a truncated body); every other 4xx fails at once; at most ``max_retries`` retries;
* the sleep before a retry is the server's ``Retry-After`` (``retry-after-ms``, seconds, or an HTTP-date),
  capped at ``max_retry_delay``; without it, ``0.5 * 2**attempt`` seconds (at most 8 s) with jitter;
* bodies are parsed with ``parse_float=Decimal`` so money stays exact;
* the caller's ``params`` are never mutated; pages are requested lazily;
* a 2xx body of another media type (an HTML page) fails at once; a refused connection retries briefly;
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
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from connectors.errors import ConnectionFailed, ConnectorError, Hints, ResponseShapeError, body_detail, status_error
from connectors.pagination import Bounds, Cursor, iter_pages

DEFAULT_BOUNDS = Bounds()  # no scope named; the default page count and deadline

DEFAULT_TIMEOUT = 60.0  # seconds, per request (connect and read)
DEFAULT_MAX_RETRIES = 5
DEFAULT_MAX_RETRY_DELAY = 60.0  # the most we trust a Retry-After header
INITIAL_RETRY_DELAY = 0.5
MAX_BACKOFF_DELAY = 8.0  # cap of the exponential backoff when the server gives no Retry-After
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
# Nothing listens (refused) or the host name does not resolve: a wrong base URL far more often than an outage,
# so only a brief retry before saying so.
MAX_CONNECT_RETRIES = 2
REQUEST_ID_HEADERS = ("request-id", "x-request-id")  # Anthropic, OpenAI
USER_AGENT = "ai-spend-warehouse/0.1 (open-source FinOps warehouse for AI API spend; connectors)"
REDACTED = "[REDACTED]"

# Provider keys look like sk-admin-..., sk-proj-..., sk-ant-admin01-...; the length floor keeps prose such as
# "an admin key (sk-admin-...)" in our own hints readable.
_KEY_LIKE = re.compile(r"sk-[A-Za-z0-9_\-]{16,}")

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
                self.redact(f"{source}: the base URL {base!r} is not an http(s) URL; {self.hints.base_url_fix}."),
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
                            f"({body_detail(resp.content)}{rid_part}); {self.hints.base_url_fix}.",
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
                        f"{attempts} attempts{rid_part}: {body_detail(resp.content)}); the API may have "
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
        location = resp.headers.get("location")
        cls, message = status_error(
            source=self.source,
            hints=self.hints,
            status=resp.status_code,
            content=resp.content,
            location=public_url(location) if location else None,
            where=urlsplit(url).path,
            shown=public_url(url),
            attempts=attempts,
            request_id=request_id,
        )
        return self._error(cls, message, status=resp.status_code, request_id=request_id, url=public_url(url))

    # -- pagination (connectors/pagination.py) -------------------------------------------------------------

    def paginate(
        self,
        path: str,
        params: Params,
        cursor: Cursor,
        *,
        validate: Callable[[Any], str | None] | None = None,
        bounds: Bounds = DEFAULT_BOUNDS,
    ) -> Iterator[dict[str, Any]]:
        """Pages of ``path``, lazily, following a cursor strategy (``NextPage("page")`` for the reports,
        ``LastId("after_id")`` for lists) within ``bounds`` (see :func:`connectors.pagination.iter_pages`);
        ``bounds.scope`` (e.g. "UTC days 2025-06-01..2025-06-30") names what is pulled in error messages."""

        def paging_error(problem: str, rid: str | None) -> ConnectorError:
            scope = f" for {bounds.scope}" if bounds.scope else ""
            rid_part = f", request id {rid}" if rid else ""
            return self._error(
                ResponseShapeError,
                f"{self.source}: the API's pages at {self.path_of(path)}{scope} cannot be trusted ({problem}"
                f"{rid_part}); stopped and loaded nothing of it, run again later or report this to the provider.",
                request_id=rid,
                url=public_url(self.url_for(path)),
            )

        return iter_pages(
            lambda query: self._get(path, query),
            _as_pairs(params),
            cursor,
            bounds=bounds,
            validate=validate,
            shape_error=lambda problem, rid: self.shape_error(path, problem, rid),
            paging_error=paging_error,
            monotonic=self._monotonic,
        )
