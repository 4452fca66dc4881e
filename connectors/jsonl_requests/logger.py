"""Log every call of an OpenAI or Anthropic SDK client as one line of the plain format ``finops.request.v1``.

    from openai import OpenAI
    from connectors.jsonl_requests.logger import RequestLogger
    log = RequestLogger("requests.jsonl", team="search", feature="answers")
    client = log.wrap(OpenAI())
    client.chat.completions.create(model="gpt-4o-mini", messages=[...], user="alice")

Logged: ``chat.completions.create`` and ``responses.create`` (OpenAI), ``messages.create`` (Anthropic), sync clients.
Per call, ``log_user=``, ``log_team=``, ``log_feature=``, ``log_tags=`` override what the logger was given (they
are taken out before the SDK sees the call); the user also comes from OpenAI's ``user`` / ``safety_identifier``
or Anthropic's ``metadata.user_id``. Never logged: the API key, headers (``extra_headers`` included), messages,
outputs. A call that raises the SDK's API error is logged with status error and zero tokens, then re-raised.
Streaming calls (``stream=True``) are not logged: their usage arrives at the end of the stream.

Token buckets are made disjoint from the SDKs' usage types:
* OpenAI chat ``CompletionUsage``: ``prompt_tokens`` includes ``prompt_tokens_details.cached_tokens`` and
  ``.cache_write_tokens``; ``completion_tokens`` includes ``completion_tokens_details.reasoning_tokens``.
* OpenAI ``ResponseUsage``: ``input_tokens`` includes ``input_tokens_details.cached_tokens`` and
  ``.cache_write_tokens``; ``output_tokens`` includes ``output_tokens_details.reasoning_tokens``.
* Anthropic ``Usage``: ``input_tokens`` excludes ``cache_read_input_tokens`` and ``cache_creation_input_tokens``;
  ``cache_creation.ephemeral_5m_input_tokens`` / ``ephemeral_1h_input_tokens`` split the writes by TTL.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.jsonl_requests.reader import FORMAT

PER_CALL = ("log_user", "log_team", "log_feature", "log_tags")
TIERS = {"default": "standard", "auto": "standard", "scale": "standard", None: "standard"}


class RequestLogger:
    """Appends one ``finops.request.v1`` line per SDK call to ``path`` (thread-safe: one ``write`` per line on a
    file opened for append, under a lock)."""

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        user: str | None = None,
        team: str | None = None,
        feature: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.user, self.team, self.feature = user, team, feature
        self.tags = dict(tags or {})
        self._lock = threading.Lock()

    def wrap(self, client: Any) -> Any:
        """``client`` (an ``openai.OpenAI`` or ``anthropic.Anthropic``) with its create calls logged."""
        module = type(client).__module__.split(".")[0]
        if module not in ("openai", "anthropic"):
            raise TypeError(f"RequestLogger wraps openai.OpenAI or anthropic.Anthropic clients, not {type(client)!r}")
        provider = "azure" if type(client).__name__ == "AzureOpenAI" else module
        paths = {("chat", "completions"), ("responses",)} if module == "openai" else {("messages",)}
        return _Proxy(client, (), paths, lambda create, kwargs: self._call(provider, module, create, kwargs))

    # -- one call ---------------------------------------------------------------------------------------------

    def _call(self, provider: str, sdk: str, create: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        given = {name: kwargs.pop(name) for name in PER_CALL if name in kwargs}
        if kwargs.get("stream"):
            return create(**kwargs)
        started_at = datetime.now(UTC)
        start = time.perf_counter()
        error = _api_error(sdk)
        try:
            response = create(**kwargs)
        except error as exc:
            line = self._line(provider, kwargs, given, started_at, start, status="error")
            line["request_id"] = getattr(exc, "request_id", None) or f"error-{uuid.uuid4()}"
            self._write(line)
            raise
        line = self._line(provider, kwargs, given, started_at, start, status="success")
        line["request_id"] = getattr(response, "id", None) or f"call-{uuid.uuid4()}"
        line["model"] = getattr(response, "model", None) or line["model"]
        tier = getattr(response, "service_tier", None)
        usage = getattr(response, "usage", None)
        if sdk == "anthropic":
            tier = getattr(usage, "service_tier", None) or tier
        line["service_tier"] = TIERS.get(tier, tier)
        line.update(_buckets(sdk, usage))
        self._write(line)
        return response

    def _line(self, provider, kwargs, given, started_at, start, *, status) -> dict[str, Any]:
        metadata = kwargs.get("metadata") if isinstance(kwargs.get("metadata"), Mapping) else {}
        user = given.get("log_user") or kwargs.get("user") or kwargs.get("safety_identifier") or metadata.get("user_id")
        line: dict[str, Any] = {
            "format": FORMAT,
            "request_id": None,
            "timestamp": started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "provider": provider,
            "model": str(kwargs.get("model") or "unknown"),
            "service_tier": TIERS.get(kwargs.get("service_tier"), kwargs.get("service_tier")),
            "status": status,
            "latency_ms": round((time.perf_counter() - start) * 1000),
            "input_tokens": 0,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "cache_write_1h_tokens": 0,
            "output_tokens": 0,
            "reasoning_tokens": 0,
        }
        for key, value in (
            ("user", user or self.user),
            ("team", given.get("log_team") or self.team),
            ("feature", given.get("log_feature") or self.feature),
        ):
            if value:
                line[key] = str(value)
        tags = {**self.tags, **(given.get("log_tags") or {})}
        if tags:
            line["tags"] = {str(k): str(v) for k, v in tags.items()}
        return line

    def _write(self, line: dict[str, Any]) -> None:
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)


def _api_error(sdk: str) -> type[BaseException]:
    if sdk == "openai":
        import openai

        return openai.APIError
    import anthropic

    return anthropic.APIError


def _n(value: Any) -> int:
    return int(value or 0)


def _buckets(sdk: str, usage: Any) -> dict[str, int]:
    """Disjoint buckets from an SDK usage object (see the module docstring)."""
    if usage is None:
        return {}
    if sdk == "anthropic":
        creation = getattr(usage, "cache_creation", None)
        if creation is not None:
            write_5m, write_1h = _n(creation.ephemeral_5m_input_tokens), _n(creation.ephemeral_1h_input_tokens)
        else:
            write_5m, write_1h = _n(getattr(usage, "cache_creation_input_tokens", 0)), 0
        return {
            "input_tokens": _n(usage.input_tokens),
            "cache_read_tokens": _n(getattr(usage, "cache_read_input_tokens", 0)),
            "cache_write_tokens": write_5m,
            "cache_write_1h_tokens": write_1h,
            "output_tokens": _n(usage.output_tokens),
        }
    if hasattr(usage, "prompt_tokens"):  # chat completions
        total_in, total_out = _n(usage.prompt_tokens), _n(usage.completion_tokens)
        details, out_details = usage.prompt_tokens_details, usage.completion_tokens_details
    else:  # responses
        total_in, total_out = _n(usage.input_tokens), _n(usage.output_tokens)
        details, out_details = usage.input_tokens_details, usage.output_tokens_details
    cached = _n(getattr(details, "cached_tokens", 0))
    written = _n(getattr(details, "cache_write_tokens", 0))
    return {
        "input_tokens": max(total_in - cached - written, 0),
        "cache_read_tokens": cached,
        "cache_write_tokens": written,
        "cache_write_1h_tokens": 0,
        "output_tokens": total_out,
        "reasoning_tokens": _n(getattr(out_details, "reasoning_tokens", 0)),
    }


class _Proxy:
    """Delegates every attribute to ``target``; along the attribute paths of ``logged`` (e.g. chat.completions),
    ``create`` goes through ``call(create, kwargs)``."""

    def __init__(self, target: Any, at: tuple[str, ...], logged: set[tuple[str, ...]], call) -> None:
        self._target, self._at, self._logged, self._call = target, at, logged, call

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name == "create" and self._at in self._logged:
            return lambda **kwargs: self._call(value, kwargs)
        path = (*self._at, name)
        if any(logged[: len(path)] == path for logged in self._logged):
            return _Proxy(value, path, self._logged, self._call)
        return value
