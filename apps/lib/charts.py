"""Altair charts. The only place where DECIMAL money becomes float: charts need numbers, not Decimals."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd


def _as_float(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.map(lambda value: None if value is None else float(value)), errors="coerce")


def daily_spend_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars of list cost per UTC day, coloured by provider.

    ``frame``: ``usage_date`` (date), ``provider``, ``list_cost_usd`` (Decimal).
    """
    data = pd.DataFrame(
        {
            "usage_date": pd.to_datetime(frame["usage_date"]),
            "provider": frame["provider"].astype(str),
            "list_cost_usd": _as_float(frame["list_cost_usd"]),
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(usage_date):T", title="UTC day"),
            y=alt.Y("sum(list_cost_usd):Q", title="List cost (USD)", stack="zero", axis=alt.Axis(format="$,.2f")),
            color=alt.Color("provider:N", title="Provider"),
            tooltip=[
                alt.Tooltip("yearmonthdate(usage_date):T", title="Day"),
                alt.Tooltip("provider:N", title="Provider"),
                alt.Tooltip("sum(list_cost_usd):Q", title="List cost", format="$,.2f"),
            ],
        )
    )


def model_spend_chart(frame: pd.DataFrame) -> alt.Chart:
    """Horizontal bars of list cost per model (priced models only), coloured by provider.

    ``frame``: ``provider``, ``model_id``, ``list_cost_usd`` (Decimal or None).
    """
    data = pd.DataFrame(
        {
            "provider": frame["provider"].astype(str),
            "model_id": frame["model_id"].astype(str),
            "list_cost_usd": _as_float(frame["list_cost_usd"]),
        }
    ).dropna(subset=["list_cost_usd"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("list_cost_usd:Q", title="List cost (USD)", axis=alt.Axis(format="$,.2f")),
            y=alt.Y("model_id:N", title=None, sort="-x"),
            color=alt.Color("provider:N", title="Provider"),
            tooltip=[
                alt.Tooltip("provider:N", title="Provider"),
                alt.Tooltip("model_id:N", title="Model"),
                alt.Tooltip("list_cost_usd:Q", title="List cost", format="$,.2f"),
            ],
        )
    )


def cost_bar_chart(frame: pd.DataFrame, category: str, title: str) -> alt.Chart:
    """Horizontal bars of list cost per ``category`` (a team, feature, user or tag value), costliest on top.

    ``frame``: ``category`` (text from the data: drawn as chart text, never Markdown), ``list_cost_usd``
    (Decimal or None; unpriced rows are left out, not drawn as $0).
    """
    data = pd.DataFrame(
        {
            "category": frame[category].astype(str),
            "list_cost_usd": _as_float(frame["list_cost_usd"]),
        }
    ).dropna(subset=["list_cost_usd"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("list_cost_usd:Q", title="List cost (USD)", axis=alt.Axis(format="$,.2f")),
            y=alt.Y("category:N", title=title, sort="-x"),
            tooltip=[
                alt.Tooltip("category:N", title=title),
                alt.Tooltip("list_cost_usd:Q", title="List cost", format="$,.2f"),
            ],
        )
    )


