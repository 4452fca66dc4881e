"""Widgets the pages share."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import formatting, queries

NO_PUBLISHED_DATA = "No published data yet. Run `finops demo` or `finops run` first."


def page_header(title: str, what: str) -> queries.Filters:
    """The page's title and its one-line caption: ``what`` (fixed text, never names from the data), the UTC
    days and how many providers. Stops the page with a hint when nothing is published yet."""
    filters = published_or_stop(title)
    scope = formatting.format_provider_scope(filters.providers, queries.provider_options())
    st.caption(f"{what}, UTC days {filters.start} to {filters.end - timedelta(days=1)}; {scope}.")
    return filters


def published_or_stop(title: str) -> queries.Filters:
    """The page's title; the sidebar's filters, or a hint and a stop when nothing is published yet (for a page
    whose caption is not ``page_header``'s, e.g. one that reads whole months)."""
    st.title(title)
    filters: queries.Filters | None = st.session_state.get("sidebar_filters")
    if filters is None or queries.date_bounds() is None:
        st.info(NO_PUBLISHED_DATA)
        st.stop()
    return filters


def download_csv(frame: pd.DataFrame, file_name: str, key: str) -> None:
    """A "Download CSV" button for ``frame`` as queried (exact Decimal money; unpriced cost is an empty cell)."""
    download_file("Download CSV", formatting.csv_bytes(frame), f"{file_name}.csv", "text/csv", key)


def download_file(label: str, data: bytes, file_name: str, mime: str, key: str) -> None:
    """A download button for ``data``, the page kept as it is when clicked."""
    st.download_button(
        label, data, file_name=file_name, mime=mime, icon=":material/download:", key=key, on_click="ignore"
    )
