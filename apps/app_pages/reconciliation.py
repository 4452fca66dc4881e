"""Reconciliation: computed cost against the providers' bills per UTC day, provider and account, with the
variance, its likely cause, and a drill-down to the billed lines and usage rows of one day.

Reads ``fct_cost_reconciliation_daily``, ``fct_billed_cost_daily`` and ``fct_usage_cost_daily``, and OpenRouter's
bring-your-own-key usage, which its upstream provider bills (``fct_openrouter_byok_daily``). Provider,
account and model names come from the data: dataframe cells and selectbox options only, never captions,
alerts, metrics or labels.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import formatting, queries, widgets
from apps.lib.formatting import NO_VALUE, format_count, format_usd

METHOD = (
    "Computed: usage at contracted cost (list less a negotiated discount; list without a contract), compared "
    "with the billed lines the usage reports count (tokens, web searches). Other billed lines, credits, tax "
    "and fees are shown apart, never counted as variance. A model with unpriced usage is left out of both "
    "sides, so the variance is that of what is priced; matched means within the tolerance of finops.yaml."
)

filters = widgets.page_header(
    "Reconciliation",
    "Computed against billed cost per day, provider and account",
    team="reconciliation is per provider account and day, with no team",
    model="reconciliation is per provider account and day; the drill-down below lists its models",
)
start, end, providers = filters.start, filters.end, filters.providers
last = end - timedelta(days=1)

rows = queries.reconciliation_rows(start, end, providers)
if rows.empty:
    st.info("No usage or billed cost in this range: pick other dates or providers in the sidebar.")
    st.stop()


def _total(column: str) -> object:
    """The column's sum over the rows that have a value; ``None`` when none has."""
    values = [v for v in rows[column] if v is not None and not pd.isna(v)]
    return sum(values, start=0) if values else None


not_matched = int((rows["status"] != "matched").sum())
has_unpriced = rows["unpriced_quantity"].fillna(0) > 0


def _computed(value: object, unpriced: bool) -> str:
    """The priced part; unpriced usage has no cost to add, so it is named, never counted as $0."""
    text = format_usd(value, missing=NO_VALUE)
    return f"{text} + unpriced" if unpriced else text


col_computed, col_billed, col_variance, col_pairs = st.columns(4)
# The card holds the amount alone (a suffix would be cut off in a narrow column); the label says when some
# usage has no price, and the table names it per row.
col_computed.metric(
    "Computed, priced part" if has_unpriced.any() else "Computed",
    format_usd(_total("computed_cost_usd"), missing=NO_VALUE),
    help="Priced usage at contracted cost; usage without a list price is not counted as \\$0.",
    border=True,
)
col_billed.metric(
    "Billed usage",
    format_usd(_total("billed_usage_usd"), missing=NO_VALUE),
    help="Billed lines with a usage type: what the computed cost is compared with.",
    border=True,
)
col_variance.metric(
    "Variance",
    format_usd(_total("variance_usd"), missing=NO_VALUE),
    help="Computed minus billed, over the priced models of each day and account.",
    border=True,
)
col_pairs.metric(
    "Not matched",
    f"{format_count(not_matched)} of {format_count(len(rows))}",
    help="(day, provider, account) pairs outside the tolerance, or with unpriced usage or only one side.",
    border=True,
)


def _openrouter_byok() -> None:
    """OpenRouter's bring-your-own-key usage: billed by the upstream provider on the caller's own key, so kept
    apart from the comparison above (the section is left out when the range has none)."""
    byok = queries.openrouter_byok(start, end, providers)
    if byok.empty:
        return
    st.subheader("OpenRouter bring-your-own-key, kept apart")
    elsewhere = byok["is_counted_elsewhere"].astype(bool)
    total = sum(byok["byok_inference_usd"], start=0)
    counted_elsewhere = sum(byok.loc[elsewhere, "byok_inference_usd"], start=0)

    def amount(value: object) -> str:  # a caption is Markdown: a bare "$" pair would render as math
        return format_usd(value).replace("$", "\\$")

    st.caption(
        f"{amount(total)} of inference ran on your own provider keys through OpenRouter in this range "
        f"({format_count(len(byok))} {'rows' if len(byok) != 1 else 'row'}). The provider behind each key bills it; "
        f"OpenRouter bills only its fee, from credits. {amount(counted_elsewhere)} of it belongs to providers "
        "whose own bills this warehouse loads (finops.yaml `openrouter.byok_billed_by_upstream`): it is in no total "
        "here, and neither are those rows' tokens. The rest is a billed line of OpenRouter (usage type "
        "`byok_inference`), so these rows repeat it: do not add them to the totals above."
    )
    st.dataframe(
        {
            "Day": byok["usage_date"].astype(str),
            "Account": byok["account_id"],
            "Model": byok["model_raw"],
            "Served by": byok["provider_name"],
            "Requests": byok["requests"],
            "Prompt tokens": byok["prompt_tokens"],
            "Completion tokens": byok["completion_tokens"],
            "BYOK inference": [format_usd(v, places=4) for v in byok["byok_inference_usd"]],
            "OpenRouter credits": [format_usd(v, missing=NO_VALUE, places=4) for v in byok["credits_usd"]],
            "Counted under": [
                "the upstream provider's own bill" if e else "OpenRouter's billed lines" for e in elsewhere
            ],
        },
        hide_index=True,
        width="stretch",
    )
    widgets.download_csv(byok, f"openrouter_byok_{start}_{last}", "reconciliation_download_byok")


