"""Widgets the pages share."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from apps.lib import formatting, queries

NO_PUBLISHED_DATA = "No published data yet. Run `finops demo` or `finops run` first."


def page_header(
    title: str, what: str, *, team: str | None = None, model: str | None = None, local_days: bool = False
) -> queries.Filters:
    """The page's title and its one-line caption: ``what`` (fixed text, never names from the data), the day boundary
    and the days, and how many providers (teams, models) are chosen. ``team`` / ``model``: why the page's views
    cannot take that filter (fixed text; ``None`` when they do), said in a second line when it is chosen.
    ``local_days``: the page's views read local days when the sidebar picks the reporting time zone. Stops the page
    with a hint when nothing is published yet."""
    filters = published_or_stop(title)
    scopes = [formatting.format_provider_scope(filters.providers, queries.provider_options())]
    if filters.teams and not team:
        scopes.append(formatting.format_scope(filters.teams, queries.team_options(), "teams"))
    if filters.models and not model:
        scopes.append(formatting.format_scope(filters.models, queries.model_options(), "models"))
    days = formatting.format_days(local_days and is_local(filters))
    st.caption(f"{what}, {days} {filters.start} to {filters.end - timedelta(days=1)}; {', '.join(scopes)}.")
    filter_note(filters, team=team, model=model)
    return filters


def is_local(filters: queries.Filters) -> bool:
    """Whether the sidebar picked the reporting time zone's local days (not UTC)."""
    return filters.time_zone != queries.UTC_ZONE


def filter_note(filters: queries.Filters, *, team: str | None = None, model: str | None = None) -> None:
    """A caption saying that a chosen team / model filter does not apply to the view above or below, and why
    (``team`` / ``model``: fixed text, ``None`` when it applies); nothing when all chosen filters apply."""
    line = formatting.filters_not_applied(bool(filters.teams), bool(filters.models), team=team, model=model)
    if line:
        st.caption(line)


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
