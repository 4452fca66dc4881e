"""Fault injection for the emulator: rate limits, server errors, slow and truncated responses.

A spec is a comma-separated list of items:

* ``KIND:RATE`` - each request independently gets the fault with probability RATE (0..1). The draw is a
  pure function of the fault seed and the request's number, so a run is reproducible.
* ``KINDxCOUNT`` - scripted: the next COUNT requests get the fault. Scripted items queue up in the order
  written (``"429x2,500x1"``: requests 1-2 get 429, request 3 gets 500), and come before any rate.
* ``seed=N`` (default 0), ``retry_after=S`` (the 429 ``Retry-After`` header, default 1 second),
  ``slow_seconds=S`` (how long ``slow`` waits, default 2.0).

KIND is one of:

* ``429``, ``500``, ``502``, ``503``, ``529`` (Anthropic's "overloaded"): that error, in the envelope of the
  plugin the path belongs to (``ApiPlugin.fault_response``).
* ``slow``: answer normally, late. ``truncate``: a 200 whose body is cut in half, then the connection closes.
* ``no_cursor``: a page that contradicts itself: ``data: []``, ``has_more: true`` and no cursor to go on with
  (``next_page: null`` on the usage and cost reports; ``first_id``/``last_id: null`` on the lists), in the
  vendor's normal 200 envelope. It replaces only a successful paged answer: a wrong key still gets 401, a bad
  parameter 400, and a non-paged answer (one project) is left alone.
* ``endless_cursor``: like ``no_cursor`` but with a fresh cursor every time (``next_page``
  ``"page_endless_<n>"``, or ``last_id`` ``"endless_<n>"`` on the lists, n counting up per such answer). The
  server accepts those cursors back (``page``, ``after``, ``after_id``, ``before_id``) instead of answering
  400, so with ``endless_cursor:1`` a client that only follows ``has_more`` pages forever. A request that
  carries such a cursor but does not get the fault is answered with an empty last page (``has_more: false``).
* ``no_cached_field``: the normal answer, except that every OpenAI completions usage result
  (``/organization/usage/completions``) lacks the ``input_cached_tokens`` key altogether; the OpenAI plugin
  applies it (``ApiPlugin.alter``). Other endpoints answer normally (the request still counts).
* ``html``: a 200 with ``Content-Type: text/html; charset=utf-8`` and a small sign-in page, as when a base
  URL points at a proxy's web page instead of the API (no authentication is checked).

Example: ``"429:0.1,500:0.05,slow:0.02,truncate:0.02,seed=7"`` or ``"endless_cursorx3,no_cached_field:0.5"``.
Faults never apply to ``/_emulator/`` paths.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

ERROR_KINDS = ("429", "500", "502", "503", "529")  # answered with an error envelope instead of the handler
KINDS = (*ERROR_KINDS, "slow", "truncate", "no_cursor", "endless_cursor", "no_cached_field", "html")
OPTIONS = ("seed", "retry_after", "slow_seconds")


def _fail(item: str, why: str) -> ValueError:
    return ValueError(
        f"Invalid fault spec item {item!r}: {why} (expected KIND:RATE, KINDxCOUNT, seed=N, retry_after=S or "
        f"slow_seconds=S, with KIND one of {', '.join(KINDS)})."
    )


@dataclass(frozen=True)
class FaultSpec:
    rates: tuple[tuple[str, float], ...] = ()  # (kind, probability), in spec order
    script: tuple[str, ...] = ()  # the kinds of the first len(script) requests
    seed: int = 0
    retry_after: float = 1
    slow_seconds: float = 2.0

    @classmethod
    def parse(cls, spec: "FaultSpec | str | None") -> "FaultSpec":
        if spec is None:
            return cls()
        if isinstance(spec, FaultSpec):
            return spec
        rates: dict[str, float] = {}
        script: list[str] = []
        options: dict[str, float] = {}
        for raw in str(spec).split(","):
            item = raw.strip()
            if not item:
                continue
            if "=" in item:
                name, _, value = (p.strip() for p in item.partition("="))
                if name not in OPTIONS:
                    raise _fail(item, f"unknown option {name!r}")
                try:
                    number = int(value) if name == "seed" else float(value)
                except ValueError:
                    raise _fail(item, f"{name} must be a number") from None
                if number < 0:
                    raise _fail(item, f"{name} must not be negative")
                options[name] = number
            elif ":" in item:
                kind, _, value = (p.strip() for p in item.partition(":"))
                if kind not in KINDS:
                    raise _fail(item, f"unknown fault kind {kind!r}")
                try:
                    rate = float(value)
                except ValueError:
                    raise _fail(item, "the rate must be a number between 0 and 1") from None
                if not 0 <= rate <= 1:
                    raise _fail(item, "the rate must be between 0 and 1")
                rates[kind] = rates.get(kind, 0.0) + rate
            elif "x" in item:
                kind, _, value = (p.strip() for p in item.rpartition("x"))
                if kind not in KINDS:
                    raise _fail(item, f"unknown fault kind {kind!r}")
                if not value.isdigit():
                    raise _fail(item, "the count must be a whole number")
                script.extend([kind] * int(value))
            else:
                raise _fail(item, "it is neither a rate, a count nor an option")
        if sum(rates.values()) > 1:
            raise ValueError(f"Invalid fault spec {spec!r}: the rates add up to more than 1.")
        return cls(
            rates=tuple(rates.items()),
            script=tuple(script),
            seed=int(options.get("seed", 0)),
            retry_after=options.get("retry_after", 1),
            slow_seconds=options.get("slow_seconds", 2.0),
        )

    def __bool__(self) -> bool:
        return bool(self.rates or self.script)

    def uses(self, kind: str) -> bool:
        """Whether any request can get the fault ``kind``."""
        return kind in self.script or any(k == kind and r > 0 for k, r in self.rates)

    def fault_for(self, n: int) -> str | None:
        """The fault of request number ``n`` (0-based, counting every non-``/_emulator/`` request)."""
        if n < len(self.script):
            return self.script[n]
        if not self.rates:
            return None
        digest = hashlib.sha256(f"{self.seed}|{n}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        edge = 0.0
        for kind, rate in self.rates:
            edge += rate
            if draw < edge:
                return kind
        return None

    def describe(self) -> str:
        parts = [f"{k}x{self.script.count(k)}" for k in dict.fromkeys(self.script)]
        parts += [f"{k}:{r:g}" for k, r in self.rates]
        return ", ".join(parts) or "none"


@dataclass
class FaultInjector:
    """A spec plus the request counter it is applied with (thread-safe)."""

    spec: FaultSpec
    _count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self) -> str | None:
        with self._lock:
            n = self._count
            self._count += 1
        return self.spec.fault_for(n)
