"""Prices and models: what tokens cost, what caching saved, how much ran as batch, and how list prices moved.

Reads marts only: ``fct_usage_cost_daily`` (token usage at list price), ``dim_price`` (the price book as
history) and ``mart_price_changes`` (every change, with the spend it affected). Provider and model names
come from the data: they go into dataframe cells, charts and selectbox options, never into captions,
alerts, metrics or labels.
"""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from apps.lib import charts, formatting, queries, widgets
from apps.lib.formatting import NO_VALUE, format_count, format_pct, format_price, format_usd

METHOD = (
    "Token usage only (usage types priced per 1M tokens). Cost per 1K tokens: list cost over priced tokens "
    "x 1,000. Cache hit rate: cache reads over uncached input plus cache reads (text, audio, image). Savings "
    "from caching: cache-read tokens x (the uncached input price of the same day, model, service tier and "
    "context tier - the cache read price). Batch share: batch-tier list cost over all list cost."
)
PER_1K_PLACES = 5  # $0.00015 per 1K tokens is a cheap model's price: cents would show $0.00
TOKEN_UNIT = "per_1m_tokens"

filters = widgets.page_header(
    "Prices and models",
    "What tokens cost at list price, caching and batch, and each model's list-price history",
    team="provider usage and the price book carry no team",
)
start, end, providers = filters.start, filters.end, filters.providers
chosen_models = filters.models
last = end - timedelta(days=1)


# --- token cost, caching and batch ------------------------------------------------------------
tokens = queries.token_cost_by_model(start, end, providers, chosen_models)
if tokens.empty:
    st.caption("No token usage in this range.")
