"""LangfuseClient against a local HTTP server that answers as Langfuse's v2 observations route does.

The pages (tests/fixtures/langfuse, see its README for where each shape comes from) are served by a real
HTTP server in this process: Basic auth is checked as the route checks it, the cursor of page 1 leads to
page 2, and a 429 with Retry-After comes before a success. No test sleeps: the client records its waits.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from connectors.errors import AuthError, NotFoundError, ResponseShapeError
from connectors.langfuse import SOURCE, LangfuseClient
from connectors.langfuse.tables import LANGFUSE_GENERATIONS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "langfuse"
PUBLIC = "pk-lf-0a1b2c3d-test-public"
SECRET = "sk-lf-9f8e7d6c-5b4a-not-a-real-secret"
PATH = "/api/public/v2/observations"
DAY, NEXT_DAY, AFTER = date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)


def page(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


class LangfuseStub:
    """A local HTTP server. ``script`` is a list of (status, headers, body) answers, one per request;
    every request is recorded as (path, query pairs, Authorization header)."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], bytes]] = []
        self.requests: list[tuple[str, list[tuple[str, str]], str | None]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                parts = urlsplit(self.path)
                auth = self.headers.get("Authorization")
                stub.requests.append((parts.path, parse_qsl(parts.query), auth))
                expected = "Basic " + base64.b64encode(f"{PUBLIC}:{SECRET}".encode()).decode()
                if auth != expected:  # Langfuse answers 401 for a wrong key pair
                    status, headers, body = 401, {}, b'{"message": "Invalid credentials"}'
                else:
                    status, headers, body = stub.script.pop(0)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    server = LangfuseStub()
    yield server
    server.close()


@pytest.fixture
def client(stub, sleeps):
    with LangfuseClient(stub.host, PUBLIC, SECRET, sleep=sleeps.append, jitter=lambda d: d) as c:
        yield c


def test_two_pages_follow_the_cursor_and_map_every_field(stub, client):
    stub.script = [(200, {}, page("observations_page1")), (200, {}, page("observations_page2"))]
    rows = list(client.iter_generations(DAY, AFTER))

    assert [r["id"] for r in rows] == ["gen-openai-1", "gen-anthropic-2", "gen-azure-3", "gen-mistral-4"]
    assert all(list(r) == [*LANGFUSE_GENERATIONS.column_names, "_raw"] for r in rows)
    (first_path, first_query, _), (second_path, second_query, _) = stub.requests
    assert first_path == second_path == PATH
    assert first_query == [
        ("type", "GENERATION"),
        ("fromStartTime", "2026-05-04T00:00:00Z"),
        ("toStartTime", "2026-05-06T00:00:00Z"),
        ("fields", "core,basic,time,metadata,model,usage,prompt,metrics,trace_context"),
        ("limit", "1000"),
    ]
    cursor = json.loads(page("observations_page1"))["meta"]["cursor"]
    assert second_query == [*first_query, ("cursor", cursor)]

    openai = rows[0]
    assert openai["start_time"] == datetime(2026, 5, 4, 10, 0, 0)
    assert openai["end_time"] == datetime(2026, 5, 4, 10, 0, 1, 250000)
    assert openai["completion_start_time"] == datetime(2026, 5, 4, 10, 0, 0, 400000)
    assert openai["trace_id"] == "trace-a" and openai["user_id"] == "user-1" and openai["session_id"] == "session-1"
    assert openai["provided_model_name"] == "gpt-4o-2024-08-06" and openai["model_id"] == "clx-gpt-4o"
    assert openai["total_cost"] == Decimal("0.00575")
    assert openai["latency_seconds"] == Decimal("1.25")
    assert openai["time_to_first_token_seconds"] == Decimal("0.4")
    assert json.loads(openai["usage_details"]) == {
        "input": 200,
        "input_cached_tokens": 1000,
        "output": 300,
        "output_reasoning_tokens": 100,
        "total": 1600,
    }
    assert json.loads(openai["cost_details"])["total"] == 0.00575
    assert json.loads(openai["tags"]) == ["env:prod", "beta"]
    assert openai["level"] == "DEFAULT" and openai["environment"] == "production" and openai["release"] == "v1.2.3"
    # unknown fields (bookmarked, inputPrice, ...) stay in _raw
    assert openai["_raw"]["inputPrice"] == "0.0000025" and openai["_raw"]["bookmarked"] is False

    anthropic = rows[1]
    assert anthropic["total_cost"] == Decimal("0.012345678901")  # exact: parsed as Decimal, never a float
    assert anthropic["level"] == "ERROR" and anthropic["status_message"] == "overloaded_error"
    assert anthropic["latency_seconds"] is None and anthropic["user_id"] is None

    mistral = rows[3]
    assert mistral["start_time"] == datetime(2026, 5, 5, 12, 0)  # "+00:00" offset
    assert mistral["metadata"] is None and mistral["tags"] is None and mistral["total_cost"] is None
    assert rows[2]["prompt_version"] == 3


def test_credentials_in_metadata_and_model_parameters_never_land(stub, client):
    stub.script = [(200, {}, page("observations_page1")), (200, {}, page("observations_page2"))]
    rows = list(client.iter_generations(DAY, AFTER))
    landed = json.dumps([{k: v for k, v in r.items()} for r in rows], default=str)
    for secret in ("sk-live-abcdefghij", "sk-ant-api03", "sk-proj-abcdefghij", "user_api_key", "x-api-key"):
        assert secret not in landed
    assert json.loads(rows[0]["metadata"]) == {"team": "search", "feature": "autocomplete"}
    assert json.loads(rows[1]["metadata"]) == {}  # only headers were there
    assert json.loads(rows[1]["model_parameters"]) == {"system": "anthropic.messages", "maxRetries": "2"}
    assert json.loads(rows[2]["model_parameters"]) == {}


def test_a_429_waits_as_retry_after_says_then_succeeds(stub, client, sleeps):
    stub.script = [
        (429, {"Retry-After": "7"}, b'{"message": "rate limit exceeded"}'),
        (200, {}, page("observations_page2")),
    ]
    rows = list(client.iter_generations(NEXT_DAY, AFTER))
    assert [r["id"] for r in rows] == ["gen-azure-3", "gen-mistral-4"]
    assert sleeps == [7.0]
    assert len(stub.requests) == 2 and stub.requests[0][1] == stub.requests[1][1]  # the same request again


def test_a_wrong_secret_says_which_settings_and_never_shows_the_secret(stub, sleeps, caplog):
    wrong = "sk-lf-wrong-secret-0123456789abcdef"
    caplog.set_level(logging.DEBUG)
    with LangfuseClient(stub.host, PUBLIC, wrong, sleep=sleeps.append) as bad:
        with pytest.raises(AuthError) as info:
            list(bad.iter_generations(DAY, NEXT_DAY))
    message = str(info.value)
    assert "LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY" in message and "LANGFUSE_HOST" in message
    assert "HTTP 401" in message and PATH in message
    basic = base64.b64encode(f"{PUBLIC}:{wrong}".encode()).decode()
    for text in (message, repr(bad), caplog.text):
        assert wrong not in text and basic not in text
    assert sleeps == []  # a 401 is not retried


def test_missing_settings_are_named(stub):
    with pytest.raises(AuthError, match="LANGFUSE_SECRET_KEY is not set"):
        LangfuseClient(stub.host, PUBLIC, None)
    with pytest.raises(AuthError, match="LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY are not set"):
        LangfuseClient(stub.host, "", " ")


def test_the_registry_builds_the_client_from_the_three_settings(stub):
    environ = {"LANGFUSE_HOST": stub.host, "LANGFUSE_PUBLIC_KEY": PUBLIC, "LANGFUSE_SECRET_KEY": SECRET}
    assert SOURCE.configured(environ)
    assert not SOURCE.configured({**environ, "LANGFUSE_SECRET_KEY": ""})
    stub.script = [(200, {}, b'{"data": [], "meta": {}}')]
    with SOURCE.make_client(environ) as made:
        assert list(SOURCE.feeds[0].fetch(made, DAY, NEXT_DAY)) == []
    assert stub.requests[0][2] == "Basic " + base64.b64encode(f"{PUBLIC}:{SECRET}".encode()).decode()


def test_a_404_explains_the_host_and_the_v4_requirement(stub, client):
    not_v4 = b'{"message": "The observations v2 API is only available in a Langfuse v4 write mode."}'
    stub.script = [(404, {}, not_v4)]
    with pytest.raises(NotFoundError) as info:
        list(client.iter_generations(DAY, NEXT_DAY))
    assert "LANGFUSE_HOST" in str(info.value) and "v4" in str(info.value)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"meta": {}}', "no 'data' list"),
        (b'{"data": [{"id": "x"}], "meta": {}}', "has no 'id' or 'startTime'"),
        (b'{"data": [], "meta": {"cursor": 5}}', "'meta.cursor' is not a string"),
        (
            b'{"data": [{"id": "x", "startTime": "2026-05-04T01:00:00Z", "totalCost": "lots"}], "meta": {}}',
            "'total_cost'",
        ),
    ],
)
def test_a_page_of_another_shape_is_refused(stub, client, body, problem):
    stub.script = [(200, {}, body)]
    with pytest.raises(ResponseShapeError, match=problem):
        list(client.iter_generations(DAY, NEXT_DAY))


def test_a_repeated_cursor_stops_the_pull(stub, client):
    looping = b'{"data": [{"id": "x", "startTime": "2026-05-04T01:00:00Z"}], "meta": {"cursor": "c1"}}'
    stub.script = [(200, {}, looping), (200, {}, looping)]
    with pytest.raises(ResponseShapeError, match="the same page cursor came twice"):
        list(client.iter_generations(DAY, NEXT_DAY))
