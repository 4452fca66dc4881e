"""What-if: actual usage re-priced under a scenario of finops.yaml's ``whatif`` section (another model, service
tier, price date, cache hit rate or batch share), per month and model, with a share of traffic moved.

Reads ``mart_whatif_reprice`` only (scenario x month x provider x actual model): the app cannot re-run dbt, so
the scenarios are the ones the last pipeline run built. The mart is monthly: the sidebar's range takes the
whole months that overlap it. Scenario, provider and model names and the caveats come from the data: dataframe
cells, charts and selectbox options only, never captions, alerts, metrics or labels.

The Routing tab reads ``mart_request_size_monthly`` (the request logs' prompt-size histogram) and
``mart_whatif_routing`` (per routing rule of ``whatif.routing``: simple vs other requests, and the simple ones
priced again under the rule's cheaper model); its own empty state when those marts or request logs are absent.
"""

from datetime import timedelta
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from apps.lib import charts, formatting, queries, widgets
from apps.lib.formatting import NO_VALUE, format_count, format_pct, format_usd

HOW_TO_ADD = (
    "To add a scenario, list it under `whatif: scenarios:` in finops.yaml (scope, to_model, to_service_tier, "
    "price_date, cache_hit_rate or batch_share; finops.example.yaml shows each) and run the pipeline again. "
    "Without the section two built-ins apply: all-batch and todays-prices."
)
NO_SCENARIOS_INFO = (
    "No what-if scenarios in the published data yet. " + HOW_TO_ADD + " This page reads the serving copy only."
)
METHOD = (
    "Each month's actual usage, the same token counts, priced again by the price book's own rules under the "
    "scenario. Token counts are kept: a cheaper model may need more or fewer tokens, which this cannot know. "
    "Only priced actual usage enters; a counterfactual without a price is shown as unpriced, never \\$0."
)
SHARE_HELP = (
    "Savings scale linearly with the share of the scope's traffic you would move: savings x share. "
    "100% is the whole scope, as the scenario defines it."
)
PRICE_DATE_RULES = {
    "usage_date": "each day at its own prices",
    "today": "today's prices",
    "fixed": "the prices of a fixed date",
}
HUNDRED = Decimal(100)

ROUTING_EMPTY_INFO = (
    "No request logs in the published data for these months and providers: the routing view classifies the "
    "requests that gateways and tracers log (LiteLLM, OpenTelemetry, Helicone, Langfuse or the plain JSONL "
    "format; the README says how to point the pipeline at them). Pick other dates or providers, or add a source "
    "and run the pipeline again."
)
ROUTING_HOW_TO = (
    "Rules come from `whatif: routing:` in finops.yaml (name, simple: max_input_tokens and max_output_tokens, "
    "scope: provider and model globs, to_model; finops.example.yaml shows one). Without it three built-ins "
    "apply, each simple = at most 1,000 input and 300 output tokens: anthropic to claude-haiku-4-5, openai to "
    "gpt-4.1-mini, google to gemini-2.5-flash-lite."
)
ROUTING_METHOD = (
    "A request is simple when its prompt (every input token, cached ones included) and its output are both "
    "within the rule's limits. Its token counts are kept and priced again under the rule's model by the price "
    "book's own rules, at the request's own date and tier. Token counts are kept: the cheaper model may answer "
    "with more or fewer tokens, or less well, which this cannot know. Only successful requests count; an "
    "unpriced request is left out of both costs, never \\$0. A negative saving: that model is already cheaper "
    "than the target; narrow the rule's scope.models to leave it out."
)


def _share(part: object, whole: object) -> str:
    """``part / whole`` as a percentage; "—" when either is unknown or the whole is 0."""
    if part is None or whole is None or pd.isna(part) or pd.isna(whole) or whole == 0:
        return NO_VALUE
    return format_pct(Decimal(str(part)) / Decimal(str(whole)))


