"""Altair charts. The only place where DECIMAL money becomes float: charts need numbers, not Decimals."""

from __future__ import annotations

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
