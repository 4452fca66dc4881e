"""Issue 12 item 5, tried through a real run: bad vendor pages on the OpenAI completions report (shaped as OpenAI
documents it, provider-apis.md §1.4) reach the real ingest asset, its raw checks, the gate and publish. Each ends
in one clear sentence or a named check, and the serving copy published before keeps its numbers:

* a page whose JSON is cut short on every attempt (after a good first page),
* a buggy cursor that hands out the same ``next_page`` again,
* a buggy cursor that returns the first page again under a fresh cursor (the rows would be counted twice),
* a day with no rows from a source that had rows on every day of the week before.

The mart is the stand-in of test_raw_checks.py (no dbt): it sums the raw rows as the warehouse would."""

from datetime import date, datetime, timedelta

import duckdb
import pytest
import responses
from test_raw_checks import BASE, DAY, GOOD, KEY, materialize_day, page, serving, stored

from connectors.http import HttpClient
from connectors.openai.tables import OPENAI_COMPLETIONS_USAGE
from orchestration.loader import ensure_raw_tables, land
from orchestration.runner import summarise

pytestmark = pytest.mark.filterwarnings("ignore")

URL = f"{BASE}/organization/usage/completions"
PATH = "/v1/organization/usage/completions"
GOOD_INPUT = 3_200_000  # 3,000,000 + 200,000 input tokens of the two GOOD results


def paged(results, cursor: str) -> dict:
    """A page that says more is to come, under ``cursor``."""
    return {**page(results), "has_more": True, "next_page": cursor}


def run(home, monkeypatch, replies: list[dict]):
    """One run of DAY; ``replies`` are the keyword arguments of the successive responses of the report (the last
    one repeats, as a server that keeps answering the same way)."""
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE)
    monkeypatch.setattr(HttpClient, "backoff_delay", lambda self, attempt, headers=None: 0.0)  # retries, no waits
    with responses.RequestsMock() as mock:
        for reply in replies:
            mock.get(URL, **reply)
        outcome = materialize_day(home)
        calls = [call.request.url for call in mock.calls]
    return outcome, calls


def raw_rows(home) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select _partition_date, model, input_tokens, _run_id from raw.openai_completions_usage order by all"
        ).fetchall()


@pytest.fixture
def published(tmp_path, monkeypatch):
    """A home whose serving copy holds a good run of DAY (3.2M input tokens)."""
    home = tmp_path / "home"
    first, _ = run(home, monkeypatch, [{"json": page(GOOD)}])
    assert first.success
    assert serving(home) == [(first.run_id, GOOD_INPUT)]
    return home, first.run_id


def test_a_page_cut_short_on_every_attempt_fails_the_pull_in_one_sentence_and_changes_nothing(published, monkeypatch):
    home, first_run = published
    raw_before = raw_rows(home)
    cut = '{"object": "page", "data": [{"object": "bucket", "start_time": 17739'
    bad, calls = run(
        home,
        monkeypatch,
        [{"json": paged(GOOD[:1], "page_2")}, {"body": cut, "content_type": "application/json"}],
    )
    assert not bad.success
    summary = summarise(bad)
    assert not summary.published and summary.gate_failures == []
    [failure] = summary.failures
    step, message = failure.split(": ", 1)
    assert step == "openai__completions_usage"
    # what (not JSON), where (the source and the endpoint), how to fix; no Python error text
    assert message.startswith(f"openai: unexpected response at {PATH} (HTTP 200 but not JSON after 6 attempts")
    assert message.endswith("the API may have changed or OPENAI_BASE_URL points at something else.")
    assert "Traceback" not in message and "JSONDecodeError" not in message and "\n" not in message
    # page 1 once, then page 2 six times (the first try and five retries), then the pull stopped
    assert len(calls) == 7 and all("page=page_2" in url for url in calls[1:])
    # the first page's row was not landed alone: the day still holds the first run's two rows
    assert raw_rows(home) == raw_before and [r[3] for r in raw_before] == [first_run, first_run]
    assert serving(home) == [(first_run, GOOD_INPUT)]


