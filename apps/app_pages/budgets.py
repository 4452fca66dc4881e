"""Budgets and alerts: each budget's current period against its spend and forecast, every budget period, the alert
history and the cost anomalies flagged in the sidebar's date range.

Reads ``mart_budget_status``, ``mart_budget_daily`` (the burn-up: each day's actual and the pipeline's forecast,
built by dbt with the budget's scope rules), ``alert_log`` and ``mart_cost_anomalies``. Budget ids, scopes, drivers
and alert texts come from config and data: dataframe cells, chart text and selectbox options only, never captions,
alerts, metrics or labels.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import charts, formatting, queries, widgets
from apps.lib.formatting import NO_VALUE, format_count, format_pct, format_usd

STATUS_WORDS = {"ok": "On track", "at_risk": "At risk", "over": "Over budget"}
REPUBLISH = "The serving copy was published before {what} existed: run the pipeline again (`finops run`) to publish it."


def _status_word(value: object) -> str:
    return STATUS_WORDS.get(value, NO_VALUE) if isinstance(value, str) else NO_VALUE


def _day(value: object) -> str:
    return NO_VALUE if value is None or pd.isna(value) else f"{value:%Y-%m-%d}"


filters = widgets.published_or_stop("Budgets and alerts")
start, end = filters.start, filters.end
st.caption(
    "Each budget's current period against its spend and forecast, the alerts, and the cost anomalies flagged "
    f"on UTC days {start} to {end - timedelta(days=1)}; budgets and anomalies cover every provider."
)
widgets.filter_note(
    filters,
    team="budgets and anomalies are finops.yaml's scopes, whatever the sidebar",
    model="budgets and anomalies are finops.yaml's scopes, whatever the sidebar",
)

# --- budgets ---------------------------------------------------------------------------------
st.subheader("Budgets")
if not queries.marts_published((queries.BUDGET_MART,)):
    st.info(REPUBLISH.format(what="budgets"), icon=":material/info:")
else:
    status = queries.budget_status()
    if status.empty:
        st.info(
            "No budgets configured. Add `budgets` to finops.yaml (an amount per period for the organisation, a "
            "provider, team, project, feature or model; see the README) and run the pipeline again.",
            icon=":material/info:",
        )
    else:
        current = status[status["is_current"]].sort_values("budget_id")
        col_count, col_over, col_risk = st.columns(3)
        col_count.metric("Budgets", format_count(len(current)), border=True)
        col_over.metric("Over budget", format_count((current["status"] == "over").sum()), border=True)
        col_risk.metric(
            "At risk",
            format_count((current["status"] == "at_risk").sum()),
            help="Actual plus the forecast of the period's remaining days reaches the budget.",
            border=True,
        )

        budget_id = st.selectbox("Budget", current["budget_id"].tolist(), key="budgets_budget")
        row = current[current["budget_id"] == budget_id].iloc[0]
        col_used, col_actual, col_forecast, col_breach = st.columns(4)
        col_used.metric("Used", format_pct(row["pct_used"]), border=True)
        col_actual.metric(f"Actual to {_day(row['as_of_date'])}", format_usd(row["actual_usd"]), border=True)
        col_forecast.metric(
            "Forecast at period end",
            format_usd(row["forecast_usd"]),
            help="Actual to date plus the forecast of the period's remaining days.",
            border=True,
        )
        col_breach.metric("Projected breach", _day(row["projected_breach_date"]), border=True)
        st.caption(
            f"Period {_day(row['period_start'])} to {_day(row['period_end'])}; budget {format_usd(row['budget_usd'])}; "
            f"status: {_status_word(row['status'])}."
        )
        daily = (
            queries.budget_daily(budget_id, row["period_start"])
            if queries.marts_published((queries.BUDGET_DAILY_MART,))
            else None
        )
        if daily is not None and not daily.empty:
            st.altair_chart(charts.budget_burn_chart(daily, row), width="stretch")
            st.caption(
                "Cumulative actual by day to the last data day, the budget, and from there the forecast's running "
                "projection day by day (actual to date plus the forecast of each day after it) to the period end."
            )
        else:
            st.altair_chart(charts.budget_bullet_chart(row), width="stretch")
            st.caption(
                "The serving copy has no daily burn-up for this budget period (published before it existed: run "
                "the pipeline again): actual to date, forecast and budget are shown as bars."
            )

        st.markdown("**All budgets and periods**, newest first")
        st.dataframe(
            pd.DataFrame(
                {
                    "Budget": status["budget_id"],
                    "Scope": status["scope"],
                    "Period": [
                        f"{a:%Y-%m-%d} to {b:%Y-%m-%d}"
                        for a, b in zip(status["period_start"], status["period_end"], strict=True)
                    ],
                    "Budget amount": [format_usd(v) for v in status["budget_usd"]],
                    "Actual": [format_usd(v) for v in status["actual_usd"]],
                    "Forecast": [format_usd(v) for v in status["forecast_usd"]],
                    "Used": [format_pct(v) for v in status["pct_used"]],
                    "Threshold crossed": [format_pct(v) for v in status["highest_threshold_crossed"]],
                    "Breach date": [_day(v) for v in status["projected_breach_date"]],
                    "Budget status": [_status_word(v) for v in status["status"]],
                    "As of": [_day(v) for v in status["as_of_date"]],
                    "Forecast method": status["forecast_method"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        widgets.download_csv(status.drop(columns="is_current"), "budget_status", "budgets_download_status")

# --- alerts ----------------------------------------------------------------------------------
st.subheader("Alert history")
if not queries.marts_published((queries.ALERT_LOG,)):
    st.info(REPUBLISH.format(what="the alert log"), icon=":material/info:")
else:
    alerts = queries.alert_history()
    if alerts.empty:
        st.caption("No alerts yet: no budget threshold, projected breach, anomaly or unpriced model has fired.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "First seen (UTC)": [f"{v:%Y-%m-%d %H:%M}" for v in alerts["first_seen_at"]],
                    "Kind": alerts["kind"],
                    "Severity": alerts["severity"],
                    "Alert status": alerts["status"],
                    "Title": alerts["title"],
                    "Attempts": alerts["attempts"],
                    "Sent (UTC)": [NO_VALUE if pd.isna(v) else f"{v:%Y-%m-%d %H:%M}" for v in alerts["sent_at"]],
                    "Last error": alerts["last_error"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "Newest first. Status: sent (posted to the webhook), logged (no webhook set), failed (retried on the "
            "next run), pending, suppressed (too old to page when first seen)."
        )
        widgets.download_csv(alerts, "alert_log", "budgets_download_alerts")

# --- anomalies -------------------------------------------------------------------------------
st.subheader("Cost anomalies")
if not queries.marts_published((queries.ANOMALY_MART,)):
    st.info(REPUBLISH.format(what="anomaly detection"), icon=":material/info:")
else:
    flagged = queries.flagged_anomalies(start, end)
    if flagged.empty:
        st.caption("No flagged days in this range.")
    else:
        columns = formatting.anomaly_columns(flagged)
        columns["Score"] = [str(v) for v in flagged["score"]]
        columns["Explained"] = [format_pct(v) for v in flagged["explained_share"]]
        st.dataframe(pd.DataFrame(columns), hide_index=True, width="stretch")
        st.caption("Newest first. The driver is the one model, team or provider whose change explains most of the day.")
        file_name = f"anomalies_{start}_{end - timedelta(days=1)}"
        widgets.download_csv(flagged, file_name, "budgets_download_anomalies")

    scopes = queries.anomaly_scopes(start, end)
    if scopes:
        scope = st.selectbox("Scope", scopes, key="budgets_anomaly_scope")
        series = queries.anomaly_series(scope, start, end)
        st.altair_chart(charts.anomaly_chart(series), width="stretch")
        st.caption("Actual vs expected spend per day of the chosen scope; flagged days are marked.")
