"""AI spend: the Streamlit entrypoint.

Owns page config, navigation and the shared sidebar (date range, providers, teams, models and, when the
pipeline publishes local days, the reporting time zone). The sidebar's selection is stored in
``st.session_state["sidebar_filters"]`` as a ``queries.Filters`` with a half-open ``[start, end)`` window
(empty teams / models = all), or ``None`` when nothing is published yet. Pages read it.

Rule for every page: names and ids from the data (providers, accounts, models, anything read from
the serving copy) go into dataframe cells, ``st.text`` or charts, never into an element that renders
Markdown (``st.markdown``, ``st.caption``, alerts, headings, metric labels / values / deltas, help
texts, widget labels). Escaping is not enough there: autolinks and ``:shortcodes:`` survive it.
``tests/apps/test_data_as_text.py`` checks every page on a serving copy with Markdown in its names.

Run with ``finops app`` or ``streamlit run apps/streamlit_app.py``.
"""

from datetime import timedelta

import streamlit as st

from apps.lib import formatting, login, queries

st.set_page_config(page_title="AI spend", page_icon=":material/payments:", layout="wide")
login.require()  # off unless Streamlit's secrets configure OIDC (a shared deployment)

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/teams.py", title="Teams", icon=":material/groups:"),
    st.Page("app_pages/showback.py", title="Showback", icon=":material/account_tree:"),
    st.Page("app_pages/chargeback.py", title="Chargeback", icon=":material/receipt_long:"),
    st.Page("app_pages/budgets.py", title="Budgets and alerts", icon=":material/savings:"),
    st.Page("app_pages/prices.py", title="Prices and models", icon=":material/sell:"),
    st.Page("app_pages/whatif.py", title="What-if", icon=":material/alt_route:"),
    st.Page("app_pages/tco.py", title="TCO", icon=":material/dns:"),
    st.Page("app_pages/reconciliation.py", title="Reconciliation", icon=":material/balance:"),
    st.Page("app_pages/health.py", title="Data health", icon=":material/health_and_safety:"),
    # Later pages slot in here: by model.
]

page = st.navigation(PAGES)

bounds = queries.date_bounds()
if bounds is None:
    st.session_state["sidebar_filters"] = None
else:
    min_date, max_date = bounds
    default_start = max(min_date, max_date - timedelta(days=29))
    picked = st.sidebar.date_input(
        "Dates (UTC)",
        value=(default_start, max_date),
        min_value=min_date,
        max_value=max_date,
        format="YYYY-MM-DD",
        key="sidebar_date_range",
        help="Both ends included; UTC days, or the reporting time zone's local days where a view has them. "
        "Defaults to the last 30 days with data.",
    )
    # While a range is half picked the widget returns one date: show that day alone.
    start, last = (picked[0], picked[-1]) if picked else (default_start, max_date)

    all_providers = queries.provider_options()
    chosen = st.sidebar.multiselect(
        "Providers",
        all_providers,
        default=[],
        placeholder="All providers",
        key="sidebar_providers",
    )
    # Teams and models: empty means every one. Options are data: multiselect options are plain text.
    teams = st.sidebar.multiselect(
        "Teams", queries.team_options(), default=[], placeholder="All teams", key="sidebar_teams"
    )
    models = st.sidebar.multiselect(
        "Models", queries.model_options(), default=[], placeholder="All models", key="sidebar_models"
    )
    time_zone = queries.UTC_ZONE
    local_zone = queries.local_time_zone()
    if local_zone is not None:
        # the zone's name comes from config: a select box shows it as plain text
        time_zone = st.sidebar.selectbox(
            "Reporting days",
            [queries.UTC_ZONE, local_zone],
            key="sidebar_time_zone",
            help="The day boundary of the request-log views that have local days; the others stay in UTC days.",
        )
    st.session_state["sidebar_filters"] = queries.Filters(
        start=start,
        end=last + timedelta(days=1),  # the widget's end is inclusive; queries take [start, end)
        providers=tuple(chosen or all_providers),
        teams=tuple(teams),
        models=tuple(models),
        time_zone=time_zone,
    )

caption = formatting.format_publish_caption(queries.publish_info())
if caption:
    st.sidebar.caption(caption)

try:
    page.run()
except queries.ServingFilesMissing as missing:  # a moved data folder: one sentence, not a traceback
    st.error(str(missing), icon=":material/folder_off:")