else:
    total = tokens[tokens["is_total"]].iloc[0]
    by_model = tokens[~tokens["is_total"]].drop(columns="is_total")
    col_rate, col_hit, col_savings, col_batch = st.columns(4)
    col_rate.metric(
        "Cost per 1K tokens",
        format_usd(total["cost_per_1k_tokens_usd"], missing=NO_VALUE, places=PER_1K_PLACES),
        help="List cost of priced token usage over its tokens x 1,000.",
        border=True,
    )
    col_hit.metric(
        "Cache hit rate",
        format_pct(total["cache_hit_rate"]),
        help="Cache-read tokens over uncached input plus cache-read tokens.",
        border=True,
    )
    col_savings.metric(
        "Savings from caching",
        format_usd(total["cache_savings_usd"], missing=NO_VALUE),
        help="Cache-read tokens x (the same day's uncached input price - the cache read price).",
        border=True,
    )
    col_batch.metric(
        "Batch share",
        format_pct(total["batch_share"]),
        help="Batch-tier list cost over all list cost of token usage.",
        border=True,
    )
    unpriced_tokens = int(total["unpriced_tokens"])
    if unpriced_tokens:
        st.warning(
            f"{format_count(unpriced_tokens)} tokens have no list price: they are left out of cost and cost per "
            "1K tokens (shown as unpriced, not \\$0). The Overview page lists their models.",
            icon=":material/price_change:",
        )
    st.subheader("By model")
    st.dataframe(
        {
            "Provider": by_model["provider"],
            "Model": by_model["model_id"],
            "Tokens": by_model["tokens"],
            "List cost": [format_usd(v) for v in by_model["list_cost_usd"]],
            "Per 1K tokens": [format_usd(v, places=PER_1K_PLACES) for v in by_model["cost_per_1k_tokens_usd"]],
            "Cache hit rate": [format_pct(v) for v in by_model["cache_hit_rate"]],
            "Savings from caching": [format_usd(v, missing=NO_VALUE) for v in by_model["cache_savings_usd"]],
            "Batch share": [format_pct(v) for v in by_model["batch_share"]],
            "Unpriced tokens": by_model["unpriced_tokens"],
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(by_model, f"token_cost_by_model_{start}_{last}", "prices_download_models")
    st.caption(METHOD)
    unvalued = int(total["cache_read_tokens_unvalued"])
    if unvalued:
        st.caption(
            f"{format_count(unvalued)} cache-read tokens are not in the savings: no uncached input of their "
            "model and tier was priced that day."
        )


def _price_history() -> None:
    """A model's list prices over time: a step chart of one service tier's token prices, and every window."""
    st.subheader("Price history")
    models = (
        queries.price_models(start, end, providers, chosen_models) if queries.marts_published(("dim_price",)) else None
    )
    if models is None or models.empty:
        st.caption("No model of these providers in the price book.")
        return

    model = st.selectbox(
        "Model",
        list(zip(models["provider"], models["model_id"], strict=True)),
        index=0,  # the costliest in the range
        # Options are data: Streamlit shows them as plain text. The costliest models in the range come first.
        format_func=lambda pair: f"{pair[1]} ({pair[0]})",
        key="prices_model",
    )
    provider, model_id = model
    history = queries.price_history(provider, model_id, end)
    tiers = sorted(history["service_tier"].unique())
    tier = st.selectbox(
        "Service tier",
        tiers,
        index=tiers.index("standard") if "standard" in tiers else 0,
        key="prices_tier",
    )
    changes = None  # a serving copy published before mart_price_changes: the chart has no rules
    if queries.marts_published(("mart_price_changes",)):
        changes = queries.price_changes(date.min, end, (provider,), model_id)
        changes = changes[(changes["service_tier"] == tier) & (changes["unit"] == TOKEN_UNIT)]
    charted = history[(history["service_tier"] == tier) & (history["unit"] == TOKEN_UNIT)]
    if charted.empty:
        st.caption("No token price in this tier: the table below lists the model's prices.")
    else:
        st.altair_chart(charts.price_step_chart(charted, changes, end), width="stretch")
        st.caption(
            f"Every price window that starts before {end}; dashed rules mark the price changes (hover for old and new)."
        )
    st.dataframe(
        {
            "Usage type": history["usage_type"],
            "Service tier": history["service_tier"],
            "Prompt tokens over": history["prompt_tokens_gt"],
            "Unit": history["unit"],
            "List price": [format_price(v) for v in history["unit_price_usd"]],
            "From": history["effective_from"].astype(str),
            "To": [NO_VALUE if v is None or pd.isna(v) else str(v) for v in history["effective_to"]],
            "Confidence": history["price_conf"],
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(
        history.assign(provider=provider, model_id=model_id), "price_history", "prices_download_history"
    )


def _price_changes() -> None:
    """Every list-price change of the providers' models in the range, with the spend it affected."""
    st.subheader("Price changes in this range")
    if not queries.marts_published(("mart_price_changes",)):
        st.caption("This serving copy has no price changes yet: run the pipeline again to publish them.")
        return
    in_range = queries.price_changes(start, end, providers, None, chosen_models)
    if in_range.empty:
        st.caption("No list price changed in this range.")
        return
    st.dataframe(
        {
            "Day": in_range["change_date"].astype(str),
            "Provider": in_range["provider"],
            "Model": in_range["model_id"],
            "Usage type": in_range["usage_type"],
            "Service tier": in_range["service_tier"],
            "Old price": [format_price(v, missing=NO_VALUE) for v in in_range["old_unit_price_usd"]],
            "New price": [format_price(v, missing=NO_VALUE) for v in in_range["new_unit_price_usd"]],
            "Change": [
                NO_VALUE if v is None or pd.isna(v) else f"{float(v):+.1f}%" for v in in_range["price_change_pct"]
            ],
            "Spend affected, 30 days": [format_usd(v, missing=NO_VALUE) for v in in_range["affected_spend_30d_usd"]],
            "Impact, 30 days": [formatting.format_usd_delta(v) or NO_VALUE for v in in_range["impact_30d_usd"]],
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(in_range, f"price_changes_{start}_{last}", "prices_download_changes")
    st.caption(
        "Spend affected: the first 30 days of usage priced at the new price; impact: that usage at the new price "
        "minus at the old one (negative = the change saved money)."
    )


_price_history()
_price_changes()
