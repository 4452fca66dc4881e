"""Teams: who spent it. Request logs priced at list price, by team, feature, user and tag.

Requests attribute, billing counts (DESIGN section 3): request-level cost says who spent the money; the
providers' billing and usage sources say how much. So this page shows request cost next to usage cost
(how much of it the logs explain) and never adds the two.

Team, feature, user, tag, source, provider and model names come from the logs: they go only into
dataframe cells, charts and selectbox options (plain text, checked in a browser by
``tests/apps/test_browser.py``), never into captions, alerts, metrics or labels.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import charts, formatting, queries, widgets
from apps.lib.formatting import NO_VALUE, format_count, format_pct, format_usd

NO_REQUESTS_INFO = (
    "No request logs in this range. To see spend by team, feature and user, point `FINOPS_REQUEST_LOGS` "
    "at your gateway or SDK request logs (see the README, section Request logs) and run the pipeline again."
)
COVERAGE_NOTE = (
    "Requests attribute, billing counts: request-level cost never adds to provider totals; it attributes "
    "the usage cost that billing and usage sources count, and the gap is the part no request log explains."
)
ALL_TEAMS = "All teams"
TOP_USERS_DEFAULT = 10
TOP_TAG_VALUES_DEFAULT = 100  # a key can have a value per request (a trace id): the page shows the costliest

filters = widgets.page_header("Teams", "Request logs at list price", local_days=True)
start, end, providers = filters.start, filters.end, filters.providers
chosen_teams, chosen_models, time_zone = filters.teams, filters.models, filters.time_zone
if widgets.is_local(filters):
    st.caption(
        "Local days for the totals, teams and features; users, unpriced requests, coverage, gateway drift and tags "
        "stay in UTC days (their marts have no local days)."
    )

totals = None
if queries.request_marts_published():
    totals = queries.request_totals(start, end, providers, chosen_teams, chosen_models, time_zone).iloc[0]
if totals is None or int(totals["requests"]) == 0:
    st.info(NO_REQUESTS_INFO, icon=":material/info:")
    st.stop()


def _cost_table(frame: pd.DataFrame, column: str, title: str) -> dict[str, list]:
    """Display columns for a cost breakdown; unpriced cost is "unpriced", never $0."""
    return {
        title: frame[column].tolist(),
        "Requests": frame["requests"].tolist(),
        "Unpriced requests": frame["unpriced_requests"].tolist(),
        "List cost": [format_usd(value) for value in frame["list_cost_usd"]],
        "Share": [format_pct(value) for value in frame["share_of_total"]],
    }


coverage = queries.request_coverage(start, end, providers)
usage_cost = sum((v for v in coverage["usage_cost_usd"] if v is not None), start=0)
explained = sum((v for v in coverage["explained_usd"] if v is not None), start=0)

col_cost, col_requests, col_explained = st.columns(3)
col_cost.metric(
    "Request cost",
    format_usd(totals["list_cost_usd"]),
    help="Logged requests × effective-dated list price, summed over priced requests.",
    border=True,
)
col_requests.metric("Requests", format_count(totals["requests"]), border=True)
col_explained.metric(
    "Usage cost explained by request logs",
    format_pct(explained / usage_cost) if usage_cost else NO_VALUE,
    help="Request cost on days with usage cost, over that usage cost. Request cost never adds to it.",
    border=True,
)

# --- unpriced requests: counts only --------------------------------------------------------
unpriced = queries.unpriced_requests(start, end, providers, chosen_teams, chosen_models)
if not unpriced.empty:
    # Counts only in the warning; the source and model names go in the table below it, as text.
    count = int(unpriced["unpriced_requests"].sum())
    models = unpriced[["provider", "model_id"]].drop_duplicates().shape[0]
    model_word = "models" if models != 1 else "model"
    st.warning(
        f"{format_count(count)} {'requests' if count != 1 else 'request'} "
        f"for {format_count(models)} {model_word} "
        f"{'have' if count != 1 else 'has'} no list price; "
        f"{'they are' if count != 1 else 'it is'} excluded from request cost, not counted as \\$0. "
        f"Add the {model_word} below to `pricing_seeds/price_book.csv`.",
        icon=":material/price_change:",
    )
    st.dataframe(
        {
            "Source": unpriced["source"],
            "Provider": unpriced["provider"],
            "Model": unpriced["model_id"],
            "Unpriced requests": unpriced["unpriced_requests"],
        },
        hide_index=True,
        width="content",
    )

# --- by team ----------------------------------------------------------------------------------
st.subheader("Cost by team")
by_team = queries.request_cost_by_team(start, end, providers, chosen_teams, chosen_models, time_zone)
col_chart, col_table = st.columns([3, 2])
if by_team["list_cost_usd"].notna().any():
    col_chart.altair_chart(charts.cost_bar_chart(by_team, "team", "Team"), width="stretch")
else:
    col_chart.caption("No priced requests in this range.")
col_table.dataframe(_cost_table(by_team, "team", "Team"), hide_index=True, width="stretch")
period = f"{start}_{end - timedelta(days=1)}"
widgets.download_csv(by_team, f"cost_by_team_{period}", "teams_download_by_team")

st.subheader("By feature and user, within a team")
teams = by_team["team"].tolist()
team = st.selectbox(
    "Team",
    [None, *teams],
    index=1,  # the costliest team
    # Options are data: Streamlit shows them as plain text (checked in a browser). None means every team.
    format_func=lambda value: ALL_TEAMS if value is None else str(value),
    key="teams_team",
)
top_n = int(
    st.number_input(
        "Top users", min_value=1, max_value=100, value=TOP_USERS_DEFAULT, step=1, key="teams_top_n", width=160
    )
)
col_features, col_users = st.columns(2)
by_feature = queries.request_cost_by_feature(start, end, providers, team, chosen_teams, chosen_models, time_zone)
col_features.dataframe(_cost_table(by_feature, "feature", "Feature"), hide_index=True, width="stretch")
by_user = queries.request_cost_by_user(start, end, providers, team, top_n, chosen_teams, chosen_models)
col_users.dataframe(_cost_table(by_user, "user_id", "User"), hide_index=True, width="stretch")
if not by_user.empty and int(by_user["users"].iloc[0]) > len(by_user):
    col_users.caption(
        f"The {format_count(len(by_user))} costliest of {format_count(by_user['users'].iloc[0])} users; "
        "shares are of the whole selection."
    )
with col_features:
    widgets.download_csv(by_feature, f"cost_by_feature_{period}", "teams_download_by_feature")
with col_users:
    widgets.download_csv(by_user, f"cost_by_user_{period}", "teams_download_by_user")

# --- coverage -----------------------------------------------------------------------------
st.subheader("Coverage: what request logs explain")
st.caption(COVERAGE_NOTE)
widgets.filter_note(
    filters,
    team="coverage compares per provider and day, where usage carries no team",
    model="coverage compares per provider and day",
)
st.dataframe(
    {
        "Provider": coverage["provider"],
        "Usage cost": [format_usd(v, missing=NO_VALUE) for v in coverage["usage_cost_usd"]],
        "Explained by requests": [format_usd(v) for v in coverage["explained_usd"]],
        "Share explained": [format_pct(v) for v in coverage["explained_share"]],
        "Gap": [format_usd(v, missing=NO_VALUE) for v in coverage["gap_usd"]],
        "Request cost on days no billing covers": [format_usd(v) for v in coverage["unbilled_request_cost_usd"]],
        "Requests": coverage["requests"],
    },
    hide_index=True,
    width="stretch",
)

# --- gateway drift --------------------------------------------------------------------------
st.subheader("Gateway drift: reported vs list cost")
st.caption(
    "The cost the sources log for their requests (LiteLLM spend, ...) against the price book, on priced "
    "requests that carry a reported cost. Highlighted: a difference of more than 1% of list cost and more "
    "than \\$0.01. Sources that log no cost are not listed."
)
drift = queries.gateway_drift(start, end, providers, chosen_teams, chosen_models)
if drift.empty:
    st.caption("No reported cost to compare in this range.")
else:
    beyond = drift["is_beyond_tolerance"].fillna(False).astype(bool)
    table = pd.DataFrame(
        {
            "Source": drift["source"],
            "Provider": drift["provider"],
            "Model": drift["model_id"],
            "Requests": drift["requests"],
            # To 1/100 of a cent: the tolerance is a cent, so cents alone would hide the differences.
            "List cost": [format_usd(v, places=4) for v in drift["list_cost_usd"]],
            "Reported cost": [format_usd(v, missing=NO_VALUE, places=4) for v in drift["reported_cost_usd"]],
            "Difference": [formatting.format_usd_delta(v, places=4) or NO_VALUE for v in drift["difference_usd"]],
            "Difference %": [format_pct(v) for v in drift["difference_pct"]],
            "Beyond tolerance": beyond,
        }
    )
    highlight = "background-color: rgba(255, 75, 75, 0.18)"
    st.dataframe(
        table.style.apply(lambda row: [highlight if row["Beyond tolerance"] else ""] * len(row), axis=1),
        hide_index=True,
        width="stretch",
    )

TAG_CHART_VALUES = 20

# --- tags --------------------------------------------------------------------------------------
st.subheader("Cost by tag")
widgets.filter_note(filters, team="the tag mart carries no team")
tag_keys = queries.request_tag_keys(start, end, providers, chosen_models)
if not tag_keys:
    st.caption("No tagged requests in this range.")
else:
    col_key, col_top = st.columns([3, 1])
    tag_key = col_key.selectbox("Tag key", tag_keys, key="teams_tag_key")
    top_values = int(
        col_top.number_input(
            "Top values", min_value=1, max_value=1000, value=TOP_TAG_VALUES_DEFAULT, step=10, key="teams_tag_top_n"
        )
    )
    st.caption("A request with several tags counts under each key; within one key the values add up.")
    by_tag = queries.request_cost_by_tag_value(start, end, providers, tag_key, top_values, chosen_models)
    col_chart, col_table = st.columns([3, 2])
    if by_tag["list_cost_usd"].notna().any():
        # the chart shows the 20 costliest values (a key with many values stays readable); the table the top values
        top = by_tag.sort_values("list_cost_usd", ascending=False, na_position="last").head(TAG_CHART_VALUES)
        col_chart.altair_chart(charts.cost_bar_chart(top, "tag_value", "Tag value"), width="stretch")
    else:
        col_chart.caption("No priced requests with this tag key.")
    col_table.dataframe(_cost_table(by_tag, "tag_value", "Tag value"), hide_index=True, width="stretch")
    if not by_tag.empty and int(by_tag["tag_values"].iloc[0]) > len(by_tag):
        col_table.caption(
            f"The {format_count(len(by_tag))} costliest of {format_count(by_tag['tag_values'].iloc[0])} values; "
            "shares are of the whole key."
        )
    widgets.download_csv(by_tag, f"cost_by_tag_{period}", "teams_download_by_tag")
