"""UTC day windows and timestamp parsing shared by the connectors.

Windows are half-open ``[start, end)`` and aligned to UTC midnights (provider-apis.md section 0: OpenAI
echoes an unaligned ``start_time`` as the first bucket's start, so we always send midnights ourselves).
Timestamps come back as naive ``datetime`` values meaning UTC, the raw landing contract's ``TIMESTAMP``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

_UTC_MIDNIGHT = time(0, 0)


def as_utc_date(value: date | datetime) -> date:
    """The UTC day of ``value``: a ``date`` as is, or a ``datetime`` that is exactly a UTC midnight.

    Naive datetimes are taken as UTC. A datetime that is not a UTC midnight raises ValueError rather than
    being silently floored (it would pull a different day than the caller meant).
    """
    if isinstance(value, datetime):
        utc = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        if utc.time() != _UTC_MIDNIGHT:
            raise ValueError(f"window bound {value.isoformat()} is not a UTC midnight; pass dates or UTC midnights")
        return utc.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}: {value!r}")


def check_window(start: date | datetime, end: date | datetime) -> tuple[date, date]:
    """``(start, end)`` as UTC dates; ValueError unless ``start < end`` (the window is half-open)."""
    start_d, end_d = as_utc_date(start), as_utc_date(end)
    if start_d >= end_d:
        raise ValueError(
            f"empty window: start {start_d.isoformat()} must be before end {end_d.isoformat()} "
            f"(the end day is excluded, so one day is start=D, end=D+1)"
        )
    return start_d, end_d


def utc_days(start: date | datetime, end: date | datetime) -> list[date]:
    """Every UTC day in the half-open window ``[start, end)``."""
    start_d, end_d = check_window(start, end)
    return [start_d + timedelta(days=i) for i in range((end_d - start_d).days)]


def day_span(start: date, end: date) -> str:
    """The half-open window [start, end) as people say it: "UTC day 2025-06-01" or "UTC days 2025-06-01..2025-06-30"."""
    last = end - timedelta(days=1)
    return f"UTC day {start.isoformat()}" if last == start else f"UTC days {start.isoformat()}..{last.isoformat()}"


def day_start_epoch(d: date | datetime) -> int:
    """Unix seconds of the UTC midnight that starts day ``d``."""
    return calendar.timegm(as_utc_date(d).timetuple())


def rfc3339(d: date | datetime) -> str:
    """The UTC midnight that starts day ``d``, as ``YYYY-MM-DDT00:00:00Z``."""
    return f"{as_utc_date(d).isoformat()}T00:00:00Z"


def parse_ts(value: int | float | Decimal | str | datetime) -> datetime:
    """A naive UTC datetime from unix seconds or an RFC 3339 / ISO 8601 string.

    Accepts ints, floats and Decimals (unix seconds), digit strings (unix seconds), strings with or without
    fractional seconds (more than 6 digits are truncated), with ``Z``, ``+hh:mm`` offsets, or no offset
    (taken as UTC), and aware or naive datetimes. Raises ValueError with the offending value otherwise.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, (int, float, Decimal)):
        try:
            seconds = value if isinstance(value, int) else float(value)
            return datetime(1970, 1, 1) + timedelta(seconds=seconds)
        except (OverflowError, ValueError) as exc:
            raise ValueError(f"unix timestamp out of range: {value!r}") from exc
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_ts(int(text))
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not an RFC 3339 timestamp: {value!r}") from exc
    else:
        raise ValueError(f"not a timestamp: {value!r} ({type(value).__name__})")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