only_exceptions = st.toggle("Only pairs that do not match", value=False, key="reconciliation_only_exceptions")
shown = rows[rows["status"] != "matched"] if only_exceptions else rows
if shown.empty:
    st.caption("Every (day, provider, account) pair in this range matched the bill.")
    _openrouter_byok()
    st.stop()

st.dataframe(
    {
        "Day": shown["usage_date"].astype(str),
        "Provider": shown["provider"],
        "Account": shown["account_name"].fillna(shown["account_id"]),
        "Status": shown["status"],
        "Likely cause": [
            formatting.format_likely_cause(cause, models)
            for cause, models in zip(shown["likely_cause"], shown["unpriced_models"], strict=True)
        ],
        "Computed": [
            _computed(v, unpriced)
            for v, unpriced in zip(shown["computed_cost_usd"], has_unpriced[shown.index], strict=True)
        ],
        "Billed usage": [format_usd(v, missing=NO_VALUE) for v in shown["billed_usage_usd"]],
        "Variance": [format_usd(v, missing=NO_VALUE) for v in shown["variance_usd"]],
        "Variance %": [NO_VALUE if v is None or pd.isna(v) else f"{float(v):+.2f}%" for v in shown["variance_pct"]],
        "Tolerance": [format_usd(v, missing=NO_VALUE) for v in shown["tolerance_usd"]],
        "Billed for unpriced": [format_usd(v, missing=NO_VALUE) for v in shown["unpriced_billed_usd"]],
        "Other billed lines": [format_usd(v, missing=NO_VALUE) for v in shown["billed_other_usd"]],
    },
    hide_index=True,
    width="stretch",
)
widgets.download_csv(shown, f"reconciliation_{start}_{last}", "reconciliation_download")
st.caption(METHOD)

# --- drill-down -------------------------------------------------------------------------------
st.subheader("The lines of one day")
pairs = list(zip(shown["usage_date"], shown["provider"], shown["account_id"], strict=True))
names = dict(zip(pairs, shown["account_name"].fillna(shown["account_id"]), strict=True))
first_exception = next((i for i, status in enumerate(shown["status"]) if status != "matched"), 0)
pair = st.selectbox(
    "Day, provider and account",
    pairs,
    index=first_exception,  # the newest pair that does not match
    # Options are data: Streamlit shows them as plain text.
    format_func=lambda p: f"{p[0]} · {p[1]} · {names[p]}",
    key="reconciliation_pair",
)
day, provider, account_id = pair
billed = queries.billed_lines(day, provider, account_id)
usage = queries.usage_lines(day, provider, account_id)

col_bill, col_usage = st.columns(2)
col_bill.markdown("**Billed lines**")
if billed.empty:
    col_bill.caption("No billed line for this day and account.")
else:
    col_bill.dataframe(
        {
            "Line item": billed["line_item"],
            "Type": billed["line_type"],
            "Model": billed["model_id"],
            "Usage type": billed["usage_type"],
            "Billed": [format_usd(v, missing=NO_VALUE) for v in billed["billed_cost_usd"]],
        },
        hide_index=True,
        width="stretch",
    )
    with col_bill:
        widgets.download_csv(billed, f"billed_lines_{day}", "reconciliation_download_billed")
col_usage.markdown("**Usage rows**")
if usage.empty:
    col_usage.caption("No usage for this day and account.")
else:
    col_usage.dataframe(
        {
            "Model": usage["model_id"].fillna(usage["model_raw"]),
            "Service tier": usage["service_tier"],
            "Usage type": usage["usage_type"],
            "Quantity": usage["quantity"],
            "Unit price": [formatting.format_price(v) for v in usage["unit_price_usd"]],
            "List cost": [format_usd(v) for v in usage["list_cost_usd"]],
            "Contracted": [format_usd(v) for v in usage["contracted_cost_usd"]],
        },
        hide_index=True,
        width="stretch",
    )
    with col_usage:
        widgets.download_csv(usage, f"usage_rows_{day}", "reconciliation_download_usage")

_openrouter_byok()
