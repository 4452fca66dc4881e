"""Typed errors raised by every connector.

Callers catch meaning, not status codes: ``AuthError`` means "fix the key", ``NotFoundError`` usually means
"fix the base URL", ``RateLimitError`` / ``ServerError`` / ``ConnectionFailed`` mean "try again later" (the
HTTP client has already retried), ``ResponseShapeError`` means "the API changed or the base URL points at
something else".

``str(err)`` is one sentence that names the source, where it failed (a URL path, never a key or a query
string) and how to fix it. ``status_error`` words the message for an HTTP status; :mod:`connectors.http`
raises it, redacted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


class ConnectorError(Exception):
    """Base class: something went wrong talking to a provider API.

    Attributes:
        source: provider name, e.g. ``"openai"``.
        status: the HTTP status of the last response, or ``None`` when there was no response.
        request_id: the provider's request id of the last response (quote it to their support), or ``None``.
        url: the URL that failed, without query string or credentials, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        status: int | None = None,
        request_id: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.status = status
        self.request_id = request_id
        self.url = url

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # keep the keyword-only attributes when pickled (e.g. across Dagster processes)
        return (
            _rebuild,
            (type(self), self.message, self.source, self.status, self.request_id, self.url),
        )


def _rebuild(cls, message, source, status, request_id, url):
    return cls(message, source=source, status=status, request_id=request_id, url=url)


class AuthError(ConnectorError):
    """The key is missing or was rejected (HTTP 401 / 403)."""


class NotFoundError(ConnectorError):
    """HTTP 404: almost always a base URL without (OpenAI) or with (Anthropic) ``/v1``."""


class BadRequestError(ConnectorError):
    """HTTP 400 / 422: the API refused the parameters (a connector bug or an API change)."""


class RateLimitError(ConnectorError):
    """HTTP 429, still after every retry."""


class ServerError(ConnectorError):
    """HTTP 5xx (or 529 overloaded), still after every retry."""


class ConnectionFailed(ConnectorError):
    """No HTTP answer at all (refused, DNS, TLS, timeout), still after every retry."""


class ResponseShapeError(ConnectorError):
    """The body is not JSON (after retries), or JSON without the documented envelope."""


@dataclass(frozen=True)
class Hints:
    """Provider-specific words for the "how to fix it" half of an error message.

    ``key_env`` / ``base_url_env`` name the setting the user controls (the project reads them from the
    environment at the top, see DESIGN.md section 7); connectors never read them.
    """

    key_env: str = "the API key setting"
    key_help: str = "a valid admin key"
    base_url_env: str = "the base URL setting"
    base_url_rule: str = ""  # e.g. "it must include /v1, e.g. https://api.openai.com/v1"

    @property
    def base_url_fix(self) -> str:
        return f"check {self.base_url_env}" + (f" ({self.base_url_rule})" if self.base_url_rule else "")

    @property
    def key_fix(self) -> str:
        return f"set {self.key_env} to {self.key_help}"


# -- classification ---------------------------------------------------------------------------------------

SNIPPET_CHARS = 160


def collapse(text: str, limit: int = SNIPPET_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def body_detail(content: bytes) -> str:
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
                return collapse(f"{kind}: {message}" if kind else str(message))
        elif isinstance(error, str) and error:
            return collapse(error)
        if isinstance(body.get("message"), str):
            return collapse(body["message"])
    if text.startswith("<"):
        return "an HTML page, not the API's JSON"
    return "body starts " + repr(collapse(text, 60))


def status_error(
    *,
    source: str,
    hints: Hints,
    status: int,
    content: bytes,
    location: str | None,
    where: str,
    shown: str,
    attempts: int,
    request_id: str | None,
) -> tuple[type[ConnectorError], str]:
    """The error class and the one-sentence message (not yet redacted) for a final non-2xx answer.

    ``where`` is the URL path, ``shown`` the public URL, ``location`` a redirect's public target."""
    rid = f" (request id {request_id})" if request_id else ""
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if status == 401:
        return AuthError, f"{source}: the admin key was rejected (HTTP 401) at {where}{rid}; {hints.key_fix}."
    if status == 403:
        return AuthError, (
            f"{source}: the key was refused access (HTTP 403) at {where}{rid}; {hints.key_fix} "
            f"(an organization admin key: ordinary API keys cannot read usage and costs)."
        )
    if status == 404:
        return NotFoundError, f"{source}: HTTP 404 at {shown}{rid}; {hints.base_url_fix}."
    if status in (400, 422):
        return BadRequestError, (
            f"{source}: the API refused the request to {where} as invalid (HTTP {status}{rid}: "
            f"{body_detail(content)}); this is a connector bug or an API change, report it with this message."
        )
    if status == 429:
        return RateLimitError, (
            f"{source}: still rate limited (HTTP 429) at {where}{tries}{rid}; wait a few minutes and run again "
            f"(another job may be using the same key)."
        )
    if status >= 500:
        return ServerError, (
            f"{source}: the API failed with HTTP {status} at {where}{tries}{rid} ({body_detail(content)}); "
            f"the provider may be having an outage, run again later."
        )
    if 300 <= status < 400:
        target = f" to {location}" if location else ""
        return ConnectorError, (
            f"{source}: HTTP {status} redirect at {shown}{target}; {hints.base_url_fix}, and use the final "
            f"https URL (redirects are not followed so keys never go to another host)."
        )
    return (
        ConnectorError,
        f"{source}: HTTP {status} at {shown}{tries}{rid} ({body_detail(content)}); {hints.base_url_fix}.",
    )
