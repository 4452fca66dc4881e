"""Chargeback: a month's statement per cost center, the lines a finance team can book, as CSV and Parquet.

The statement is the one ``finops export chargeback`` writes: the same SQL (``statements.chargeback``) on the
same mart (``mart_showback_monthly``), the same CSV text and the same Parquet bytes, so the page's totals are
the export's. Cost center, team, provider and model names come from the data: dataframe cells only, never
captions, alerts, metrics or labels.
"""

import pandas as pd
import streamlit as st

from apps.lib import queries, widgets
from apps.lib.formatting import format_count, format_usd
from statements import chargeback

NO_STATEMENT_INFO = (
    "No chargeback statement yet: the serving copy has no showback months. Declare `ownership` in finops.yaml "
    "(teams with a `cost_center`, owners, shared rules; see the README) and run the pipeline again."
)

filters = widgets.published_or_stop("Chargeback")
months = queries.chargeback_months()
if not months:
    st.caption("The monthly statement per cost center, as `finops export chargeback` writes it.")
    st.info(NO_STATEMENT_INFO, icon=":material/info:")
    st.stop()

month = st.selectbox(
    "Month",
    months,
    index=0,  # the newest
    format_func=lambda value: f"{value:%Y-%m}",
    key="chargeback_month",
)
st.caption(
    f"The statement for {month:%Y-%m} per cost center, as `finops export chargeback --month {month:%Y-%m}` "
    "writes it; whole month, every provider, whatever the sidebar's days and providers."
)
widgets.filter_note(
    filters,
    team="the statement books every cost center's teams",
    model="the statement books every model",
)

lines = queries.chargeback_statement(month)
unpriced = queries.chargeback_unpriced_rows(month)
if lines.empty:
    st.info(
        f"Nothing to book for {month:%Y-%m}: its {format_count(unpriced)} showback rows are all usage without a "
        "price (no amount, never \\$0). Add their models to `pricing_seeds/price_book.csv` and run the pipeline "
        "again.",
        icon=":material/price_change:",
    )
    st.stop()
total = sum(lines["amount_usd"], start=0)
per_center = (
    lines.groupby("cost_center", sort=True)
    .agg(lines=("amount_usd", "size"), amount_usd=("amount_usd", lambda s: sum(s, start=0)))
    .reset_index()
)

col_total, col_lines, col_centers = st.columns(3)
col_total.metric(
    "Total to book",
    format_usd(total),
    help="The month's allocated list cost, unallocated included; usage without a price has no amount.",
    border=True,
)
col_lines.metric("Lines", format_count(len(lines)), border=True)
col_centers.metric("Cost centers", format_count(len(per_center)), border=True)
if unpriced:
    st.warning(
        f"{format_count(unpriced)} rows of the month are usage without a price: no amount to book, left out "
        "(see `finops prices check`).",
        icon=":material/price_change:",
    )

st.subheader("Per cost center")
st.dataframe(
    {
        "Cost center": per_center["cost_center"].tolist(),
        "Lines": per_center["lines"].tolist(),
        "Amount": [format_usd(v) for v in per_center["amount_usd"]],
    },
    hide_index=True,
    width="stretch",
)
st.caption("'(unallocated)' is the cost no rule gave to a team; '(none)' a team without a cost center.")

st.subheader("Lines")
st.dataframe(
    pd.DataFrame(
        {
            "Period": [f"{a} to {b}" for a, b in zip(lines["period_start"], lines["period_end"], strict=True)],
            "Cost center": lines["cost_center"],
            "Team": lines["team"],
            "Provider": lines["provider"],
            "Model": lines["model_id"],
            "Amount": [format_usd(v) for v in lines["amount_usd"]],
            "Exact amount (USD)": [str(v) for v in lines["amount_usd"]],
            "Allocation basis": lines["allocation_basis"],
        }
    ),
    hide_index=True,
    width="stretch",
)

name = f"chargeback-{month:%Y-%m}"
rows = list(lines.itertuples(index=False, name=None))
col_csv, col_parquet = st.columns(2)
with col_csv:
    csv = chargeback.csv_text(rows).encode("utf-8")
    widgets.download_file("Download CSV", csv, f"{name}.csv", "text/csv", "chargeback_download_csv")
with col_parquet:
    parquet = queries.chargeback_parquet(month)
    mime = "application/vnd.apache.parquet"
    widgets.download_file("Download Parquet", parquet, f"{name}.parquet", mime, "chargeback_download_parquet")
st.caption("Both files are what `finops export chargeback` writes: amounts as exact decimals, no total row.")