def price_step_chart(history: pd.DataFrame, changes: pd.DataFrame | None, chart_end: Any) -> alt.Chart | alt.LayerChart:
    """List price over time as steps, one line per usage type (and prompt-size tier), the changes as rules.

    ``history``: ``dim_price`` rows of one model and unit (``usage_type``, ``prompt_tokens_gt``,
    ``unit_price_usd`` Decimal, ``effective_from``, ``effective_to`` exclusive or None = current); each window is
    drawn from its start to its end (``chart_end`` when open or later). ``changes``: ``mart_price_changes`` rows
    (``change_date``, ``usage_type``, ``old_unit_price_usd``, ``new_unit_price_usd``, ``price_change_pct``);
    ``None`` when the serving copy has none (the steps alone).
    """
    end = pd.Timestamp(chart_end)
    points = []
    for row in history.itertuples(index=False):
        series = row.usage_type if not row.prompt_tokens_gt else f"{row.usage_type} > {row.prompt_tokens_gt:,} prompt"
        window_end = end if row.effective_to is None or pd.isna(row.effective_to) else pd.Timestamp(row.effective_to)
        for day in (pd.Timestamp(row.effective_from), min(window_end, end)):
            points.append({"day": day, "series": series, "price": float(row.unit_price_usd), "order": len(points)})
    lines = (
        alt.Chart(pd.DataFrame(points, columns=["day", "series", "price", "order"]))
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("day:T", title="UTC day"),
            y=alt.Y("price:Q", title="List price (USD per 1M tokens)", axis=alt.Axis(format="$,.4~f")),
            color=alt.Color("series:N", title="Usage type"),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("series:N", title="Usage type"),
                alt.Tooltip("day:T", title="From"),
                alt.Tooltip("price:Q", title="Price", format="$,.6~f"),
            ],
        )
    )
    if changes is None:
        return lines
    events = pd.DataFrame(
        {
            "change_date": pd.to_datetime(changes["change_date"]),
            "usage_type": changes["usage_type"].astype(str),
            "old_price": _as_float(changes["old_unit_price_usd"]),
            "new_price": _as_float(changes["new_unit_price_usd"]),
            "change_pct": _as_float(changes["price_change_pct"]),
        }
    )
    rules = (
        alt.Chart(events)
        .mark_rule(strokeDash=[4, 3], color="gray")
        .encode(
            x="change_date:T",
            tooltip=[
                alt.Tooltip("change_date:T", title="Price change"),
                alt.Tooltip("usage_type:N", title="Usage type"),
                alt.Tooltip("old_price:Q", title="Old price", format="$,.6~f"),
                alt.Tooltip("new_price:Q", title="New price", format="$,.6~f"),
                alt.Tooltip("change_pct:Q", title="Change %", format="+.1f"),
            ],
        )
    )
    return alt.layer(lines, rules)


def team_month_method_chart(frame: pd.DataFrame) -> alt.FacetChart:
    """Horizontal bars of allocated cost per team, one panel per month (its own teams only), stacked by
    allocation method.

    ``frame``: ``month`` (date), ``team`` (text from the data: chart text only), ``allocation_method``,
    ``cost_usd`` (Decimal).
    """
    data = pd.DataFrame(
        {
            "month": pd.to_datetime(frame["month"]),
            "team": frame["team"].astype(str),
            "allocation_method": frame["allocation_method"].astype(str),
            "cost_usd": _as_float(frame["cost_usd"]),
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("sum(cost_usd):Q", title="Allocated cost (USD)", stack="zero", axis=alt.Axis(format="$,.2f")),
            y=alt.Y("team:N", title=None, sort="-x"),
            color=alt.Color("allocation_method:N", title="Method"),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month"),
                alt.Tooltip("team:N", title="Team"),
                alt.Tooltip("allocation_method:N", title="Method"),
                alt.Tooltip("sum(cost_usd):Q", title="Allocated cost", format="$,.2f"),
            ],
        )
        .properties(width=560)
        .facet(row=alt.Row("yearmonth(month):T", title=None, header=alt.Header(format="%b %Y", labelAngle=0)))
        .resolve_scale(y="independent")
    )


