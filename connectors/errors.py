"""Typed errors raised by every connector.

Callers catch meaning, not status codes: ``AuthError`` means "fix the key", ``NotFoundError`` usually means
"fix the base URL", ``RateLimitError`` / ``ServerError`` / ``ConnectionFailed`` mean "try again later" (the
HTTP client has already retried), ``ResponseShapeError`` means "the API changed or the base URL points at
something else".

``str(err)`` is one sentence that names the source, where it failed (a URL path, never a key or a query
string) and how to fix it. Messages are built by :mod:`connectors._http` and already redacted.
"""

from __future__ import annotations

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
