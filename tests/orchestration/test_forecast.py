"""The budget forecast (orchestration/forecast.py): Holt-Winters with weekly seasonality on two weeks or more,
the mean of the days so far below that; Decimal cents, never below 0."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from orchestration.forecast import HOLT_WINTERS, MEAN_FALLBACK, forecast_days, period_end

pytest.importorskip("statsmodels")

MONDAY = date(2026, 3, 2)
# a flat $100 on weekdays and less at the weekend: Saturday -$40, Sunday -$50
WEEK = [D(100), D(100), D(100), D(100), D(100), D(60), D(50)]


def series(days: int, value=lambda i: WEEK[i % 7]) -> list[tuple[date, D]]:
    return [(MONDAY + timedelta(days=i), value(i)) for i in range(days)]


def test_a_flat_plus_weekly_series_is_forecast_as_its_pattern():
    history = series(28)  # four weeks, Monday 2 to Sunday 29 March
    result = forecast_days(history, date(2026, 4, 12))  # two more weeks: Monday 30 March .. Sunday 12 April
    assert result.method == HOLT_WINTERS
    assert result.trained_through == date(2026, 3, 29)
    assert [day for day, _ in result.days] == [date(2026, 3, 30) + timedelta(days=i) for i in range(14)]
    # The series is exactly its weekly pattern (level 100 - the weekend dips, no trend), which the additive
    # model represents exactly; the smoothing parameters come from a numeric optimiser, so the floats can miss
    # the pattern by its stopping tolerance (far below a cent) and the rounding to cents then by one cent at
    # most. So each day is the pattern within $0.01, and the two weeks' total ($1,220 = 2 x (5 x 100 + 60 +
    # 50)) within 14 cents.
    for i, (_, usd) in enumerate(result.days):
        assert abs(usd - WEEK[i % 7]) <= D("0.01"), (i, usd)
    assert abs(sum(usd for _, usd in result.days) - D(1220)) <= D("0.14")
    assert all(usd.as_tuple().exponent == -2 for _, usd in result.days)  # Decimal cents


def test_fewer_than_14_days_use_the_mean_of_the_days_so_far():
    history = series(13)  # 13 days, Monday 2 .. Saturday 14 March: 100 x 10 + 60 x 2 + 50 = 1,170 -> 1,170 / 13 = 90.00
    result = forecast_days(history, date(2026, 3, 17))
    assert result.method == MEAN_FALLBACK
    assert result.days == (
        (date(2026, 3, 15), D("90.00")),
        (date(2026, 3, 16), D("90.00")),
        (date(2026, 3, 17), D("90.00")),
    )


def test_14_days_are_enough_for_the_seasonal_model():
    assert forecast_days(series(14), date(2026, 3, 16)).method == HOLT_WINTERS


def test_a_falling_trend_stops_at_zero():
    # $200 falling $10 a day for three weeks (to $0 on day 21): continued, the trend goes below 0; spend cannot
    history = series(21, lambda i: D(200 - 10 * i) if i < 20 else D(0))
    result = forecast_days(history, date(2026, 4, 30))
    assert result.method == HOLT_WINTERS
    assert min(usd for _, usd in result.days) >= 0


def test_no_days_left_means_no_forecast():
    assert forecast_days(series(3), date(2026, 3, 4)).days == ()  # history ends 4 March


@pytest.mark.parametrize(
    "day, period, end",
    [
        (date(2026, 2, 3), "month", date(2026, 2, 28)),
        (date(2028, 2, 3), "month", date(2028, 2, 29)),  # leap year
        (date(2026, 12, 31), "month", date(2026, 12, 31)),
        (date(2026, 2, 3), "quarter", date(2026, 3, 31)),
        (date(2026, 11, 3), "quarter", date(2026, 12, 31)),
    ],
)
def test_period_end(day, period, end):
    assert period_end(day, period) == end
