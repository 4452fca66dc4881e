"""Overview: list cost, month to date vs last month, billed cost, the forecast to month end (the org-wide monthly
budget's projection), data freshness and quality (the Data health page's latest run), unpriced usage, open anomalies,
spend by day and model, top teams and top movers (against the same-length window before), and reconciliation at a
glance.

Names from the data (providers, accounts, models, teams, sources, budget ids) are shown only in dataframe cells and charts,
never in Markdown-rendering elements (captions, alerts, metric labels, help texts): there a name
like ``x` **bold** [link](https://...)`` would render as Markdown. Those elements get fixed text,
dates and counts only.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import charts, formatting, queries, widgets
from apps.lib.formatting import NO_VALUE, format_usd

NO_DATA = "No data in this range."
NO_LEDGER_BUT_REQUESTS = (
    "No provider usage or billing in this range, but the request logs have {requests} requests in it: their cost "
    "by team, feature, user and tag is on the Teams page. Set the providers' admin keys (README, section Pointing "
    "it at your organisation) to add the usage ledger and reconcile it with the bill."
)
# why a view cannot take the sidebar's team or model filter (fixed text, said when that filter is chosen)
USAGE_NO_TEAM = "provider usage and billed lines carry no team (Top teams and team movers take it)"
RECONCILIATION_NO_TEAM = "reconciliation is per provider account and day, with no team"
RECONCILIATION_NO_MODEL = "reconciliation is per provider account and day, with no model"
ORG_BUDGET_NO_TEAM = "the org-wide budget covers every team"
ORG_BUDGET_NO_MODEL = "the org-wide budget covers every model"
SOURCES_NO_TEAM = "quality checks are per source, with no team"
SOURCES_NO_MODEL = "quality checks are per source, with no model"
ANOMALIES_NO_TEAM = "anomaly scopes are finops.yaml's, whatever the sidebar"
ANOMALIES_NO_MODEL = ANOMALIES_NO_TEAM
OPEN_ANOMALIES_SHOWN = 5
NO_QUALITY_RESULTS = (
    "No quality results in the serving copy yet: the next pipeline run (`finops run`, or `finops demo`) stores the "
    "quality gate's checks and the freshness of each source."
)


filters = widgets.page_header("Overview", "List prices", team=USAGE_NO_TEAM)
start, end, providers = filters.start, filters.end, filters.providers
chosen_teams, chosen_models = filters.teams, filters.models
bounds = queries.date_bounds()

# --- metrics ---------------------------------------------------------------------------------
totals = queries.cost_totals(start, end, providers, chosen_models).iloc[0]
as_of = bounds[1]
mtd = queries.month_to_date(as_of, providers, chosen_models).iloc[0]
cur_start, cur_end, prev_start, prev_end = queries.month_to_date_windows(as_of)
recon_summary = queries.reconciliation_summary(start, end, providers)
unpriced = queries.unpriced_usage(start, end, providers, chosen_models)

usage_rows = int(totals["usage_rows"])
unpriced_rows = int(totals["unpriced_rows"])
list_help = "Usage × effective-dated list price, summed over priced usage rows."
if unpriced_rows:
    list_help += f" Excludes {formatting.format_count(unpriced_rows)} unpriced usage rows."

mtd_value = NO_VALUE
mtd_delta = None
if int(mtd["current_rows"]):
    mtd_value = format_usd(mtd["current_list_cost_usd"])
    current, previous = mtd["current_list_cost_usd"], mtd["previous_list_cost_usd"]
    if int(mtd["previous_rows"]) and current is not None and previous is not None:
        mtd_delta = formatting.format_usd_delta(current - previous)

matched = int(recon_summary.loc[recon_summary["status"] == "matched", "pairs"].sum())
not_matched = int(recon_summary["pairs"].sum()) - matched

col_list, col_mtd, col_billed, col_recon = st.columns(4)
col_list.metric(
    "List cost",
    format_usd(totals["list_cost_usd"]) if usage_rows else NO_VALUE,
    help=list_help,
    border=True,
)
col_mtd.metric(
    f"List cost, {as_of:%B %Y} to date",
    mtd_value,
    delta=mtd_delta,
    delta_color="inverse",
    delta_description=f"vs {formatting.format_day_span(prev_start, prev_end)}" if mtd_delta else None,
    help=(
        f"{formatting.format_day_span(cur_start, cur_end)}: the calendar month of the latest data day, "
        "compared with the same days of the previous month. Ignores the date range."
    ),
    border=True,
)
col_billed.metric(
    "Billed cost",
    format_usd(totals["billed_cost_usd"], missing=NO_VALUE) if int(totals["billed_rows"]) else NO_VALUE,
    help="What the providers' cost reports bill for the range.",
    border=True,
)
col_recon.metric(
    "Reconciliation: matched / not",
    f"{matched} / {not_matched}" if matched + not_matched else NO_VALUE,
    help="(day, provider, account) pairs whose computed list cost matches the bill, and those that do not.",
    border=True,
)
widgets.filter_note(filters, model=RECONCILIATION_NO_MODEL)  # the matched / not metric

if not unpriced.empty:
    # The warning holds counts only; the model names go in the table below it, as plain text.
    rows = int(unpriced["usage_rows"].sum())
    models = len(unpriced[["provider", "model_raw"]].drop_duplicates())  # (provider, model) pairs
    model_word = "models" if models != 1 else "model"
    st.warning(
        f"{formatting.format_count(rows)} usage {'rows' if rows != 1 else 'row'} "
        f"for {formatting.format_count(models)} {model_word} "
        f"{'have' if rows != 1 else 'has'} no list price; "
        f"{'they are' if rows != 1 else 'it is'} excluded from list cost, not counted as \\$0. "
        f"Add the {model_word} below to `pricing_seeds/price_book.csv`.",
        icon=":material/price_change:",
    )
    st.dataframe(
        {
            "Provider": unpriced["provider"],
            "Model": unpriced["model_raw"],
            "Usage type": unpriced["usage_type"],
            "Usage rows": unpriced["usage_rows"],
        },
        hide_index=True,
        width="content",
    )

if usage_rows == 0 and int(totals["billed_rows"]) == 0:
    logged = 0
    if queries.request_marts_published():
        request_totals = queries.request_totals(start, end, providers).iloc[0]
        logged = int(request_totals["requests"])
    if logged:
        # only a gateway's logs in this range (no admin usage, no billing export): they are on the Teams page
        st.info(NO_LEDGER_BUT_REQUESTS.format(requests=formatting.format_count(logged)), icon=":material/groups:")
    else:
        st.caption(NO_DATA)

# --- forecast to month end -------------------------------------------------------------------
# The org-wide monthly budget's projection (mart_budget_status, from the pipeline's forecast); the budget id and
# the forecast method are data: dataframe cells only.
st.subheader("Forecast to month end")
org_budgets = None
if queries.marts_published((queries.BUDGET_MART,)):
    statuses = queries.budget_status()
    org_budgets = statuses[(statuses["scope_type"] == "org") & (statuses["period"] == "month") & statuses["is_current"]]
if org_budgets is None or org_budgets.empty:
    st.caption(
        "No org-wide monthly budget is configured, so there is no forecast to month end: add one to `budgets` in "
        "finops.yaml (`scope: {org: true}`, `period: month`, `amount_usd`) and run the pipeline again."
    )
else:
    org = org_budgets.sort_values("budget_id").iloc[0]
    col_forecast, col_budget = st.columns(2)
    col_forecast.metric(
        f"Projected spend, {org['period_start']:%B %Y}",
        format_usd(org["forecast_usd"], missing=NO_VALUE),
        delta=None
        if pd.isna(org["forecast_usd"])
        else formatting.format_usd_delta(org["forecast_usd"] - org["budget_usd"]),
        delta_color="inverse",
        delta_description=None if pd.isna(org["forecast_usd"]) else "vs the budget",
        help="List cost so far plus the forecast of the month's remaining days, for every provider.",
        border=True,
    )
    col_budget.metric(
        "Org-wide monthly budget",
        format_usd(org["budget_usd"], missing=NO_VALUE),
        help="finops.yaml's budget for the whole organisation (scope org, period month).",
        border=True,
    )
    st.dataframe(
        {
            "Budget": org_budgets["budget_id"],
            "Month": [f"{v:%Y-%m}" for v in org_budgets["period_start"]],
            "As of": org_budgets["as_of_date"].astype(str),
            "Actual": [format_usd(v, missing=NO_VALUE) for v in org_budgets["actual_usd"]],
            "Projected": [format_usd(v, missing=NO_VALUE) for v in org_budgets["forecast_usd"]],
            "Budget amount": [format_usd(v, missing=NO_VALUE) for v in org_budgets["budget_usd"]],
            "Status": org_budgets["status"],
            "Forecast method": org_budgets["forecast_method"],
        },
        hide_index=True,
        width="content",
    )
    st.caption(
        f"As of {org['as_of_date']}: the month's list cost so far plus the pipeline's forecast of its remaining days "
        "(Holt-Winters with weekly seasonality on 14 days of history or more, else the mean of the days so far); "
        "every provider, whatever the sidebar."
    )
widgets.filter_note(filters, team=ORG_BUDGET_NO_TEAM, model=ORG_BUDGET_NO_MODEL)

# --- data freshness and quality --------------------------------------------------------------
# The Data health page's queries (latest run, freshness per source); names of sources go in dataframe cells only.
st.subheader("Data freshness and quality")
published = queries.publish_info() or {}
data_end = published.get("data_end")
data_through = NO_VALUE if data_end is None or pd.isna(data_end) else f"{data_end - timedelta(days=1):%Y-%m-%d}"
hidden_sources = tuple(sorted(set(queries.provider_options()) - set(providers)))
runs = queries.quality_runs(hidden_sources) if queries.quality_results_published() else None
col_published, col_through, col_quality, col_stale = st.columns(4)
col_published.metric(
    "Published (UTC)",
    formatting.format_when(published.get("published_at")),
    help="When the serving copy this app reads was published.",
    border=True,
)
col_through.metric("Data through", data_through, help="The last UTC day the published data covers.", border=True)
if runs is None or runs.empty:
    col_quality.metric("Checks: passed / warnings / blocking", NO_VALUE, border=True)
    col_stale.metric("Stale sources", NO_VALUE, border=True)
    if runs is None or queries.quality_runs(()).empty:
        st.caption(NO_QUALITY_RESULTS)
    else:
        st.caption("No checks of the chosen providers' sources: pick other providers in the sidebar.")
else:
    latest_run = runs.iloc[0]
    freshness = queries.quality_freshness(hidden_sources)
    stale = freshness[freshness["outcome"] != "passed"]
    col_quality.metric(
        "Checks: passed / warnings / blocking",
        " / ".join(formatting.format_count(latest_run[c]) for c in ("passed", "warnings", "blocking")),
        help="The latest quality run's checks, each counted once by its worst scope. Blocking failures stop "
        "publishing; warnings do not.",
        border=True,
    )
    col_stale.metric(
        "Stale sources",
        f"{formatting.format_count(len(stale))} of {formatting.format_count(len(freshness))}"
        if len(freshness)
        else NO_VALUE,
        help="Sources whose latest freshness check failed.",
        border=True,
    )
    st.caption(
        f"The latest quality run, checked {formatting.format_when(latest_run['first_checked_at'])} to "
        f"{formatting.format_when(latest_run['last_checked_at'])} UTC; sources of the providers chosen in the sidebar."
    )
    if not stale.empty:
        st.dataframe(
            {
                "Stale source": stale["asset"],
                "Freshness": stale["observed_value"],
                "Checked (UTC)": [formatting.format_when(v) for v in stale["checked_at"]],
            },
            hide_index=True,
            width="content",
        )
widgets.filter_note(filters, team=SOURCES_NO_TEAM, model=SOURCES_NO_MODEL)
st.page_link("app_pages/health.py", label="Data health", icon=":material/health_and_safety:")

# --- open anomalies --------------------------------------------------------------------------
st.subheader("Open anomalies")
if not queries.marts_published((queries.ANOMALY_MART,)):
    st.caption("The serving copy has no anomaly detection yet: run the pipeline again to publish it.")
else:
    anomalies = queries.open_anomalies()
    if anomalies.empty:
        st.caption(f"No flagged day in the last {queries.OPEN_ANOMALY_DAYS} data days.")
    else:
        severities = anomalies["severity"].value_counts()
        col_critical, col_warning = st.columns(2)
        col_critical.metric("Critical", formatting.format_count(severities.get("critical", 0)), border=True)
        col_warning.metric("Warning", formatting.format_count(severities.get("warning", 0)), border=True)
        top = anomalies.head(OPEN_ANOMALIES_SHOWN)
        st.dataframe(formatting.anomaly_columns(top), hide_index=True, width="stretch")
        st.caption(
            f"Flagged days in the last {queries.OPEN_ANOMALY_DAYS} data days, critical first; every provider, "
            "whatever the sidebar's range."
        )
    widgets.filter_note(filters, team=ANOMALIES_NO_TEAM, model=ANOMALIES_NO_MODEL)
st.page_link("app_pages/budgets.py", label="Budgets and alerts", icon=":material/savings:")

# --- spend by day ----------------------------------------------------------------------------
st.subheader("Spend by day")
daily = queries.daily_cost(start, end, providers, chosen_models)
if daily.empty:
    st.caption(NO_DATA)
else:
    st.altair_chart(charts.daily_spend_chart(daily), width="stretch")
    widgets.download_csv(daily, f"overview_spend_by_day_{start}_{end - timedelta(days=1)}", "overview_download_daily")
widgets.filter_note(filters, team=USAGE_NO_TEAM)

# --- spend by model --------------------------------------------------------------------------
st.subheader("Spend by model")
by_model = queries.cost_by_model(start, end, providers, chosen_models)
if by_model.empty:
    st.caption(NO_DATA)
else:
    col_chart, col_table = st.columns([3, 2])
    if by_model["list_cost_usd"].notna().any():
        col_chart.altair_chart(charts.model_spend_chart(by_model), width="stretch")
    else:
        col_chart.caption("No priced usage in this range.")
    col_table.dataframe(
        {
            "Provider": by_model["provider"],
            "Model": by_model["model_id"],
            "List cost": [format_usd(value) for value in by_model["list_cost_usd"]],
            "Share of total": [formatting.format_pct(value) for value in by_model["share_of_total"]],
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(
        by_model, f"overview_spend_by_model_{start}_{end - timedelta(days=1)}", "overview_download_models"
    )
widgets.filter_note(filters, team=USAGE_NO_TEAM)

# --- top teams and top movers ----------------------------------------------------------------
# Team and model names are data: dataframe cells only.
st.subheader("Top teams")
team_source = queries.team_cost_source()
prev_start, prev_end = queries.previous_window(start, end)
teams = None
if team_source is None:
    st.caption(
        "The serving copy has no team cost yet: add allocation rules (`allocation` in finops.yaml) or request logs "
        "(`FINOPS_REQUEST_LOGS`) and run the pipeline again."
    )
else:
    allocated = team_source == queries.TEAM_COST_ALLOCATED
    unpriced_word = "rows" if allocated else "requests"
    teams = queries.team_cost_comparison(team_source, start, end, providers, chosen_teams, chosen_models)
    in_range = teams[teams["current_usd"].notna() | (teams["current_unpriced"] > 0)]
    if in_range.empty:
        st.caption(NO_DATA)
    else:
        top_teams = in_range.head(queries.MOVERS_SHOWN)
        team_total = sum(v for v in in_range["current_usd"] if v is not None and not pd.isna(v))
        st.dataframe(
            {
                "Team": top_teams["team"],
                "Cost": [format_usd(v) for v in top_teams["current_usd"]],
                "Share of team cost": [
                    formatting.format_pct(None if v is None or pd.isna(v) or not team_total else v / team_total)
                    for v in top_teams["current_usd"]
                ],
                f"Unpriced {unpriced_word}": top_teams["current_unpriced"],
            },
            hide_index=True,
            width="content",
        )
        st.caption(
            (
                "Allocated cost: the usage at list price split to teams by finops.yaml's allocation rules, "
                "(unallocated) being what no rule covers."
                if allocated
                else "Request logs at list price: what the logs attribute to teams, a part of the usage cost "
                "(no allocation rules are published)."
            )
            + f" The {queries.MOVERS_SHOWN} costliest in the range; unpriced {unpriced_word} have no cost, "
            "never \\$0."
        )

st.subheader("Top movers")
models = queries.model_cost_comparison(start, end, providers, chosen_models)
team_movers = None if teams is None else teams[teams["mover_rank"].notna()].sort_values("mover_rank")
model_movers = models[models["mover_rank"].notna()].sort_values("mover_rank")


def _window_cost(costs: pd.Series, unpriced: pd.Series) -> list[str]:
    """A window's priced cost; with none, "$0.00" when it had no usage, "unpriced" when only unpriced usage."""
    return [format_usd(v, missing=formatting.UNPRICED if n else "$0.00") for v, n in zip(costs, unpriced, strict=True)]


