"""Names from the data are shown as text, never interpreted as Markdown.

``st.caption``, ``st.warning``, ``st.info``, ``st.markdown``, headings, metric labels / values /
deltas / help and widget labels all render Markdown, including Streamlit's directives
(``:red[...]``, ``:material/icon:``). Backslash-escaping is not enough to make a string inert there:
GitHub-flavoured autolink literals (``https://...``, ``www.``, e-mail addresses) and Streamlit's
``:streamlit:`` / emoji shortcodes are found in the text *after* escapes are decoded. So the rule
is stronger: data never goes into a Markdown-rendering element; it goes into dataframe cells (or
``st.text`` / ``st.code``). These tests check that on a serving copy whose provider, account and
model names are Markdown (``hostile_serving_db`` in conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from apptest_helpers import PAGES, frame_with
from health_seed import add_hostile_quality_results
from streamlit.testing.v1 import AppTest

from apps.lib import formatting

APP = Path(__file__).parents[2] / "apps" / "streamlit_app.py"

# Fields that Streamlit renders as Markdown, on any element that has them...
MARKDOWN_FIELDS = ("body", "label", "help", "delta", "delta_description")
# ...except the body of these, which is shown as plain text.
PLAIN_BODY = {"Text", "Code"}
# Traces of the seeded names: none may reach Markdown, escaped or not.
MARKERS = ("INJECTED", "evil.example", ":red[", "material/warning", "<b>")


def _run(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(APP), default_timeout=30)
    at.run(timeout=30)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _markdown_sources(at: AppTest) -> list[tuple[str, str, str]]:
    """``(element type, field, text)`` for every Markdown-rendering string on the page and sidebar."""
    sources = []
    for root in (at.main, at.sidebar):
        for node in _nodes(root):
            proto = getattr(node, "proto", None)
            if proto is None or not hasattr(proto, "DESCRIPTOR"):
                continue
            kind = proto.DESCRIPTOR.name
            for field in MARKDOWN_FIELDS:
                if field == "body" and kind in PLAIN_BODY:
                    continue
                descriptor = proto.DESCRIPTOR.fields_by_name.get(field)
                if descriptor is None or descriptor.type != descriptor.TYPE_STRING:
                    continue
                value = getattr(proto, field)
                if value:
                    sources.append((kind, field, value))
    return sources


def _assert_no_data_in_markdown(at: AppTest) -> None:
    sources = _markdown_sources(at)
    assert sources, "found no Markdown elements: the walker is broken"
    leaks = [(kind, field, text) for kind, field, text in sources if any(m in text for m in MARKERS)]
    assert not leaks, leaks
    # The same check through AppTest's public accessors, which is what the bug report was about.
    texts = [e.value for e in [*at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.success]]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    assert not [t for t in texts if "**INJECTED**" in t or "](https://evil.example/" in t]


def _dataframes(at: AppTest) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe]


def _cells(at: AppTest) -> set[str]:
    return {str(cell) for frame in _dataframes(at) for column in frame.columns for cell in frame[column]}


@pytest.mark.usefixtures("hostile_serving_db")
@pytest.mark.parametrize("page", PAGES)
def test_no_name_reaches_markdown(page: str) -> None:
    at = _run()
    at.switch_page(page)
    _run(at)
    _assert_no_data_in_markdown(at)


@pytest.mark.usefixtures("hostile_serving_db")
def test_overview_shows_markdown_names_verbatim_as_text(hostile_names: dict[str, str]) -> None:
    at = _run()
    _assert_no_data_in_markdown(at)

    # The names are still on the page, verbatim, as dataframe cells.
    cells = _cells(at)
    assert hostile_names["model"] in cells
    assert hostile_names["provider"] in cells
    assert hostile_names["account"] in cells

    # 2 seeded unpriced rows + the hostile one, three (provider, model) pairs.
    assert [w.value for w in at.warning] == [
        "3 usage rows for 3 models have no list price; they are excluded from list cost, "
        "not counted as \\$0. Add the models below to `pricing_seeds/price_book.csv`."
    ]
    unpriced = next(frame for frame in _dataframes(at) if "Usage rows" in frame.columns)
    assert list(unpriced.columns) == ["Provider", "Model", "Usage type", "Usage rows"]
    assert (hostile_names["provider"], hostile_names["model"], "input", 1) in set(
        unpriced.itertuples(index=False, name=None)
    )

    # Only the hostile provider: the warning and the provider scope still carry no names.
    at.multiselect(key="sidebar_providers").set_value([hostile_names["provider"]])
    _run(at)
    _assert_no_data_in_markdown(at)
    assert at.warning[0].value.startswith("1 usage row for 1 model has no list price; it is excluded")
    unpriced = next(frame for frame in _dataframes(at) if "Usage rows" in frame.columns)
    assert unpriced.values.tolist() == [[hostile_names["provider"], hostile_names["model"], "input", 1]]
    assert "List prices, UTC days 2025-01-16 to 2025-02-14; 1 of 3 providers." in [c.value for c in at.caption]


@pytest.mark.usefixtures("hostile_serving_db")
def test_teams_page_shows_markdown_names_verbatim_as_text(hostile_names: dict[str, str]) -> None:
    """Team, feature, user, model and tag names are Markdown (conftest.py's ``HOSTILE_*``): they reach
    dataframe cells and selectbox options verbatim, and no Markdown element."""
    at = _run()
    at.switch_page("app_pages/teams.py")
    _run(at)
    _assert_no_data_in_markdown(at)

    # The hostile team is an option (plain text in the browser: test_browser.py), so are the tag keys.
    assert hostile_names["team"] in at.selectbox(key="teams_team").options
    assert hostile_names["tag_key"] in at.selectbox(key="teams_tag_key").options
    cells = _cells(at)
    for name in ("team", "model", "provider"):
        assert hostile_names[name] in cells, name
    # 3 seeded unpriced requests + 2 hostile ones; the names are in the table, not the warning.
    assert [w.value for w in at.warning] == [
        "5 requests for 2 models have no list price; they are excluded from request cost, not counted as \\$0. "
        "Add the models below to `pricing_seeds/price_book.csv`."
    ]

    at.selectbox(key="teams_team").set_value(hostile_names["team"])
    at.selectbox(key="teams_tag_key").set_value(hostile_names["tag_key"])
    _run(at)
    _assert_no_data_in_markdown(at)
    cells = _cells(at)
    for name in ("feature", "user", "tag_value"):
        assert hostile_names[name] in cells, name

    # Only the hostile provider: still no name in a caption, metric or alert.
    at.multiselect(key="sidebar_providers").set_value([hostile_names["provider"]])
    _run(at)
    _assert_no_data_in_markdown(at)
    assert [m.value for m in at.metric] == ["$0.70", "9", "—"]  # no usage cost to explain there


@pytest.mark.usefixtures("hostile_serving_db")
def test_prices_page_shows_markdown_names_verbatim_as_text(hostile_names: dict[str, str]) -> None:
    """The hostile provider's model is priced, in the price book and changed price on 2025-02-13: its names
    reach the tables and the model selectbox's options verbatim, and no Markdown element."""
    at = _run()
    at.switch_page("app_pages/prices.py")
    _run(at)
    _assert_no_data_in_markdown(at)
    option = f"{hostile_names['model']} ({hostile_names['provider']})"
    assert option in at.selectbox(key="prices_model").options
    cells = _cells(at)
    assert hostile_names["model"] in cells and hostile_names["provider"] in cells  # by model and changes tables

    at.selectbox(key="prices_model").set_value((hostile_names["provider"], hostile_names["model"]))
    at.multiselect(key="sidebar_providers").set_value([hostile_names["provider"]])
    _run(at)
    _assert_no_data_in_markdown(at)
    # 1M tokens at 0.50 per 1M: 0.50 x 1000 / 1M = $0.0005 per 1K tokens
    assert [m.value for m in at.metric] == ["$0.00050", "0.0%", "—", "0.0%"]
    assert at.selectbox(key="prices_model").options == [option]


@pytest.mark.usefixtures("hostile_serving_db")
def test_reconciliation_page_shows_markdown_names_verbatim_as_text(hostile_names: dict[str, str]) -> None:
    """The hostile provider and account are dataframe cells and a drill-down option; the drill-down's usage
    rows name the hostile model, as text."""
    at = _run()
    at.switch_page("app_pages/reconciliation.py")
    _run(at)
    _assert_no_data_in_markdown(at)
    cells = _cells(at)
    assert hostile_names["provider"] in cells and hostile_names["account"] in cells
    pair = at.selectbox(key="reconciliation_pair")
    # the newest pair that does not match is the hostile one (2025-02-13, unpriced usage)
    assert pair.value == (date(2025, 2, 13), hostile_names["provider"], "acct_evil")
    assert f"2025-02-13 · {hostile_names['provider']} · {hostile_names['account']}" in pair.options
    assert hostile_names["model"] in cells  # the drill-down's usage rows

    at.multiselect(key="sidebar_providers").set_value([hostile_names["provider"]])
    _run(at)
    _assert_no_data_in_markdown(at)
    assert [m.value for m in at.metric] == ["$0.00", "—", "—", "1 of 1"]


# --- format_publish_caption only prints dates, times and counts ---------------------------------


def test_publish_caption_formats_typed_values() -> None:
    info = {
        "published_at": pd.Timestamp("2025-02-15 06:00:00"),
        "data_start": date(2025, 1, 5),
        "data_end": date(2025, 2, 15),
        "quality_warnings": 2,
    }
    assert formatting.format_publish_caption(info) == (
        "Data published 2025-02-15 06:00 UTC, covers 2025-01-05..2025-02-14, 2 quality warnings"
    )


def test_publish_caption_parses_a_text_timestamp() -> None:
    info = {"published_at": "2025-02-15T06:00:00", "data_start": "2025-01-05", "data_end": "2025-02-15"}
    assert formatting.format_publish_caption(info) == (
        "Data published 2025-02-15 06:00 UTC, covers 2025-01-05..2025-02-14"
    )


def test_publish_caption_drops_text_that_is_not_a_date() -> None:
    hostile = "**INJECTED** [x](https://evil.example/)"
    info = {
        "published_at": hostile,
        "data_start": hostile,
        "data_end": date(2025, 2, 15),
        "quality_warnings": 0,
    }
    assert formatting.format_publish_caption(info) is None
    info["published_at"] = datetime(2025, 2, 15, 6, 0)
    assert formatting.format_publish_caption(info) == "Data published 2025-02-15 06:00 UTC"


@pytest.mark.usefixtures("hostile_serving_db")
def test_whatif_page_shows_markdown_names_verbatim_as_text(hostile_names: dict[str, str]) -> None:
    """The hostile scenario (first by name, so the default), its provider, model and caveat are dataframe cells
    and a selectbox option, never Markdown."""
    at = _run()
    at.switch_page("app_pages/whatif.py")
    _run(at)
    _assert_no_data_in_markdown(at)
    assert at.selectbox(key="whatif_scenario").value.startswith("**INJECTED** scenario")
    cells = _cells(at)
    assert hostile_names["model"] in cells
    assert hostile_names["provider"] in cells
    assert f"no price for {hostile_names['model']} output_tokens at standard tier" in cells


def test_health_page_shows_markdown_names_verbatim_as_text(
    hostile_serving_db: Path, hostile_names: dict[str, str]
) -> None:
    """A quality run (health_seed.py) whose asset, check, observed value, sample, description and run id are
    Markdown: dataframe cells, st.text and chart text, verbatim, never Markdown; with the provider filter too."""
    add_hostile_quality_results(hostile_serving_db, hostile_names)
    model, provider = hostile_names["model"], hostile_names["provider"]
    at = _run()
    at.switch_page("app_pages/health.py")
    _run(at)
    _assert_no_data_in_markdown(at)
    assert at.text[0].value.startswith(f"Latest run: run {model}\n")
    cells = _cells(at)
    for text in (f"{provider}/usage", f"check {model}", f"observed {model}", f'["{model}"]', f"about {model}"):
        assert text in cells, text
    # the hostile run is the newest: one warning, on 2025-02-14 (in the default range)
    assert [m.value for m in at.metric][:3] == ["0", "1", "0"]
    assert frame_with(at, "Partition day")["Check"].tolist()[0] == f"check {model}"

    # the source of '<source>/<endpoint>' is all before the last '/': the hostile provider's, though it has '/' in it
    at.multiselect(key="sidebar_providers").set_value([provider])
    _run(at)
    _assert_no_data_in_markdown(at)
    assert f"{provider}/usage" in _cells(at) and "openai/completions_usage" not in _cells(at)
    at.multiselect(key="sidebar_providers").set_value(["anthropic"])
    _run(at)
    assert f"{provider}/usage" not in _cells(at) and "anthropic/messages_usage" in _cells(at)