def _routing(start, end, providers: tuple[str, ...], models: tuple[str, ...]) -> None:
    """The routing view: the request-size histogram and, per routing rule, the simple share of requests and cost
    and what routing the simple requests to the rule's model would have saved."""
    st.caption("Request logs split by size; what routing the simple requests to a cheaper model would save.")
    sizes = queries.request_size_histogram(start, end, providers, models) if queries.routing_published() else None
    if sizes is None or sizes.empty:
        st.info(ROUTING_EMPTY_INFO, icon=":material/info:")
        st.caption(ROUTING_HOW_TO)
        return

    st.subheader("Request sizes")
    chart_data = pd.DataFrame(
        {
            "Prompt tokens": sizes["size_bucket"].tolist(),
            "Requests": [int(v) for v in sizes["requests"]],
        }
    )
    st.altair_chart(
        alt.Chart(chart_data)
        .mark_bar()
        .encode(
            x=alt.X("Prompt tokens:N", sort=sizes["size_bucket"].tolist()),
            y=alt.Y("Requests:Q"),
            tooltip=["Prompt tokens", "Requests"],
        ),
        width="stretch",
    )
    total_requests = sizes["requests"].sum()
    total_cost = sizes["list_cost_usd"].dropna().sum() if sizes["list_cost_usd"].notna().any() else None
    st.dataframe(
        {
            "Prompt tokens": sizes["size_bucket"].tolist(),
            "Requests": [format_count(v) for v in sizes["requests"]],
            "Share of requests": [_share(v, total_requests) for v in sizes["requests"]],
            "List cost": [format_usd(v, places=4) for v in sizes["list_cost_usd"]],
            "Share of cost": [_share(v, total_cost) for v in sizes["list_cost_usd"]],
            "Unpriced requests": [format_count(v) for v in sizes["unpriced_requests"]],
        },
        hide_index=True,
        width="stretch",
    )

    st.subheader("Routing the simple requests")
    rules = queries.routing_summary(start, end, providers, models)
    if rules.empty:
        st.caption("No routing rule covers these requests: add one for their provider.")
        st.caption(ROUTING_HOW_TO)
        return
    st.dataframe(
        {
            "Rule": rules["rule"].tolist(),
            "Route to": rules["to_model"].tolist(),
            "Simple: prompt at most": [format_count(v) for v in rules["max_input_tokens"]],
            "Simple: output at most": [format_count(v) for v in rules["max_output_tokens"]],
            "Requests": [format_count(v) for v in rules["requests"]],
            "Simple requests": [format_count(v) for v in rules["simple_requests"]],
            "Simple share of requests": [
                _share(s, r) for s, r in zip(rules["simple_requests"], rules["requests"], strict=True)
            ],
            "Cost": [format_usd(v, places=4) for v in rules["actual_cost_usd"]],
            "Simple cost": [format_usd(v, places=4) for v in rules["simple_actual_cost_usd"]],
            "Simple share of cost": [
                _share(s, c) for s, c in zip(rules["simple_actual_cost_usd"], rules["actual_cost_usd"], strict=True)
            ],
            "Simple, routed": [format_usd(v, places=4) for v in rules["counterfactual_cost_usd"]],
            "Estimated savings": [format_usd(v, places=4) for v in rules["savings_usd"]],
            "Savings share of cost": [
                _share(s, c) for s, c in zip(rules["savings_usd"], rules["actual_cost_usd"], strict=True)
            ],
        },
        hide_index=True,
        width="stretch",
    )
    unpriced = int(rules["unpriced_counterfactual_rows"].sum())
    if unpriced:
        st.warning(
            f"{format_count(unpriced)} model-months of simple requests have no price under their rule's model: "
            "their cost routed and the savings are unpriced (not \\$0), and so are the totals that include them. "
            "The caveats below say which prices are missing.",
            icon=":material/price_change:",
        )

    models = queries.routing_models(start, end, providers, models)
    st.dataframe(
        {
            "Rule": models["rule"].tolist(),
            "Provider": models["provider"].tolist(),
            "Model": models["model_id"].tolist(),
            "Routed as": [NO_VALUE if v is None or pd.isna(v) else v for v in models["target_model_id"]],
            "Requests": [format_count(v) for v in models["requests"]],
            "Simple requests": [format_count(v) for v in models["simple_requests"]],
            "Simple cost": [format_usd(v, places=4, missing=NO_VALUE) for v in models["simple_actual_cost_usd"]],
            "Simple, routed": [format_usd(v, places=4) for v in models["counterfactual_cost_usd"]],
            "Estimated savings": [format_usd(v, places=4) for v in models["savings_usd"]],
            "Unpriced requests": [format_count(v) for v in models["unpriced_requests"]],
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(models, f"whatif_routing_{start}_{end - timedelta(days=1)}", "whatif_routing_download")
    st.caption(ROUTING_METHOD)
    caveats = sorted(
        {
            (rule, provider, model, caveat)
            for rule, provider, model, text in zip(
                models["rule"], models["provider"], models["model_id"], models["caveats"], strict=True
            )
            if isinstance(text, str)
            for caveat in text.split(" | ")
        }
    )
    if caveats:
        st.dataframe(
            pd.DataFrame(caveats, columns=["Rule", "Provider", "Model", "Caveat"]), hide_index=True, width="stretch"
        )
    st.caption(ROUTING_HOW_TO)


filters = widgets.published_or_stop("What-if")
start, end, providers = filters.start, filters.end, filters.providers
last = end - timedelta(days=1)
scope = formatting.format_provider_scope(providers, queries.provider_options())
st.caption(
    f"Actual usage re-priced under another model, tier or price date; whole months that overlap UTC days "
    f"{start} to {last}; {scope}."
)
# models: the actual model re-priced or routed; the what-if marts are per month, provider and model
widgets.filter_note(filters, team="the what-if marts are per month, provider and model, with no team")

tab_reprice, tab_routing = st.tabs(["Repricing", "Routing"])
with tab_routing:
    _routing(start, end, providers, filters.models)

with tab_reprice:
    scenarios = queries.whatif_scenarios() if queries.whatif_published() else None
    if scenarios is None or scenarios.empty:
        st.info(NO_SCENARIOS_INFO, icon=":material/info:")
        st.stop()

    scenario = st.selectbox(
        "Scenario",
        scenarios["scenario"].tolist(),  # options are data: Streamlit shows them as plain text
        index=0,
        key="whatif_scenario",
    )
    settings = scenarios[scenarios["scenario"] == scenario].iloc[0]
    price_date = settings["price_date"]
    st.dataframe(
        {
            "Service tier": [tier if isinstance(tier := settings["target_service_tier"], str) else "as used"],
            "Prices": [
                PRICE_DATE_RULES.get(settings["price_date_rule"], settings["price_date_rule"])
                + ("" if price_date is None or pd.isna(price_date) else f" ({price_date})")
            ],
            "Cache hit rate": [format_pct(settings["cache_hit_rate"], missing="as used")],
            "Batch share": [format_pct(settings["batch_share"], missing="none")],
        },
        hide_index=True,
        width="stretch",
    )

    share_pct = st.slider("Share of traffic moved (%)", 0, 100, 100, step=5, key="whatif_share", help=SHARE_HELP)
    share = Decimal(share_pct) / HUNDRED

    def _at_share(savings: object) -> Decimal | None:
        """Savings x the share of traffic moved; ``None`` (unpriced) stays ``None``."""
        if savings is None or pd.isna(savings):
            return None
        return savings * share  # type: ignore[operator]

    rows = queries.whatif_reprice(scenario, start, end, providers, filters.models)
    if rows.empty:
        st.caption("This scenario has no usage in these months and providers: pick other dates or providers.")
        st.caption(HOW_TO_ADD)
        st.stop()

    total = rows[rows["level"] == "total"].iloc[0]
    months = rows[rows["level"] == "month"]
    models = rows[rows["level"] == "model"]

    col_actual, col_counterfactual, col_savings, col_share = st.columns(4)
    col_actual.metric(
        "Actual cost", format_usd(total["actual_cost_usd"]), help="Priced actual usage in scope.", border=True
    )
    col_counterfactual.metric("Under the scenario", format_usd(total["counterfactual_cost_usd"]), border=True)
    col_savings.metric(
        "Savings, all traffic",
        format_usd(total["savings_usd"]),
        help="Actual minus under the scenario; negative: the scenario costs more.",
        border=True,
    )
    col_share.metric(f"Savings at {share_pct}% moved", format_usd(_at_share(total["savings_usd"])), border=True)
    unpriced = int(total["unpriced_counterfactual_rows"])
    if unpriced:
        st.warning(
            f"{format_count(unpriced)} of {format_count(len(models))} model-months have no price under the scenario: "
            "their cost under the scenario and savings are unpriced (not \\$0), and so are the totals that include "
            "them. The caveats below say which prices are missing.",
            icon=":material/price_change:",
        )
    st.caption(
        f"Savings at {share_pct}% moved = savings x {share_pct}%: a linear estimate, as if that share of each "
        "month's traffic in scope moved."
    )

    # --- per month ----------------------------------------------------------------------------------
    st.subheader("By month")
    st.altair_chart(charts.whatif_month_chart(months), width="stretch")
    st.dataframe(
        {
            "Month": [f"{m:%Y-%m}" for m in months["month"]],
            "Actual cost": [format_usd(v) for v in months["actual_cost_usd"]],
            "Under the scenario": [format_usd(v) for v in months["counterfactual_cost_usd"]],
            "Savings": [format_usd(v) for v in months["savings_usd"]],
            f"Savings at {share_pct}%": [format_usd(_at_share(v)) for v in months["savings_usd"]],
        },
        hide_index=True,
        width="stretch",
    )

    # --- per model ----------------------------------------------------------------------------------
    st.subheader("By month and model")
    st.dataframe(
        {
            "Month": [f"{m:%Y-%m}" for m in models["month"]],
            "Provider": models["provider"].tolist(),
            "Model": models["model_id"].tolist(),
            "Repriced as": [NO_VALUE if v is None or pd.isna(v) else v for v in models["target_model_id"]],
            "Actual cost": [format_usd(v) for v in models["actual_cost_usd"]],
            "Under the scenario": [format_usd(v) for v in models["counterfactual_cost_usd"]],
            "Savings": [format_usd(v) for v in models["savings_usd"]],
            f"Savings at {share_pct}%": [format_usd(_at_share(v)) for v in models["savings_usd"]],
            "Unpriced actual rows": models["unpriced_actual_rows"].tolist(),
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(
        rows.assign(
            scenario=scenario,
            share_moved=share,
            savings_at_share_usd=[_at_share(v) for v in rows["savings_usd"]],
        ),
        f"whatif_{start}_{last}",
        "whatif_download",
    )
    st.caption(METHOD)

    # --- caveats ------------------------------------------------------------------------------------
    st.subheader("Caveats")
    caveats = [
        (f"{m:%Y-%m}", provider, model, caveat)
        for m, provider, model, text in zip(
            models["month"], models["provider"], models["model_id"], models["caveats"], strict=True
        )
        if isinstance(text, str)
        for caveat in text.split(" | ")
    ]
    if caveats:
        st.dataframe(
            pd.DataFrame(caveats, columns=["Month", "Provider", "Model", "Caveat"]), hide_index=True, width="stretch"
        )
    else:
        st.caption("None for these months: every row was priced, with no fallback price.")
    st.caption(
        "Always: token counts are kept as used; with a cache hit rate, cache writes are kept as used too (a higher "
        "hit rate may need fewer); batch moves standard-tier tokens only."
    )
    st.caption(HOW_TO_ADD)
