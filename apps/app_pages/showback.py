"""Showback: the provider ledger split to the teams that own it, drilled down team -> feature -> model (-> user
from the request logs), direct vs shared vs unallocated; unit economics per month; tag coverage.

Reads ``fct_allocated_cost_daily`` and ``mart_allocation_coverage_daily`` (the sidebar's days and providers),
``mart_unit_economics_monthly`` (whole months, every provider) and, for users, ``fct_request_cost_daily``.
Team, feature, provider, model and user names come from the data: dataframe cells, charts and selectbox
options only, never captions, alerts, metrics or labels.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import charts, queries, widgets
from apps.lib.formatting import NO_VALUE, format_count, format_pct, format_usd

NO_ALLOCATION_INFO = (
    "No allocated cost in this range. To split spend to teams, declare `ownership` in finops.yaml (teams, "
    "owners of accounts and API keys, shared rules; see the README) and run the pipeline again, or pick other "
    "dates or providers in the sidebar."
)
METHOD = (
    "Direct: cost of an account or API key a team owns. Shared: a shared rule split it (proportional to the "
    "requests' cost, even, or a fixed share). Unallocated: no rule gave it to a team. Usage without a price is "
    "counted in rows, never as \\$0."
)
PER_1K_PLACES = 5  # a cheap model's cost per 1K tokens is a fraction of a cent
ALL = "All"
TOP_USERS = 10

filters = widgets.page_header("Showback", "The provider ledger split to the teams that own it")
start, end, providers = filters.start, filters.end, filters.providers
chosen_teams, chosen_models = filters.teams, filters.models
last = end - timedelta(days=1)

drill = (
    queries.allocated_cost_drill(start, end, providers, chosen_teams, chosen_models)
    if queries.allocation_marts_published()
    else None
)
if drill is None or drill.empty:
    st.info(NO_ALLOCATION_INFO, icon=":material/info:")
    st.stop()

teams = drill[drill["level"] == "team"]


def _total(frame: pd.DataFrame, column: str) -> object:
    """The column's sum over the rows that have a value; ``None`` when none has."""
    values = [v for v in frame[column] if v is not None and not pd.isna(v)]
    return sum(values, start=0) if values else None


col_total, col_direct, col_shared, col_unallocated = st.columns(4)
col_total.metric(
    "Allocated cost",
    format_usd(_total(teams, "cost_usd")),
    help="The ledger's priced list cost in the range; it equals the provider usage cost.",
    border=True,
)
col_direct.metric("Direct", format_usd(_total(teams, "direct_usd")), border=True)
col_shared.metric("Shared", format_usd(_total(teams, "shared_usd")), border=True)
col_unallocated.metric("Unallocated", format_usd(_total(teams, "unallocated_usd")), border=True)
unpriced_rows = int(teams["unpriced_rows"].sum())
if unpriced_rows:
    st.warning(
        f"{format_count(unpriced_rows)} ledger rows are usage without a price: they are in no amount here "
        "(unpriced, not \\$0). The Overview page lists their models.",
        icon=":material/price_change:",
    )
st.caption(METHOD)


def _cost_table(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, list]:
    """Display columns: the names (data, as text), then the cost parts; unpriced cost is "unpriced"."""
    return {
        **{title: frame[column].tolist() for column, title in names.items()},
        "Cost": [format_usd(v) for v in frame["cost_usd"]],
        "Direct": [format_usd(v) for v in frame["direct_usd"]],
        "Shared": [format_usd(v) for v in frame["shared_usd"]],
        "Unallocated": [format_usd(v) for v in frame["unallocated_usd"]],
        "Share": [format_pct(v) for v in frame["share_of_total"]],
        "Unpriced rows": frame["unpriced_rows"].tolist(),
    }


# --- by team, over months -----------------------------------------------------------------------
st.subheader("By team")
monthly = queries.allocated_cost_monthly(start, end, providers, chosen_teams, chosen_models)
if monthly.empty:
    st.caption("No priced cost in this range to chart.")
else:
    st.altair_chart(charts.team_month_method_chart(monthly), width="content")
st.dataframe(_cost_table(teams, {"team": "Team"}), hide_index=True, width="stretch")
widgets.download_csv(
    drill.drop(columns="share_of_total"), f"showback_{start}_{last}", "showback_download"
)  # every level: what the tables below show

# --- drill down ---------------------------------------------------------------------------------
st.subheader("Drill down: team, feature, model")
col_team, col_feature = st.columns(2)
team = col_team.selectbox(
    "Team",
    teams["team"].tolist(),
    index=0,  # the costliest team
    # Options are data: Streamlit shows them as plain text.
    key="showback_team",
)
features = drill[(drill["level"] == "feature") & (drill["team"] == team)]
feature = col_feature.selectbox(
    "Feature",
    [None, *features["feature"].tolist()],
    index=0,
    format_func=lambda value: ALL if value is None else str(value),
    key="showback_feature",
)
col_features, col_models = st.columns(2)
col_features.dataframe(_cost_table(features, {"feature": "Feature"}), hide_index=True, width="stretch")
models = drill[(drill["level"] == "model") & (drill["team"] == team)]
if feature is not None:
    models = models[models["feature"] == feature]