def whatif_month_chart(frame: pd.DataFrame) -> alt.Chart:
    """Side-by-side bars per month: the actual cost and the scenario's counterfactual (absent when unpriced).

    ``frame``: ``month`` (date), ``actual_cost_usd`` and ``counterfactual_cost_usd`` (Decimal or None).
    """
    data = pd.DataFrame(
        {
            "month": pd.to_datetime(frame["month"]).tolist() * 2,
            "cost": ["Actual"] * len(frame) + ["Scenario"] * len(frame),
            "cost_usd": pd.concat(
                [_as_float(frame["actual_cost_usd"]), _as_float(frame["counterfactual_cost_usd"])], ignore_index=True
            ),
        }
    ).dropna(subset=["cost_usd"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):O", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=0)),
            xOffset=alt.XOffset("cost:N", sort=["Actual", "Scenario"]),
            y=alt.Y("cost_usd:Q", title="List cost (USD)", axis=alt.Axis(format="$,.2f")),
            color=alt.Color("cost:N", title=None, sort=["Actual", "Scenario"]),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%b %Y"),
                alt.Tooltip("cost:N", title="Cost"),
                alt.Tooltip("cost_usd:Q", title="List cost", format="$,.2f"),
            ],
        )
    )


BURN_SERIES = ["Actual (cumulative)", "Forecast to period end", "Budget", "Projected breach"]


def budget_burn_chart(daily: pd.DataFrame, status: Any) -> alt.LayerChart:
    """Burn-up of one budget period: cumulative actual by day (a line), the budget (a horizontal rule), the
    forecast's running projection from the last actual day over the days it covers, day by day (a dashed line), and
    the projected breach date (a vertical rule, when there is one).

    ``daily``: the period's ``mart_budget_daily`` rows (``usage_date``, ``is_actual``, ``cumulative_actual_usd``,
    ``forecast_usd``, ``cumulative_projected_usd``; Decimal), every day of the period; ``status``: the ``mart_budget_status`` row
    (``budget_usd``, ``projected_breach_date``).
    """
    days = pd.to_datetime(daily["usage_date"])
    is_actual = daily["is_actual"].astype(bool)
    actual = pd.DataFrame(
        {"day": days[is_actual], "usd": _as_float(daily["cumulative_actual_usd"])[is_actual], "series": BURN_SERIES[0]}
    )
    # the projection: the forecast's days (a day the forecast does not cover is not drawn), from the last actual
    # day on (where it equals the cumulative actual), so the two lines join
    forecast_days = daily["forecast_usd"].notna()
    last_actual = is_actual & ~is_actual.shift(-1, fill_value=False)
    joined = forecast_days | (last_actual & bool(forecast_days.any()))
    forecast = pd.DataFrame(
        {"day": days[joined], "usd": _as_float(daily["cumulative_projected_usd"])[joined], "series": BURN_SERIES[1]}
    )
    budget = pd.DataFrame({"usd": [float(status["budget_usd"])], "series": ["Budget"]})
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=BURN_SERIES))
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("day:T", title="Day"),
        alt.Tooltip("usd:Q", title="USD", format="$,.2f"),
    ]
    y = alt.Y("usd:Q", title="Spend (USD)", axis=alt.Axis(format="$,.2f"))
    layers = [
        alt.Chart(actual)
        .mark_line(point=True)
        .encode(x=alt.X("day:T", title="UTC day"), y=y, color=color, tooltip=tooltip),
        alt.Chart(forecast).mark_line(strokeDash=[6, 4]).encode(x="day:T", y=y, color=color, tooltip=tooltip),
        alt.Chart(budget)
        .mark_rule()
        .encode(y=y, color=color, tooltip=[alt.Tooltip("usd:Q", title="Budget", format="$,.2f")]),
    ]
    breach = status["projected_breach_date"]
    if breach is not None and not pd.isna(breach):
        rule = pd.DataFrame({"day": pd.to_datetime([breach]), "series": ["Projected breach"]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(strokeDash=[2, 2])
            .encode(x="day:T", color=color, tooltip=[alt.Tooltip("day:T", title="Projected breach")])
        )
    return alt.layer(*layers)


def budget_bullet_chart(status: Any) -> alt.Chart:
    """Bars of one budget period's actual to date, forecast at period end and budget (when its daily actuals are
    not in the serving copy). ``status``: the ``mart_budget_status`` row."""
    data = pd.DataFrame(
        {
            "measure": ["Actual to date", "Forecast at period end", "Budget"],
            "usd": [float(status["actual_usd"]), float(status["forecast_usd"]), float(status["budget_usd"])],
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("usd:Q", title="USD", axis=alt.Axis(format="$,.2f")),
            y=alt.Y("measure:N", title=None, sort=None),
            tooltip=[alt.Tooltip("measure:N", title="Measure"), alt.Tooltip("usd:Q", title="USD", format="$,.2f")],
        )
    )


def anomaly_chart(series: pd.DataFrame) -> alt.LayerChart:
    """Actual vs expected spend per day of one scope, flagged days marked by severity.

    ``series``: ``usage_date``, ``actual_usd``, ``expected_usd`` (Decimal), ``severity``, ``is_anomaly``.
    """
    days = pd.to_datetime(series["usage_date"])
    lines = pd.concat(
        [
            pd.DataFrame({"day": days, "usd": _as_float(series["actual_usd"]), "series": "Actual"}),
            pd.DataFrame({"day": days, "usd": _as_float(series["expected_usd"]), "series": "Expected"}),
        ]
    )
    flagged = series["is_anomaly"].fillna(False).astype(bool)
    marks = pd.DataFrame(
        {
            "day": days[flagged],
            "usd": _as_float(series["actual_usd"])[flagged],
            "severity": series["severity"][flagged].astype(str),
        }
    )
    y = alt.Y("usd:Q", title="Spend (USD)", axis=alt.Axis(format="$,.2f"))
    return alt.layer(
        alt.Chart(lines)
        .mark_line()
        .encode(
            x=alt.X("day:T", title="UTC day"),
            y=y,
            strokeDash=alt.StrokeDash("series:N", title=None),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("day:T", title="Day"),
                alt.Tooltip("usd:Q", title="USD", format="$,.2f"),
            ],
        ),
        alt.Chart(marks)
        .mark_point(size=120, filled=True)
        .encode(
            x="day:T",
            y=y,
            color=alt.Color(
                "severity:N", title="Flagged", scale=alt.Scale(domain=["warning", "critical"], range=["orange", "red"])
            ),
            tooltip=[
                alt.Tooltip("day:T", title="Flagged day"),
                alt.Tooltip("severity:N", title="Severity"),
                alt.Tooltip("usd:Q", title="Actual", format="$,.2f"),
            ],
        ),
    )