def test_a_cursor_that_comes_again_stops_the_pull_at_once_and_changes_nothing(published, monkeypatch):
    home, first_run = published
    raw_before = raw_rows(home)
    # the vendor's page 2 names page_2 as its next page too: followed, it would loop for ever
    bad, calls = run(home, monkeypatch, [{"json": paged(GOOD[:1], "page_2")}, {"json": paged(GOOD[1:], "page_2")}])
    assert not bad.success
    [failure] = summarise(bad).failures
    assert failure == (
        f"openai__completions_usage: openai: the API's pages at {PATH} for UTC day {DAY} cannot be trusted (the "
        "same page cursor came twice (page=page_2)); stopped and loaded nothing of it, run again later or report "
        "this to the provider."
    )
    assert len(calls) == 2
    assert raw_rows(home) == raw_before
    assert serving(home) == [(first_run, GOOD_INPUT)]


def test_the_first_page_again_under_a_fresh_cursor_is_a_duplicate_key_and_publishes_nothing(published, monkeypatch):
    home, first_run = published
    # page 1 says page_2 comes next; "page_2" is page 1 again (same results), and the last
    bad, calls = run(home, monkeypatch, [{"json": paged(GOOD, "page_2")}, {"json": page(GOOD)}])
    assert len(calls) == 2 and not bad.success
    # the run ends on one line: the check, how many rows, the day and the first repeated key
    [failure] = summarise(bad).gate_failures
    assert failure.startswith(
        "openai_completions_usage__unique_natural_key: 4 rows with a duplicate key on 2026-03-20 (bucket_start="
        "2026-03-20, project_id=proj_acme, "
    )
    assert "model=gpt-5.1-2025-11-13" in failure and failure.endswith(" in 2026-03-20..2026-03-21 (exclusive)")
    # stored: 4 rows landed, all 4 share a key with another row
    dup = stored(home, bad.run_id)["unique_natural_key"]
    assert (dup[3], dup[6], dup[7]) == ("failed", 4, 4)
    # the doubled day (6.4M) never reached the serving copy
    assert serving(home) == [(first_run, GOOD_INPUT)]


def test_an_empty_day_after_a_full_week_is_flagged_and_the_days_before_keep_their_rows(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    day = date.fromisoformat(DAY)
    week = [day - timedelta(days=i) for i in range(7, 0, -1)]  # 03-13 .. 03-19: 2 rows a day
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn, [OPENAI_COMPLETIONS_USAGE])
        for d in week:
            start = datetime.combine(d, datetime.min.time())
            rows = [
                {
                    "bucket_start": start,
                    "bucket_end": start + timedelta(days=1),
                    "project_id": "proj_acme",
                    "model": m,
                    "input_tokens": n,
                    "_raw": {},
                }
                for m, n in (("gpt-5-mini", 100), ("gpt-5.1-2025-11-13", 1_000))
            ]
            land(conn, OPENAI_COMPLETIONS_USAGE, rows, run_id="seed", window=(d, d + timedelta(days=1)))
    raw_before = raw_rows(home)
    assert len(raw_before) == 14

    # the vendor answers the day with its bucket and no results
    quiet, _ = run(home, monkeypatch, [{"json": page([])}])
    assert quiet.success  # a warning: the run goes on and publishes
    summary = summarise(quiet)
    assert summary.published and summary.gate_failures == [] and summary.failures == []
    volume = [w for w in summary.warnings if w.startswith("openai_completions_usage__volume")]
    assert volume == [
        "openai_completions_usage__volume: 0 rows on 2026-03-20 vs median 2 in 2026-03-20..2026-03-21 (exclusive)"
    ]
    assert raw_rows(home) == raw_before
    # the serving copy sums the week as before: 7 x (100 + 1,000)
    assert serving(home) == [(quiet.run_id, 7_700)]