col_models.dataframe(
    _cost_table(models, {"feature": "Feature", "provider": "Provider", "model_id": "Model"}),
    hide_index=True,
    width="stretch",
)
col_models.caption("Shares are of the whole selection's cost.")

if queries.request_marts_published():
    users = queries.request_cost_by_user(start, end, providers, team, TOP_USERS, chosen_teams, chosen_models)
    if not users.empty:
        st.caption(
            "The team's costliest users in the request logs, at list price: request cost attributes, it is not "
            "the allocated cost above and does not add to it."
        )
        st.dataframe(
            {
                "User": users["user_id"].tolist(),
                "Requests": users["requests"].tolist(),
                "Request cost": [format_usd(v) for v in users["list_cost_usd"]],
                "Share of the team's request cost": [format_pct(v) for v in users["share_of_total"]],
            },
            hide_index=True,
            width="stretch",
        )

# --- unit economics -----------------------------------------------------------------------------
st.subheader("Unit economics")
scope = st.radio(
    "Unit economics of",
    ["The whole organisation", "The selected team"],  # the organisation first: unallocated cost has no row
    horizontal=True,
    key="showback_unit_scope",
)
economics = None
if queries.marts_published(("mart_unit_economics_monthly",)):
    economics = queries.unit_economics(start, end, team if scope == "The selected team" else None)
if economics is None or economics.empty:
    st.caption("No unit economics for these months.")
else:
    st.dataframe(
        {
            "Month": [f"{m:%Y-%m}" for m in economics["month"]],
            "Per 1K tokens": [
                format_usd(v, missing=NO_VALUE, places=PER_1K_PLACES) for v in economics["cost_per_1k_tokens"]
            ],
            "Per request": [format_usd(v, missing=NO_VALUE, places=4) for v in economics["cost_per_request"]],
            "Per active user": [format_usd(v, missing=NO_VALUE) for v in economics["cost_per_active_user"]],
            "Cache hit rate": [format_pct(v) for v in economics["cache_hit_rate"]],
            "Savings from caching": [format_usd(v, missing=NO_VALUE) for v in economics["cache_savings_usd"]],
            "Batch share": [format_pct(v) for v in economics["batch_share"]],
            "Showback cost": [format_usd(v, missing=NO_VALUE) for v in economics["showback_cost_usd"]],
            "Usage covered": [format_pct(v) for v in economics["usage_coverage_share"]],
            "Requests": economics["requests"].tolist(),
            "Active users": economics["active_users"].tolist(),
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(economics, f"unit_economics_{start}_{last}", "showback_download_unit_economics")
    st.caption(
        "Whole months that overlap the range, every provider. Token metrics cover a team's wholly direct-owned "
        "usage (Usage covered: its share of the team's showback cost); per request and per active user come "
        "from the request logs."
    )
widgets.filter_note(
    filters,
    team="the whole organisation's row counts every team" if scope == "The whole organisation" else None,
    model="unit economics are per month and team, with no model",
)

# --- tag coverage -------------------------------------------------------------------------------
st.subheader("Tag coverage")
widgets.filter_note(
    filters,
    team="tag coverage is per provider and day of the whole ledger",
    model="tag coverage is per provider and day of the whole ledger",
)
coverage = queries.allocation_coverage(start, end, providers)
if coverage.empty:
    st.caption("No ledger cost in this range.")
else:
    st.dataframe(
        {
            "Provider": [
                "All providers" if total else p
                for p, total in zip(coverage["provider"], coverage["is_total"], strict=True)
            ],
            "Ledger cost": [format_usd(v, missing=NO_VALUE) for v in coverage["ledger_cost_usd"]],
            "Direct": [format_usd(v, missing=NO_VALUE) for v in coverage["direct_usd"]],
            "Through tags and rules": [format_usd(v, missing=NO_VALUE) for v in coverage["proportional_usd"]],
            "Even and fixed shares": [format_usd(v, missing=NO_VALUE) for v in coverage["other_shared_usd"]],
            "Unallocated": [format_usd(v, missing=NO_VALUE) for v in coverage["unallocated_usd"]],
            "Tag coverage": [format_pct(v) for v in coverage["tag_coverage_share"]],
            "Allocated": [format_pct(v) for v in coverage["allocated_share"]],
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(coverage, f"tag_coverage_{start}_{last}", "showback_download_coverage")
    st.caption(
        "The first row is every provider together. Tag coverage: the cost allocated through request logs' "
        "tags and rules over the ledger; Allocated: everything a rule gave to a team over the ledger."
    )
