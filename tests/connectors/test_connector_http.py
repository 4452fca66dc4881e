"""HttpClient: retry rules, Retry-After forms and cap, JSON parsing, pagination, errors, redaction."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors.errors import (
    AuthError,
    BadRequestError,
    ConnectionFailed,
    ConnectorError,
    NotFoundError,
    RateLimitError,
    ResponseShapeError,
    ServerError,
)
from connectors.http import RETRY_STATUSES, HttpClient, default_jitter, parse_retry_after, redact
from connectors.pagination import Bounds, LastId, NextPage

BASE = "https://api.example.test/v1"
URL = f"{BASE}/things"
SECRET = "sk-admin-test-not-a-real-key-http"


def make(sleeps, **kwargs) -> HttpClient:
    kwargs.setdefault("jitter", lambda d: d)
    return HttpClient(
        BASE, {"Authorization": f"Bearer {SECRET}"}, source="testsrc", sleep=sleeps.append, secrets=(SECRET,), **kwargs
    )


def query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


# -- retries -----------------------------------------------------------------------------------------------


def test_429_with_retry_after_then_success_sleeps_exactly_retry_after(rsps, sleeps):
    rsps.get(URL, status=429, headers={"Retry-After": "2"})
    rsps.get(URL, status=429, headers={"Retry-After": "0.25"})
    rsps.get(URL, json={"ok": True})
    assert make(sleeps).get_json("things") == {"ok": True}
    assert sleeps == [2.0, 0.25]
    assert len(rsps.calls) == 3


def test_retry_after_over_the_cap_is_capped(rsps, sleeps):
    rsps.get(URL, status=429, headers={"Retry-After": "3600"})
    rsps.get(URL, json={})
    make(sleeps, max_retry_delay=60.0).get_json("things")
    assert sleeps == [60.0]


def test_retry_after_ms_wins_over_retry_after_seconds(rsps, sleeps):
    rsps.get(URL, status=503, headers={"retry-after-ms": "1500", "Retry-After": "9"})
    rsps.get(URL, json={})
    make(sleeps).get_json("things")
    assert sleeps == [1.5]


def test_retry_after_http_date_is_relative_to_the_clock(rsps, sleeps):
    now = datetime(2025, 8, 1, 12, 0, 0, tzinfo=UTC)
    later = datetime(2025, 8, 1, 12, 0, 30, tzinfo=UTC)
    rsps.get(URL, status=429, headers={"Retry-After": format_datetime(later, usegmt=True)})
    rsps.get(URL, json={})
    make(sleeps, clock=now.timestamp).get_json("things")
    assert sleeps == [30.0]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "Fri, 01 Aug 2025 11:59:00 GMT"}, 0.0),  # a date in the past: retry now, not negative
        ({"Retry-After": "soon"}, None),
        ({"retry-after-ms": "nan", "retry-after": "3"}, 3.0),
        ({}, None),
    ],
)
def test_parse_retry_after_edge_cases(headers, expected):
    now = datetime(2025, 8, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after(headers, now=now) == expected


def test_without_retry_after_backoff_is_exponential_and_capped_at_8s(rsps, sleeps):
    for _ in range(7):
        rsps.get(URL, status=503)
    client = make(sleeps, max_retries=6)
    with pytest.raises(ServerError) as info:
        client.get_json("things")
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(rsps.calls) == 7  # max_retries + 1
    assert info.value.status == 503
    assert "after 7 attempts" in str(info.value)


def test_5xx_then_success(rsps, sleeps):
    rsps.get(URL, status=500)
    rsps.get(URL, status=502)
    rsps.get(URL, json={"n": 1})
    assert make(sleeps).get_json("things") == {"n": 1}
    assert sleeps == [0.5, 1.0]


def test_503_exhausted_raises_server_error_after_max_retries_plus_one_calls(rsps, sleeps):
    rsps.get(URL, status=503, headers={"x-request-id": "req_503"})
    with pytest.raises(ServerError) as info:
        make(sleeps, max_retries=2).get_json("things")
    assert len(rsps.calls) == 3
    assert sleeps == [0.5, 1.0]
    assert info.value.request_id == "req_503"
    assert "req_503" in str(info.value)


@pytest.mark.parametrize("status", sorted(RETRY_STATUSES))
def test_every_retryable_status_is_retried(rsps, sleeps, status):
    rsps.get(URL, status=status)
    rsps.get(URL, json={"ok": 1})
    assert make(sleeps).get_json("things") == {"ok": 1}
    assert len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (422, BadRequestError),
        (405, ConnectorError),
    ],
)
def test_other_4xx_are_not_retried(rsps, sleeps, status, error):
    rsps.get(URL, status=status, json={"error": {"message": "nope", "type": "invalid_request_error"}})
    with pytest.raises(error) as info:
        make(sleeps).get_json("things")
    assert len(rsps.calls) == 1
    assert sleeps == []
    assert info.value.status == status and info.value.source == "testsrc"


def test_400_message_carries_the_api_error_message(rsps, sleeps):
    rsps.get(URL, status=400, json={"error": {"message": "Invalid group_by: foo", "type": "invalid_request_error"}})
    with pytest.raises(BadRequestError, match="Invalid group_by: foo"):
        make(sleeps).get_json("things")


def test_429_exhausted_raises_rate_limit_error(rsps, sleeps):
    rsps.get(URL, status=429, headers={"retry-after": "1"})
    with pytest.raises(RateLimitError, match="rate limited"):
        make(sleeps, max_retries=1).get_json("things")
    assert sleeps == [1.0]


def test_truncated_json_body_is_retried_then_parsed(rsps, sleeps):
    rsps.get(URL, body='{"data": [{"start_time": 17', content_type="application/json")
    rsps.get(URL, json={"data": []})
    assert make(sleeps).get_json("things") == {"data": []}
    assert sleeps == [0.5]


def test_an_html_page_with_status_200_fails_at_once_naming_the_base_url(rsps, sleeps):
    # A login page, a proxy or the wrong host: no retry will turn it into JSON (it used to be retried six
    # times as if truncated, about 50 s).
    html = "<html><body>" + "Welcome to our login page " * 500 + "</body></html>"
    rsps.get(URL, body=html, content_type="text/html")
    with pytest.raises(ResponseShapeError) as info:
        make(sleeps, max_retries=2).get_json("things")
    message = str(info.value)
    assert len(rsps.calls) == 1 and sleeps == []
    assert "text/html, not the API's JSON" in message and "/v1/things" in message
    assert "check the base URL setting" in message
    assert len(message) < 400 and "Welcome to our login page Welcome" not in message


def test_a_json_body_that_is_cut_short_every_time_is_a_short_shape_error_after_retries(rsps, sleeps):
    rsps.get(URL, body='{"data": [{"start_time": 17', content_type="application/json")
    with pytest.raises(ResponseShapeError) as info:
        make(sleeps, max_retries=2).get_json("things")
    assert len(rsps.calls) == 3
    assert "not JSON after 3 attempts" in str(info.value)


def test_json_with_a_wrong_content_type_is_still_read(rsps, sleeps):
    rsps.get(URL, body='{"ok": true}', content_type="text/plain")
    assert make(sleeps).get_json("things") == {"ok": True}


def test_html_error_page_is_not_dumped_into_the_message(rsps, sleeps):
    rsps.get(URL, status=502, body="<html>" + "x" * 10_000 + "</html>", content_type="text/html")
    with pytest.raises(ServerError) as info:
        make(sleeps, max_retries=0).get_json("things")
    assert len(str(info.value)) < 400 and "xxxxxxxxxx" not in str(info.value)


def test_plain_text_error_body_is_cut_to_a_snippet(rsps, sleeps):
    rsps.get(URL, status=500, body="upstream exploded: " + "stack frame\n" * 2000, content_type="text/plain")
    with pytest.raises(ServerError) as info:
        make(sleeps, max_retries=0).get_json("things")
    assert "upstream exploded" in str(info.value) and len(str(info.value)) < 400


def test_connection_error_is_retried_then_connection_failed_names_the_base_url(rsps, sleeps):
    rsps.get(URL, body=requests.ConnectionError("connection reset by peer"))
    with pytest.raises(ConnectionFailed) as info:
        make(sleeps, max_retries=4).get_json("things")
    assert len(rsps.calls) == 5
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert "https://api.example.test/v1/things" in str(info.value)
    assert info.value.status is None


def test_a_refused_connection_is_retried_only_briefly():
    # A closed port is a wrong base URL far more often than an outage: say so within about a second and a
    # half instead of the full backoff (it used to take about 50 s).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    sleeps: list[float] = []
    client = HttpClient(
        f"http://127.0.0.1:{port}/v1", {}, source="testsrc", sleep=sleeps.append, jitter=lambda d: d, max_retries=5
    )
    with pytest.raises(ConnectionFailed, match=f"nothing answers at http://127.0.0.1:{port}/v1/things"):
        client.get_json("things")
    assert sleeps == [0.5, 1.0]


def test_timeout_is_retried(rsps, sleeps):
    rsps.get(URL, body=requests.exceptions.ReadTimeout("slow"))
    rsps.get(URL, json={"ok": True})
    assert make(sleeps).get_json("things") == {"ok": True}
    assert sleeps == [0.5]


def test_timeout_exhausted_is_connection_failed(rsps, sleeps):
    rsps.get(URL, body=requests.exceptions.ConnectTimeout("slow"))
    with pytest.raises(ConnectionFailed, match="no answer within 60 s"):
        make(sleeps, max_retries=1).get_json("things")
    assert len(rsps.calls) == 2


def test_every_request_has_a_finite_timeout(rsps, sleeps):
    rsps.get(URL, status=500)
    rsps.get(URL, json={})
    make(sleeps, timeout=12.5).get_json("things")
    for call in rsps.calls:
        assert call.request.req_kwargs["timeout"] == 12.5


def test_timeout_none_is_refused():
    with pytest.raises(ValueError):
        HttpClient(BASE, {}, source="x", timeout=None)


def test_redirect_is_reported_not_followed(rsps, sleeps):
    rsps.get(URL, status=301, headers={"Location": "https://elsewhere.test/v1/things?token=abc"})
    with pytest.raises(ConnectorError) as info:
        make(sleeps).get_json("things")
    assert len(rsps.calls) == 1  # the key is never sent to elsewhere.test
    assert "redirect" in str(info.value) and "token=abc" not in str(info.value)


def test_default_jitter_only_shortens_the_delay():
    for _ in range(200):
        assert 6.0 <= default_jitter(8.0) <= 8.0


# -- URLs, params, parsing -----------------------------------------------------------------------------------


def test_url_join_has_no_double_slash_and_params_are_not_mutated(rsps, sleeps):
    rsps.get(URL, json={})
    client = HttpClient(BASE + "/", {}, source="x", sleep=sleeps.append)
    params = {"group_by[]": ["model", "project_id"], "include_archived": True, "skip": None}
    client.get_json("/things", params)
    assert rsps.calls[0].request.url.startswith("https://api.example.test/v1/things?")
    assert query(rsps.calls[0]) == [("group_by[]", "model"), ("group_by[]", "project_id"), ("include_archived", "true")]
    assert params == {"group_by[]": ["model", "project_id"], "include_archived": True, "skip": None}


def test_numbers_are_parsed_as_exact_decimals(rsps, sleeps):
    rsps.get(URL, body='{"a": 0.1, "b": 0.2, "n": 7}', content_type="application/json")
    body = make(sleeps).get_json("things")
    assert body["a"] + body["b"] == Decimal("0.3")
    assert body["n"] == 7 and isinstance(body["n"], int)


def test_base_url_must_be_http():
    with pytest.raises(ConnectorError, match="not an http"):
        HttpClient("api.example.test/v1", {}, source="x")


# -- pagination ----------------------------------------------------------------------------------------------


def test_paginate_follows_next_page_without_mutating_params(rsps, sleeps):
    rsps.get(URL, json={"data": [1], "has_more": True, "next_page": "cur_2"})
    rsps.get(URL, json={"data": [2], "has_more": True, "next_page": "cur_3"})
    rsps.get(URL, json={"data": [3], "has_more": False, "next_page": None})
    params = [("start_time", 100), ("group_by[]", "model"), ("group_by[]", "batch")]
    before = list(params)
    pages = list(make(sleeps).paginate("things", params, NextPage("page")))
    assert [p["data"] for p in pages] == [[1], [2], [3]]
    assert params == before
    assert query(rsps.calls[0]) == [("start_time", "100"), ("group_by[]", "model"), ("group_by[]", "batch")]
    assert query(rsps.calls[1]) == [*query(rsps.calls[0]), ("page", "cur_2")]
    assert query(rsps.calls[2]) == [*query(rsps.calls[0]), ("page", "cur_3")]  # replaced, not appended twice


def test_a_page_that_says_has_more_without_a_cursor_is_a_shape_error_naming_the_scope(rsps, sleeps):
    # It used to end the pull quietly: a window of good days was then replaced by nothing.
    rsps.get(URL, json={"data": [], "has_more": True, "next_page": None})
    with pytest.raises(ResponseShapeError) as info:
        list(
            make(sleeps).paginate(
                "things", {}, NextPage("page"), bounds=Bounds(scope="UTC days 2025-06-01..2025-06-03")
            )
        )
    message = str(info.value)
    assert len(rsps.calls) == 1
    assert "testsrc" in message and "/v1/things" in message and "UTC days 2025-06-01..2025-06-03" in message
    assert "says has_more but gives no cursor" in message and "loaded nothing" in message


def test_an_empty_page_that_still_has_more_is_a_shape_error(rsps, sleeps):
    rsps.get(URL, json={"data": [], "has_more": True, "next_page": "cur_2"})
    with pytest.raises(ResponseShapeError, match="page 1 is empty but says has_more"):
        list(make(sleeps).paginate("things", {}, NextPage("page")))
    assert len(rsps.calls) == 1


def test_a_fresh_cursor_on_every_page_stops_at_the_page_bound(rsps, sleeps):
    for n in range(50):
        rsps.get(URL, json={"data": [n], "has_more": True, "next_page": f"cur_{n}"})
    with pytest.raises(ResponseShapeError, match="5 pages and still more"):
        list(make(sleeps).paginate("things", {}, NextPage("page"), bounds=Bounds(max_pages=5)))
    assert len(rsps.calls) == 5


def test_paging_stops_at_the_deadline(rsps, sleeps):
    now = [0.0]

    def monotonic() -> float:
        now[0] += 100.0  # every look at the clock: 100 s later
        return now[0]

    for n in range(50):
        rsps.get(URL, json={"data": [n], "has_more": True, "next_page": f"cur_{n}"})
    with pytest.raises(ResponseShapeError, match="still paging after"):
        list(make(sleeps, monotonic=monotonic).paginate("things", {}, NextPage("page"), bounds=Bounds(deadline=250.0)))
    assert len(rsps.calls) == 3


def test_an_empty_list_page_that_still_has_more_is_a_shape_error(rsps, sleeps):
    rsps.get(URL, json={"data": [], "has_more": True, "last_id": "x"})
    with pytest.raises(ResponseShapeError, match="empty but says has_more"):
        list(make(sleeps).paginate("things", {}, LastId("after_id")))


def test_paginate_is_lazy(rsps, sleeps):
    rsps.get(URL, json={"data": [], "has_more": False, "next_page": None})
    pages = make(sleeps).paginate("things", {}, NextPage("page"))
    assert len(rsps.calls) == 0
    next(pages)
    assert len(rsps.calls) == 1


def test_repeating_cursor_raises_instead_of_looping(rsps, sleeps):
    rsps.get(URL, json={"data": [1], "has_more": True, "next_page": "same"})
    with pytest.raises(ResponseShapeError, match="same page cursor came twice"):
        list(make(sleeps).paginate("things", {"limit": 1}, NextPage("page")))
    assert len(rsps.calls) == 2


def test_paginate_list_uses_last_id_then_falls_back_to_the_last_item(rsps, sleeps):
    rsps.get(URL, json={"data": [{"id": "a"}, {"id": "b"}], "last_id": "b", "has_more": True})
    rsps.get(URL, json={"data": [{"id": "c"}], "has_more": True})  # no last_id
    rsps.get(URL, json={"data": [{"id": "d"}], "last_id": "d", "has_more": False})
    pages = list(make(sleeps).paginate("things", {"limit": 2}, LastId("after_id")))
    assert [i["id"] for p in pages for i in p["data"]] == ["a", "b", "c", "d"]
    assert query(rsps.calls[1]) == [("limit", "2"), ("after_id", "b")]
    assert query(rsps.calls[2]) == [("limit", "2"), ("after_id", "c")]


def test_page_that_is_not_an_object_is_a_shape_error(rsps, sleeps):
    rsps.get(URL, json=[1, 2, 3])
    with pytest.raises(ResponseShapeError, match="not a JSON object"):
        list(make(sleeps).paginate("things", {}, NextPage("page")))


# -- redaction -------------------------------------------------------------------------------------------------


def test_redact_replaces_configured_secrets_and_key_shapes_but_keeps_hints():
    text = f"key {SECRET} other sk-proj-abcdefghijklmnopqrstuvwxyz0123 hint (sk-admin-...) and (sk-ant-admin...)"
    out = redact(text, [SECRET, ""])
    assert SECRET not in out and "sk-proj-abcdefghijklmnop" not in out
    assert out.count("[REDACTED]") == 2
    assert "(sk-admin-...)" in out and "(sk-ant-admin...)" in out
    assert redact("custom-secret-value in text", ["custom-secret-value"]) == "[REDACTED] in text"


def test_secret_echoed_in_an_error_body_is_redacted_everywhere(rsps, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    rsps.get(URL, status=500, json={"error": {"message": f"bad key {SECRET}"}})
    rsps.get(URL, status=400, json={"error": {"message": f"Incorrect API key provided: {SECRET}"}})
    with pytest.raises(BadRequestError) as info:
        make(sleeps).get_json("things")
    assert SECRET not in str(info.value) and "[REDACTED]" in str(info.value)
    assert caplog.records, "expected log lines"
    for record in caplog.records:
        assert SECRET not in record.getMessage()


def test_log_lines_are_redacted_even_when_the_url_holds_a_secret(rsps, sleeps, caplog):
    """Some gateways put the key in the base URL path; log lines name the path, so they must be redacted."""
    caplog.set_level(logging.DEBUG, logger="connectors")
    gateway = f"https://gateway.example.test/{SECRET}/v1"
    rsps.get(f"{gateway}/things", status=503)
    rsps.get(f"{gateway}/things", json={"ok": True})
    client = HttpClient(gateway, {}, source="testsrc", sleep=sleeps.append, secrets=(SECRET,), jitter=lambda d: d)
    assert client.get_json("things") == {"ok": True}
    messages = [r.getMessage() for r in caplog.records if r.name == "connectors.testsrc"]
    assert len(messages) == 2  # one retry warning, one debug line for the success
    assert all(SECRET not in m and "[REDACTED]" in m for m in messages)
    assert "HTTP 503" in messages[0] and "retrying in 0.50 s" in messages[0] and "attempt 1/6" in messages[0]


def test_errors_survive_pickling_with_their_attributes():
    """Errors cross process boundaries (multiprocess executors); keyword-only attributes must survive."""
    import pickle

    err = RateLimitError("testsrc: still rate limited.", source="testsrc", status=429, request_id="req_9", url=URL)
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is RateLimitError and str(copy) == str(err)
    assert (copy.source, copy.status, copy.request_id, copy.url) == ("testsrc", 429, "req_9", URL)