def _mover_cells(frame: pd.DataFrame) -> dict[str, list]:
    """Before, in range, the change and the change over before ("new" when there was no usage before)."""
    return {
        "Before": _window_cost(frame["previous_usd"], frame["previous_unpriced"]),
        "In range": _window_cost(frame["current_usd"], frame["current_unpriced"]),
        "Change": [formatting.format_usd_delta(v) for v in frame["delta_usd"]],
        "Change %": [
            formatting.format_pct(d) if not pd.isna(d) else ("new" if (p is None or pd.isna(p)) and not n else NO_VALUE)
            for p, n, d in zip(frame["previous_usd"], frame["previous_unpriced"], frame["delta_share"], strict=True)
        ],
    }


col_team_movers, col_model_movers = st.columns(2)
if team_movers is None or team_movers.empty:
    col_team_movers.caption("No team's cost changed." if team_movers is not None else "No team cost published.")
else:
    top = team_movers.head(queries.MOVERS_SHOWN)
    col_team_movers.dataframe({"Team": top["team"], **_mover_cells(top)}, hide_index=True, width="stretch")
if model_movers.empty:
    col_model_movers.caption("No model's cost changed.")
else:
    top = model_movers.head(queries.MOVERS_SHOWN)
    col_model_movers.dataframe(
        {"Provider": top["provider"], "Model": top["model"], **_mover_cells(top)}, hide_index=True, width="stretch"
    )
