"""Display helpers. Money stays ``Decimal`` until here; ``None`` cost means unpriced, never $0."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

UNPRICED = "unpriced"
NO_VALUE = "—"
CENTS = Decimal("0.01")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def _to_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_usd(value: Any, *, missing: str = UNPRICED, places: int = 2) -> str:
    """``Decimal('12345.675')`` → ``"$12,345.68"`` (half up). ``None`` → ``missing`` ("unpriced").

    ``places=4`` shows sub-cent amounts (``"$0.0150"``), where cents would hide a difference.
    """
    if _is_missing(value):
        return missing
    rounded = _to_decimal(value).quantize(CENTS if places == 2 else Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.{places}f}"


def format_usd_delta(value: Any, *, places: int = 2) -> str | None:
    """Signed money for ``st.metric`` deltas: ``"+$1.23"`` / ``"-$1.23"``; ``None`` when unknown."""
    if _is_missing(value):
        return None
    text = format_usd(value, places=places)
    return text if text.startswith("-") else f"+{text}"


def format_pct(value: Any, *, missing: str = NO_VALUE) -> str:
    """``0.5041`` → ``"50.4%"``."""
    if _is_missing(value):
        return missing
    return f"{float(value):.1%}"


def format_price(value: Any, *, missing: str = UNPRICED) -> str:
    """A unit price with the digits it has, at least cents: ``Decimal('2.500000000000')`` → ``"$2.50"``,
    ``Decimal('0.075000000000')`` → ``"$0.075"``. ``None`` → ``missing``."""
    if _is_missing(value):
        return missing
    price = _to_decimal(value).normalize()
    places = max(2, -price.as_tuple().exponent)
    return format_usd(price, places=places)


def format_count(value: Any) -> str:
    return f"{int(value):,}"


_COMPACT_SCALES = ((Decimal(10) ** 3, "K"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 12, "T"))


def format_compact_count(value: Any, unit: str = "", *, missing: str = NO_VALUE) -> str:
    """A count in three significant digits with K / M / B / T (half up), for a metric that must not be truncated:
    ``4_813_935_123`` → ``"4.81 B"``, ``5_475_000`` → ``"5.48 M"``, ``999_999`` → ``"1.00 M"``; below 1,000 the
    whole number (``950``). ``unit`` is appended (``"4.81 B tokens"``). ``None`` → ``missing``."""
    if _is_missing(value):
        return missing
    number = _to_decimal(value)
    sign, magnitude = ("-" if number < 0 else ""), abs(number)
    whole = magnitude.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    text = f"{int(whole):,}"
    if magnitude < 1000 <= whole:  # 999.5 → 1.00 K
        magnitude = whole
    for index, (scale, suffix) in reversed(list(enumerate(_COMPACT_SCALES))):
        if magnitude < scale:
            continue
        scaled = magnitude / scale
        for places in (2, 1, 0):  # 3 significant digits: 9.995 → 10.0, 99.95 → 100
            rounded = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            if rounded < 10 ** (3 - places):
                break
        if rounded >= 1000 and index + 1 < len(_COMPACT_SCALES):  # 999.5 K → 1.00 M
            rounded, suffix = Decimal("1.00"), _COMPACT_SCALES[index + 1][1]
        text = f"{rounded:,} {suffix}"
        break
    if text == "0":
        sign = ""
    return f"{sign}{text} {unit}" if unit else f"{sign}{text}"


def format_provider_scope(providers: tuple[str, ...], all_providers: list[str]) -> str:
    """``"all providers"`` or ``"1 of 2 providers"``: a count, never the names (captions render Markdown)."""
    return format_scope(providers, all_providers, "providers")


def format_scope(chosen: tuple[str, ...], every: list[str], noun: str) -> str:
    """``"all teams"`` (nothing chosen, or every one) or ``"2 of 5 teams"``: a count, never the names."""
    if not chosen or set(every) <= set(chosen):
        return f"all {noun}"
    return f"{len(chosen)} of {len(every)} {noun}"


def format_days(local: bool) -> str:
    """Which day boundary a view shows: ``"UTC days"`` or ``"local days (the reporting time zone)"``. The zone's name
    comes from config, so it stays out of captions (the sidebar's select box shows it)."""
    return "local days (the reporting time zone)" if local else "UTC days"


def filters_not_applied(teams_chosen: bool, models_chosen: bool, *, team: str | None, model: str | None) -> str | None:
    """One line for a caption when a chosen team or model filter cannot apply to a view, with why (``team`` /
    ``model``: fixed text such as ``"billed lines carry no team"``; ``None`` when it applies); ``None`` when both
    apply or are not chosen."""
    missing = []
    if teams_chosen and team:
        missing.append(f"the team filter does not apply here: {team}")
    if models_chosen and model:
        missing.append(f"the model filter does not apply here: {model}")
    if not missing:
        return None
    text = "; ".join(missing)
    return f"{text[0].upper()}{text[1:]}."


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV for ``st.download_button``: money as exact Decimal text, unpriced as empty."""
    return frame.to_csv(index=False).encode("utf-8")


# fct_cost_reconciliation_daily.likely_cause in words (the model's header says how each is computed)
LIKELY_CAUSES = {
    "no_usage_reported": "billed, no usage reported",
    "not_billed": "no billed usage line (yet)",
    "unpriced_model": "model not in the price book",
    "tier_not_priced": "service tier not priced",
    "route_not_priced": "route not priced (deployment or region)",
    "usage_type_not_priced": "usage type not priced that day",
    "billed_lines_without_model": "unpriced usage; the bill names no model to set it apart",
    "non_token_billing_line": "billed as a non-token line",
    "model_billed_without_usage": "a model billed without usage",
    "model_used_not_billed": "a model used but not billed",
    "long_context_billed": "long-context requests billed above the base rate",
    "price_differs": "billed price differs from list",
}
UNPRICED_CAUSES = ("unpriced_model", "tier_not_priced", "route_not_priced", "usage_type_not_priced")


def format_likely_cause(cause: Any, models: Any) -> str:
    """The likely cause in words, with the unpriced models where the cause is about them (a dataframe cell)."""
    if not isinstance(cause, str):
        return NO_VALUE
    text = LIKELY_CAUSES.get(cause, cause)
    return f"{text}: {models}" if cause in UNPRICED_CAUSES and isinstance(models, str) else text


def format_when(value: Any) -> str:
    """A timestamp as ``2025-02-15 06:00`` (UTC); ``—`` when missing or not a time."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return NO_VALUE
    try:
        return f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"
    except ValueError:
        return NO_VALUE


def format_day_span(start: date, end_exclusive: date) -> str:
    """``(2025-02-01, 2025-02-15)`` → ``"Feb 1–14"``; spans months as ``"Jan 30–Feb 2"``."""
    last = end_exclusive - timedelta(days=1)
    if start == last:
        return f"{start:%b} {start.day}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start:%b} {start.day}–{last.day}"
    return f"{start:%b} {start.day}–{last:%b} {last.day}"


def _as_datetime(value: Any) -> datetime | None:
    """A ``datetime`` (or ISO text parsed into one); ``None`` for anything else."""
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_date(value: Any) -> date | None:
    """A ``date`` (or ISO text parsed into one); ``None`` for anything else."""
    if _is_missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def format_publish_caption(info: dict[str, Any] | None) -> str | None:
    """``"Data published 2025-02-15 06:00 UTC, covers 2025-01-01..2025-02-14"`` (data_end is exclusive).

    The caption renders Markdown, so it only ever holds values formatted here from dates, times
    and counts; text that does not parse as one is left out, never shown as it is.
    """
    if not info:
        return None
    parts = []
    published_at = _as_datetime(info.get("published_at"))
    if published_at is not None:
        if published_at.tzinfo is not None:
            published_at = published_at.astimezone(UTC)
        parts.append(f"Data published {published_at:%Y-%m-%d %H:%M} UTC")
    data_start, data_end = _as_date(info.get("data_start")), _as_date(info.get("data_end"))
    if data_start is not None and data_end is not None:
        parts.append(f"covers {data_start.isoformat()}..{(data_end - timedelta(days=1)).isoformat()}")
    warnings = info.get("quality_warnings")
    try:
        count = 0 if _is_missing(warnings) else int(warnings)
    except (TypeError, ValueError):
        count = 0
    if count > 0:
        parts.append(f"{count} quality warning{'s' if count != 1 else ''}")
    return ", ".join(parts) if parts else None


def anomaly_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Table columns for flagged anomaly days (``mart_cost_anomalies`` rows): day, scope, severity, actual, expected,
    the driver (``"model: gpt-4o"``; scope and driver are data, for dataframe cells only) and its change."""
    return {
        "Flagged day": [f"{v:%Y-%m-%d}" for v in frame["usage_date"]],
        "Scope": frame["scope"].tolist(),
        "Severity": frame["severity"].tolist(),
        "Actual": [format_usd(v) for v in frame["actual_usd"]],
        "Expected": [format_usd(v) for v in frame["expected_usd"]],
        "Driver": [
            NO_VALUE if _is_missing(t) else f"{t}: {v}"
            for t, v in zip(frame["driver_type"], frame["driver_value"], strict=True)
        ],
        "Driver change": [format_usd(v, missing=NO_VALUE) for v in frame["driver_delta_usd"]],
    }
