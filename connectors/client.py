"""The base client of any API source: the key check, the HTTP core with the source's words for errors,
a repr that never shows the key. A source's client names its auth headers and default base URL."""

from __future__ import annotations

from typing import Any, ClassVar

from connectors.errors import AuthError, Hints
from connectors.http import HttpClient


class SourceClient:
    """Base of the API clients. ``http_kwargs`` go to :class:`connectors.http.HttpClient`
    (``timeout``, ``max_retries``, ``max_retry_delay``, ``sleep``, ``session``, ``jitter``, ``clock``,
    ``monotonic``)."""

    source: ClassVar[str]
    default_base_url: ClassVar[str]
    hints: ClassVar[Hints]

    def __init__(self, api_key: str, base_url: str | None = None, **http_kwargs: Any) -> None:
        key = (api_key or "").strip()
        if not key:
            raise AuthError(f"{self.source}: no key was given; {self.hints.key_fix}.", source=self.source)
        secrets = (key, *http_kwargs.pop("secrets", ()))
        self._http = HttpClient(
            base_url or self.default_base_url,
            self._auth_headers(key),
            source=self.source,
            secrets=secrets,
            hints=self.hints,
            **http_kwargs,
        )

    def _auth_headers(self, key: str) -> dict[str, str]:
        raise NotImplementedError

    @property
    def http(self) -> HttpClient:
        return self._http

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows the key
        return f"{type(self).__name__}(base_url={self._http.base_url!r})"
