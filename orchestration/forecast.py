"""Daily spend forecasts for budgets (issue 10 item 5): one model per budget scope, fitted on its daily actuals.

Holt-Winters (statsmodels ``ExponentialSmoothing``: additive weekly seasonality, additive damped trend) when
the series has at least two weeks of days (``MIN_SEASONAL_DAYS``), the fewest with which a weekly season can
be estimated; otherwise the fallback, the mean of the days so far. The method used is returned with the
numbers. Floats exist only inside the model: each forecast day comes back as a Decimal rounded to cents and
never below 0 (spend cannot be negative; a falling trend stops at $0).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

SEASON_DAYS = 7
MIN_SEASONAL_DAYS = 2 * SEASON_DAYS
HOLT_WINTERS = "holt_winters_weekly_damped"
MEAN_FALLBACK = "mean_of_days_so_far"  # fewer than MIN_SEASONAL_DAYS days of history
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Forecast:
    method: str
    trained_through: date
    days: tuple[tuple[date, Decimal], ...]  # (forecast_date, forecast_usd), the days after trained_through


def _cents(value: float) -> Decimal:
    return max(Decimal(0), Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_EVEN))


def forecast_days(history: list[tuple[date, Decimal]], through: date) -> Forecast:
    """Forecast each day after the last day of ``history`` up to ``through`` (inclusive).

    ``history``: consecutive days (a day without spend is 0, not missing), oldest first, at least one.
    """
    if not history:
        raise ValueError("a forecast needs at least one day of history")
    trained_through = history[-1][0]
    horizon = (through - trained_through).days
    dates = [trained_through + timedelta(days=i) for i in range(1, horizon + 1)]
    if horizon <= 0:
        return Forecast(MEAN_FALLBACK if len(history) < MIN_SEASONAL_DAYS else HOLT_WINTERS, trained_through, ())
    if len(history) < MIN_SEASONAL_DAYS:
        mean = sum((value for _, value in history), Decimal(0)) / len(history)
        value = max(Decimal(0), mean.quantize(CENT, rounding=ROUND_HALF_EVEN))
        return Forecast(MEAN_FALLBACK, trained_through, tuple((day, value) for day in dates))
    values = _holt_winters([float(value) for _, value in history], horizon)
    return Forecast(HOLT_WINTERS, trained_through, tuple(zip(dates, map(_cents, values), strict=True)))


def _holt_winters(series: list[float], horizon: int) -> list[float]:
    import numpy as np
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = np.asarray(series, dtype=float)
    if np.ptp(y) == 0:  # a constant series: the model has nothing to fit (and warns); its forecast is the value
        return [float(y[0])] * horizon
    model = ExponentialSmoothing(
        y,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=SEASON_DAYS,
        initialization_method="estimated",
    )
    with warnings.catch_warnings():
        # convergence chatter on short series, log(0) in the information criteria of a perfect fit: the
        # forecast is unaffected
        warnings.simplefilter("ignore")
        return [float(v) for v in model.fit().forecast(horizon)]


# ------------------------------------------------------------------------------------------------ warehouse

FORECAST_SCHEMA = "forecast"
FORECAST_TABLE = "spend_forecast_daily"
# as dbt_project/macros/forecast.sql ensure_forecast_table creates it (dbt declares it as source forecast)
FORECAST_COLUMNS = (
    ("budget_id", "varchar"),
    ("forecast_date", "date"),
    ("forecast_usd", "decimal(38,12)"),
    ("method", "varchar"),
    ("trained_through", "date"),
)


def period_end(day: date, period: str) -> date:
    """The last UTC day of the calendar month or quarter holding ``day``."""
    months = 3 if period == "quarter" else 1
    first_month = (day.month - 1) // months * months + 1
    year, month = divmod(first_month - 1 + months, 12)
    return date(day.year + year, month + 1, 1) - timedelta(days=1)


def write_spend_forecast(conn) -> list[tuple[str, str, int]]:
    """Fit one model per budget on intermediate.int_budget_actuals_daily and replace the rows of
    forecast.spend_forecast_daily with each budget's forecast to the end of its current period (the one holding
    its latest day). Returns (budget_id, method, forecast days) per budget."""
    periods = dict(conn.execute("select budget_id, period from config.budgets").fetchall())
    history: dict[str, list[tuple[date, Decimal]]] = {}
    for budget_id, day, actual in conn.execute(
        "select budget_id, usage_date, actual_usd from intermediate.int_budget_actuals_daily "
        "order by budget_id, usage_date"
    ).fetchall():
        history.setdefault(budget_id, []).append((day, actual))
    rows, summary = [], []
    for budget_id, days in history.items():
        if budget_id not in periods:
            continue
        result = forecast_days(days, period_end(days[-1][0], periods[budget_id]))
        rows += [(budget_id, day, usd, result.method, result.trained_through) for day, usd in result.days]
        summary.append((budget_id, result.method, len(result.days)))
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in FORECAST_COLUMNS)
    marks = ", ".join(f"cast(? as {sql_type})" for _, sql_type in FORECAST_COLUMNS)
    conn.execute("begin transaction")
    try:
        conn.execute(f"create schema if not exists {FORECAST_SCHEMA}")
        conn.execute(f"create or replace table {FORECAST_SCHEMA}.{FORECAST_TABLE} ({columns})")
        if rows:
            conn.executemany(f"insert into {FORECAST_SCHEMA}.{FORECAST_TABLE} values ({marks})", rows)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return summary