QUALITY_OUTCOMES = ["passed", "warning", "blocking"]
QUALITY_COLORS = ["#2e7d32", "#f9a825", "#c62828"]


def quality_day_chart(daily: pd.DataFrame) -> alt.Chart:
    """A grid of partition days x checks, each cell coloured by the day's latest outcome (passed, warning, blocking).

    ``daily``: ``quality_daily`` rows (``partition_start`` date; ``layer``, ``asset``, ``check_name``, ``outcome``,
    ``observed_value`` and ``unexpected_count``; names are data, drawn as chart text only).
    """
    data = pd.DataFrame(
        {
            "day": pd.to_datetime(daily["partition_start"]),
            "check": [f"{a} · {c}" for a, c in zip(daily["asset"], daily["check_name"], strict=True)],
            "outcome": daily["outcome"].astype(str),
            "observed": daily["observed_value"].fillna("").astype(str),
            "unexpected": daily["unexpected_count"],
        }
    )
    return (
        alt.Chart(data)
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("yearmonthdate(day):O", title="Partition day (UTC)", axis=alt.Axis(format="%b %d", labelAngle=-45)),
            y=alt.Y("check:N", title=None, axis=alt.Axis(labelLimit=360)),
            color=alt.Color(
                "outcome:N", title="Outcome", scale=alt.Scale(domain=QUALITY_OUTCOMES, range=QUALITY_COLORS)
            ),
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title="Day"),
                alt.Tooltip("check:N", title="Asset · check"),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("unexpected:Q", title="Unexpected rows"),
                alt.Tooltip("observed:N", title="Observed"),
            ],
        )
    )


