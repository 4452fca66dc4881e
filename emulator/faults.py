"""Fault injection for the emulator: rate limits, server errors, slow and truncated responses, corrupt days.

A spec is a comma-separated list of items:

* ``KIND:RATE`` - each request independently gets the fault with probability RATE (0..1). The draw is a
  pure function of the fault seed and the request's number, so a run is reproducible.
* ``KINDxCOUNT`` - scripted: the next COUNT requests get the fault. Scripted items queue up in the order
  written (``"429x2,500x1"``: requests 1-2 get 429, request 3 gets 500), and come before any rate.
* ``KIND@YYYY-MM-DD`` - a data fault on one UTC day: every usage report answer that holds that day's rows is
  corrupted the same way, on every request (no draw, no count, not counted as the request's fault), for as long
  as the emulator runs with that spec (clear it by starting it again without). Listed again for another day,
  it corrupts that day too.
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
* ``dup_row`` (data, ``@day`` only): a usage page repeats one result row of that day, right after itself, as a
  buggy vendor page would (the first result of the day's first bucket that has results).
* ``negative_tokens`` (data, ``@day`` only): one result of that day (the second, or the only one) reports
  ``output_tokens`` negated (-1 where it was 0).
* ``unknown_model`` (data, ``@day`` only): one result of that day (the third, or the last) names the model
  ``gpt-unknown-2099``, which no price book has.

  The data faults apply to the OpenAI completions usage report and the Anthropic messages usage report
  (``ApiPlugin.alter`` with the fault ``"KIND@YYYY-MM-DD"``, :func:`corrupt_usage_page`); their rows are
  chosen by position, so the same request gets the same corruption every time. Each kind hits a different
  row, so one day can carry all three and each stays visible.
* ``html``: a 200 with ``Content-Type: text/html; charset=utf-8`` and a small sign-in page, as when a base
  URL points at a proxy's web page instead of the API (no authentication is checked).

Example: ``"429:0.1,500:0.05,slow:0.02,truncate:0.02,seed=7"``, ``"endless_cursorx3,no_cached_field:0.5"`` or
``"dup_row@2025-06-08,negative_tokens@2025-06-08,unknown_model@2025-06-08"``.
Faults never apply to ``/_emulator/`` paths.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

ERROR_KINDS = ("429", "500", "502", "503", "529")  # answered with an error envelope instead of the handler
KINDS = (*ERROR_KINDS, "slow", "truncate", "no_cursor", "endless_cursor", "no_cached_field", "html")
OPTIONS = ("seed", "retry_after", "slow_seconds")
DAY_KINDS = ("dup_row", "negative_tokens", "unknown_model")  # data faults of one UTC day (KIND@YYYY-MM-DD)
UNKNOWN_MODEL = "gpt-unknown-2099"  # the model ``unknown_model`` names: in no price book


def _fail(item: str, why: str) -> ValueError:
    return ValueError(
        f"Invalid fault spec item {item!r}: {why} (expected KIND:RATE, KINDxCOUNT, seed=N, retry_after=S or "
        f"slow_seconds=S, with KIND one of {', '.join(KINDS)}; or KIND@YYYY-MM-DD with KIND one of "
        f"{', '.join(DAY_KINDS)})."
    )


@dataclass(frozen=True)
class FaultSpec:
    rates: tuple[tuple[str, float], ...] = ()  # (kind, probability), in spec order
    script: tuple[str, ...] = ()  # the kinds of the first len(script) requests
    seed: int = 0
    retry_after: float = 1
    slow_seconds: float = 2.0
    days: tuple[tuple[str, date], ...] = ()  # (data fault kind, UTC day), in spec order

    @classmethod
    def parse(cls, spec: "FaultSpec | str | None") -> "FaultSpec":
        if spec is None:
            return cls()
        if isinstance(spec, FaultSpec):
            return spec
        rates: dict[str, float] = {}
        script: list[str] = []
        options: dict[str, float] = {}
        days: list[tuple[str, date]] = []
        for raw in str(spec).split(","):
            item = raw.strip()
            if not item:
                continue
            if "@" in item:
                kind, _, value = (p.strip() for p in item.partition("@"))
                if kind not in DAY_KINDS:
                    raise _fail(item, f"unknown data fault kind {kind!r}")
                try:
                    day = date.fromisoformat(value)
                except ValueError:
                    raise _fail(item, "the day must be YYYY-MM-DD") from None
                if (kind, day) not in days:
                    days.append((kind, day))
            elif "=" in item:
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
            days=tuple(days),
        )

    def __bool__(self) -> bool:
        return bool(self.rates or self.script or self.days)

    def day_faults(self) -> list[str]:
        """The data faults as ``ApiPlugin.alter`` gets them, ``"KIND@YYYY-MM-DD"``, in the order they are applied:
        ``dup_row`` last, so the rows the others pick by position are those of the vendor's page."""
        ordered = sorted(self.days, key=lambda d: d[0] == "dup_row")
        return [f"{kind}@{day.isoformat()}" for kind, day in ordered]

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
        parts += [f"{kind}@{day.isoformat()}" for kind, day in self.days]
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


def parse_day_fault(fault: str | None) -> tuple[str, date] | None:
    """``"dup_row@2025-06-08"`` -> (``"dup_row"``, the day); any other fault (or none) -> None."""
    if not fault or "@" not in fault:
        return None
    kind, _, value = fault.partition("@")
    return (kind, date.fromisoformat(value)) if kind in DAY_KINDS else None


def corrupt_usage_page(
    body: dict[str, Any],
    kind: str,
    day: date,
    *,
    bucket_day: Callable[[dict[str, Any]], date],
    model_key: str = "model",
) -> dict[str, Any]:
    """A usage report page (``data``: buckets with ``results``) with the data fault ``kind`` applied to ``day``'s
    results (``bucket_day``: the UTC day a bucket belongs to). A page without such results is returned as is.
    The rows are picked by position among the day's results, in page order: ``dup_row`` the first,
    ``negative_tokens`` the second, ``unknown_model`` the third (fewer results: the last one)."""
    spots = [
        (b, r)
        for b, bucket in enumerate(body.get("data") or [])
        if isinstance(bucket, dict) and bucket_day(bucket) == day
        for r in range(len(bucket.get("results") or []))
    ]
    if not spots:
        return body
    b, r = spots[min(DAY_KINDS.index(kind), len(spots) - 1)]
    buckets = list(body["data"])
    results = [dict(x) for x in buckets[b]["results"]]
    row = results[r]
    if kind == "dup_row":
        results.insert(r + 1, dict(row))
    elif kind == "negative_tokens":
        row["output_tokens"] = -(row.get("output_tokens") or 1)
    else:
        row[model_key] = UNKNOWN_MODEL
    buckets[b] = {**buckets[b], "results": results}
    return {**body, "data": buckets}
