"""UTC day windows and timestamp parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from connectors.windows import as_utc_date, check_window, day_start_epoch, parse_ts, rfc3339, utc_days


def test_utc_days_is_half_open():
    assert utc_days(date(2024, 2, 28), date(2024, 3, 2)) == [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
    assert utc_days(date(2025, 1, 1), date(2025, 1, 2)) == [date(2025, 1, 1)]


@pytest.mark.parametrize(("start", "end"), [(date(2025, 1, 2), date(2025, 1, 2)), (date(2025, 1, 3), date(2025, 1, 2))])
def test_empty_or_reversed_window_is_refused_with_a_clear_message(start, end):
    with pytest.raises(ValueError, match="must be before end"):
        utc_days(start, end)


def test_day_start_epoch_is_utc_midnight():
    assert day_start_epoch(date(2024, 11, 1)) == 1730419200  # the vendor example's bucket start
    assert day_start_epoch(date(1970, 1, 1)) == 0
    assert day_start_epoch(date(2024, 11, 2)) - day_start_epoch(date(2024, 11, 1)) == 86400


def test_rfc3339_is_utc_midnight_with_z():
    assert rfc3339(date(2025, 8, 1)) == "2025-08-01T00:00:00Z"


def test_window_bounds_accept_utc_midnight_datetimes_but_not_other_times():
    assert as_utc_date(datetime(2025, 8, 1, tzinfo=UTC)) == date(2025, 8, 1)
    assert as_utc_date(datetime(2025, 8, 1)) == date(2025, 8, 1)  # naive = UTC
    assert check_window(datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 8, 2, tzinfo=UTC)) == (
        date(2025, 8, 1),
        date(2025, 8, 2),
    )
    with pytest.raises(ValueError, match="not a UTC midnight"):
        as_utc_date(datetime(2025, 8, 1, 6, 30))
    with pytest.raises(ValueError, match="not a UTC midnight"):  # local midnight in UTC+2 is 22:00 UTC
        as_utc_date(datetime(2025, 8, 1, tzinfo=timezone(timedelta(hours=2))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1730419200, datetime(2024, 11, 1)),
        (Decimal("1730419200.5"), datetime(2024, 11, 1, 0, 0, 0, 500000)),
        ("1730419200", datetime(2024, 11, 1)),
        ("2025-08-01T00:00:00Z", datetime(2025, 8, 1)),
        ("2024-10-30T23:58:27.427722Z", datetime(2024, 10, 30, 23, 58, 27, 427722)),
        ("2025-08-01T00:00:00.123Z", datetime(2025, 8, 1, 0, 0, 0, 123000)),
        ("2025-08-01T02:00:00+02:00", datetime(2025, 8, 1)),
        ("2025-07-31T19:00:00-05:00", datetime(2025, 8, 1)),
        ("2025-08-01T00:00:00", datetime(2025, 8, 1)),
        ("2025-08-01t00:00:00z", datetime(2025, 8, 1)),
        (datetime(2025, 8, 1, 2, tzinfo=timezone(timedelta(hours=2))), datetime(2025, 8, 1)),
    ],
)
def test_parse_ts_returns_naive_utc(value, expected):
    parsed = parse_ts(value)
    assert parsed == expected
    assert parsed.tzinfo is None


@pytest.mark.parametrize("value", ["yesterday", "", None, True, [1]])
def test_parse_ts_rejects_non_timestamps(value):
    with pytest.raises(ValueError):
        parse_ts(value)