def quality_history_chart(runs: pd.DataFrame) -> alt.Chart:
    """Failed checks per run, oldest run on the left, stacked as warnings and blocking failures.

    ``runs``: ``quality_runs`` rows (``run_id``, ``last_checked_at``, ``warnings``, ``blocking``, ``passed``); a run is
    labelled by when it last checked and the start of its id (data: chart text only).
    """
    ordered = runs.sort_values(["last_checked_at", "run_id"]).reset_index(drop=True)
    labels = [
        f"{t:%Y-%m-%d %H:%M} · {str(r)[:8]}" for t, r in zip(ordered["last_checked_at"], ordered["run_id"], strict=True)
    ]
    data = pd.DataFrame(
        {
            "run": labels * 2,
            "run_id": ordered["run_id"].astype(str).tolist() * 2,
            "outcome": ["warning"] * len(ordered) + ["blocking"] * len(ordered),
            "checks": [int(v) for v in ordered["warnings"]] + [int(v) for v in ordered["blocking"]],
            "passed": [int(v) for v in ordered["passed"]] * 2,
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("run:O", title="Run (last checked, UTC)", sort=labels, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("checks:Q", title="Failed checks", stack="zero", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "outcome:N", title="Failed", scale=alt.Scale(domain=QUALITY_OUTCOMES[1:], range=QUALITY_COLORS[1:])
            ),
            tooltip=[
                alt.Tooltip("run_id:N", title="Run"),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("checks:Q", title="Checks"),
                alt.Tooltip("passed:Q", title="Passed"),
            ],
        )
        .properties(height=240)
    )


TCO_SERIES = ["API", "Self-hosting"]


def tco_break_even_chart(points: pd.DataFrame, current_tokens: Any, break_even_tokens: Any) -> alt.LayerChart:
    """Monthly cost against monthly output tokens: the API as a line through 0, self-hosting as steps (one per
    node added), a rule at today's run-rate and, when there is one, at the break-even.

    ``points``: ``output_tokens``, ``api_usd``, ``self_host_usd`` (Decimal; apps/lib/tco.py ``curve``, each
    self-hosting point holding from its tokens on); the two marks in output tokens (Decimal; break-even None).
    """
    tokens = _as_float(points["output_tokens"])
    lines = pd.concat(
        [
            pd.DataFrame({"output_tokens": tokens, "usd": _as_float(points["api_usd"]), "series": "API"}),
            pd.DataFrame(
                {"output_tokens": tokens, "usd": _as_float(points["self_host_usd"]), "series": "Self-hosting"}
            ),
        ],
        ignore_index=True,
    )
    color = alt.Color("series:N", title=None, scale=alt.Scale(domain=TCO_SERIES))
    x = alt.X("output_tokens:Q", title="Output tokens per month", axis=alt.Axis(format="~s"))
    y = alt.Y("usd:Q", title="Cost per month (USD)", axis=alt.Axis(format="$,.0f"))
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("output_tokens:Q", title="Output tokens / month", format=",.0f"),
        alt.Tooltip("usd:Q", title="USD / month", format="$,.2f"),
    ]
    marks = [("Today's run-rate", current_tokens)]
    if break_even_tokens is not None:
        marks.append(("Break-even", break_even_tokens))
    rules = pd.DataFrame({"mark": [m for m, _ in marks], "output_tokens": [float(v) for _, v in marks]})
    return alt.layer(
        alt.Chart(lines[lines["series"] == "API"]).mark_line().encode(x=x, y=y, color=color, tooltip=tooltip),
        alt.Chart(lines[lines["series"] == "Self-hosting"])
        .mark_line(interpolate="step-after")
        .encode(x=x, y=y, color=color, tooltip=tooltip),
        alt.Chart(rules)
        .mark_rule(strokeDash=[4, 3], color="gray")
        .encode(
            x="output_tokens:Q",
            tooltip=[
                alt.Tooltip("mark:N", title="Mark"),
                alt.Tooltip("output_tokens:Q", title="Output tokens / month", format=",.0f"),
            ],
        ),
    )