st.caption(
    f"Priced cost on UTC days {start} to {end - timedelta(days=1)} against the {(end - start).days} days before "
    f"({prev_start} to {prev_end - timedelta(days=1)}); the {queries.MOVERS_SHOWN} biggest changes either way, "
    "biggest first. Unpriced usage is left out, never counted as \\$0."
)
widgets.filter_note(filters, team="model movers come from provider usage, which carries no team")

# --- reconciliation --------------------------------------------------------------------------
st.subheader("Reconciliation against the bill")
widgets.filter_note(filters, team=RECONCILIATION_NO_TEAM, model=RECONCILIATION_NO_MODEL)
if recon_summary.empty:
    st.caption(NO_DATA)
else:
    st.dataframe(
        {
            "Status": recon_summary["status"],
            "Pairs": recon_summary["pairs"],
            "Computed": [format_usd(v, missing=NO_VALUE) for v in recon_summary["computed_cost_usd"]],
            "Billed usage": [format_usd(v, missing=NO_VALUE) for v in recon_summary["billed_usage_usd"]],
            "Variance": [format_usd(v, missing=NO_VALUE) for v in recon_summary["variance_usd"]],
            "Other billed lines": [format_usd(v, missing=NO_VALUE) for v in recon_summary["billed_other_usd"]],
        },
        hide_index=True,
    )
    st.caption(
        "Computed usage is compared with the billed lines the usage reports count (tokens, tool calls, audio "
        "seconds, storage). Other billed lines, credits, tax and fees are shown apart, never counted as variance. "
        "A model with unpriced usage is left out of both sides, so the variance is that of what is priced; "
        "matched means within the tolerance of finops.yaml (default \\$0.01)."
    )
    exceptions = queries.reconciliation_exceptions(start, end, providers)
    if exceptions.empty:
        st.caption("Every (day, provider, account) pair in this range matched the bill.")
    else:
        st.markdown("**Not matched**, newest first")
        st.dataframe(
            {
                "Day": exceptions["usage_date"].astype(str),
                "Provider": exceptions["provider"],
                "Account": exceptions["account_name"],
                "Status": exceptions["status"],
                "Likely cause": [
                    formatting.format_likely_cause(cause, models)
                    for cause, models in zip(exceptions["likely_cause"], exceptions["unpriced_models"], strict=True)
                ],
                "Computed": [
                    format_usd(v, missing=formatting.UNPRICED if s == "unpriced_usage" else NO_VALUE)
                    for v, s in zip(exceptions["computed_cost_usd"], exceptions["status"], strict=True)
                ],
                "Billed usage": [format_usd(v, missing=NO_VALUE) for v in exceptions["billed_usage_usd"]],
                "Variance": [format_usd(v, missing=NO_VALUE) for v in exceptions["variance_usd"]],
                "Tolerance": [format_usd(v, missing=NO_VALUE) for v in exceptions["tolerance_usd"]],
                "Billed for unpriced": [format_usd(v, missing=NO_VALUE) for v in exceptions["unpriced_billed_usd"]],
                "Other billed lines": [format_usd(v, missing=NO_VALUE) for v in exceptions["billed_other_usd"]],
            },
            hide_index=True,
            width="stretch",
        )
        if len(exceptions) == queries.RECONCILIATION_EXCEPTIONS_LIMIT:
            st.caption(f"Showing the newest {queries.RECONCILIATION_EXCEPTIONS_LIMIT}.")
