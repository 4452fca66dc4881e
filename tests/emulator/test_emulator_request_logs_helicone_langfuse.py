"""The Helicone and Langfuse emulator plugins, read back by the project's own reader (connectors.helicone) and
client (connectors.langfuse) and compared with emulator.requests.logged_requests.

The sources are the real ones of connectors/, pointed at their plugins with dataclasses.replace (so this test
does not depend on the registry's emulator= lines).
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from connectors.errors import AuthError
from connectors.helicone import SOURCE as HELICONE
from connectors.langfuse import SOURCE as LANGFUSE
from connectors.langfuse.client import LangfuseClient
from connectors.registry import SOURCES
from emulator import EmulatorServer, SimulatedOrg, plugins_for
from emulator.plugins.helicone import COST_DIGITS
from emulator.plugins.langfuse import PUBLIC_KEY, SECRET_KEY, cost_details, iso_ms
from emulator.requests import TOKEN_FIELDS, logged_requests

START, END = date(2026, 11, 19), date(2026, 11, 22)  # 3 days: JSON reply, JSONL, JSON reply
DAYS = [START + timedelta(days=i) for i in range(3)]
HELICONE_SRC = replace(HELICONE, emulator="emulator.plugins.helicone")
LANGFUSE_SRC = replace(LANGFUSE, emulator="emulator.plugins.langfuse")
LOG_SOURCES = (HELICONE_SRC, LANGFUSE_SRC)


@pytest.fixture(scope="module")
def emu(tmp_path_factory):
    sources = (*(s for s in SOURCES if s.name in ("openai", "anthropic")), *LOG_SOURCES)
    org = SimulatedOrg(plugins=plugins_for(sources))
    folder = tmp_path_factory.mktemp("drops")
    with EmulatorServer(org, sources=sources, drop_dir=folder) as server:
        env = server.environ(LOG_SOURCES, start=START, end=END)
        yield org, server, env


def _expected(org, log):
    return {r.request_id: r for day in DAYS for r in logged_requests(org, day, log)}


def test_environ_gives_every_setting(emu):
    _, server, env = emu
    assert set(env) == {"FINOPS_REQUEST_LOGS", "LANGFUSE_HOST", "LANGFUSE_PUBLIC_KEY", "LANGFUSE_SECRET_KEY"}
    assert env["LANGFUSE_HOST"] == server.url + "/langfuse"
    assert env["LANGFUSE_PUBLIC_KEY"] == PUBLIC_KEY and env["LANGFUSE_SECRET_KEY"] == SECRET_KEY
    names = sorted(Path(p).name for p in env["FINOPS_REQUEST_LOGS"].split(":"))
    assert names == [
        f"helicone-requests-{DAYS[0]}.json",
        f"helicone-requests-{DAYS[1]}.jsonl",
        f"helicone-requests-{DAYS[2]}.json",
    ]


# ---------------------------------------------------------------------------------------------------------
# Helicone
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helicone_rows(emu):
    _, _, env = emu
    paths = [Path(p) for p in env["FINOPS_REQUEST_LOGS"].split(":")]
    assert all(HELICONE_SRC.setting.claims(p) for p in paths)
    read = HELICONE_SRC.feeds[0].read
    return [row for p in paths for row in read(p).to_pylist()]


def test_helicone_reader_reads_back_every_request(emu, helicone_rows):
    org, _, _ = emu
    expected = _expected(org, "helicone")
    assert Counter(row["request_id"] for row in helicone_rows) == Counter(set(expected))  # each once
    for row in helicone_rows:
        r = expected[row["request_id"]]
        assert row["request_created_at"] == r.started_at.replace(tzinfo=None)
        assert row["response_status"] == (200 if r.status == "success" else 429)
        assert row["provider"] == "OPENAI" and row["request_model"] == r.model
        assert row["request_user_id"] == r.user_id and row["delay_ms"] == r.latency_ms
        props = json.loads(row["request_properties"])
        assert (props["team"], props["feature"], props["Helicone-Session-Id"]) == (r.team, r.feature, r.session_id)
        if r.status == "success":  # Helicone's buckets are disjoint: prompt_tokens is the uncached input
            assert row["prompt_tokens"] == r.input_tokens
            assert row["prompt_cache_read_tokens"] == r.cache_read_tokens
            assert row["prompt_cache_write_tokens"] == r.cache_write_tokens + r.cache_write_1h_tokens
            assert row["completion_tokens"] == r.output_tokens
            assert row["total_tokens"] == r.input_tokens + r.output_tokens
            assert row["cost"] == r.reported_cost_usd.quantize(COST_DIGITS)
        else:
            assert row["prompt_tokens"] == row["completion_tokens"] == 0 and row["cost"] == 0


def test_helicone_totals_per_bucket_equal_the_requests(emu, helicone_rows):
    org, _, _ = emu
    expected = _expected(org, "helicone").values()
    got = Counter()
    for row in helicone_rows:
        got["input_tokens"] += row["prompt_tokens"]
        got["cache_read_tokens"] += row["prompt_cache_read_tokens"]
        got["cache_write_tokens"] += row["prompt_cache_write_tokens"]
        got["output_tokens"] += row["completion_tokens"]
        got["cost"] += row["cost"]
    want = Counter({name: sum(getattr(r, name) for r in expected) for name in TOKEN_FIELDS})
    want["cache_write_tokens"] += want.pop("cache_write_1h_tokens")
    want["cost"] = sum(r.reported_cost_usd for r in expected if r.status == "success")
    assert +got == +want and got["input_tokens"] > 0 and got["cache_read_tokens"] > 0
    # the deliberate wrong gateway cost is there, once a day
    wrong = [r for r in expected if r.reported_cost_usd and r.reported_cost_usd == 10 * r.list_cost_usd]
    assert len(wrong) == len(DAYS)


def test_helicone_bodies_and_signed_urls_stay_out_of_the_raw_rows(emu, helicone_rows):
    _, _, env = emu
    text = Path(env["FINOPS_REQUEST_LOGS"].split(":")[0]).read_text()
    assert "X-Amz-Signature=fake0emulator0signature" in text and '"error":null' in text
    assert all("X-Amz-Signature" not in row["_raw"] and "helicone_message" not in row["_raw"] for row in helicone_rows)


# ---------------------------------------------------------------------------------------------------------
# Langfuse
# ---------------------------------------------------------------------------------------------------------


def _client(env, **kwargs) -> LangfuseClient:
    return LangfuseClient(env["LANGFUSE_HOST"], env["LANGFUSE_PUBLIC_KEY"], env["LANGFUSE_SECRET_KEY"], **kwargs)


def _get(server, query: str, auth: str | None = None) -> tuple[int, dict]:
    token = auth or base64.b64encode(f"{PUBLIC_KEY}:{SECRET_KEY}".encode()).decode()
    request = Request(server.url + "/langfuse/api/public/v2/observations?" + query)
    request.add_header("Authorization", f"Basic {token}")
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read(), parse_float=Decimal)
    except HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_langfuse_client_reads_back_every_generation(emu):
    org, _, env = emu
    expected = _expected(org, "langfuse")
    with _client(env) as client:
        rows = list(client.iter_generations(START, END))
    assert Counter(row["id"] for row in rows) == Counter(set(expected))
    totals = Counter()
    for row in rows:
        r = expected[row["id"]]
        assert row["type"] == "GENERATION" and row["provided_model_name"] == r.model
        assert row["start_time"] == r.started_at.replace(tzinfo=None)
        assert (row["user_id"], row["session_id"]) == (r.user_id, r.session_id)
        metadata = json.loads(row["metadata"])
        assert (metadata["team"], metadata["feature"]) == (r.team, r.feature)
        assert "authorization" not in metadata  # the client strips the logged header
        assert json.loads(row["tags"]) == [f"team:{r.team}", f"feature:{r.feature}", "env:prod"]
        assert row["level"] == ("DEFAULT" if r.status == "success" else "ERROR")
        assert row["latency_seconds"] == Decimal(r.latency_ms) / 1000
        usage = json.loads(row["usage_details"])
        if r.status == "success":  # disjoint buckets as Langfuse stores them
            assert usage["input"] == r.input_tokens and usage["output"] == r.output_tokens
            assert usage["input_cached_tokens"] == r.cache_read_tokens
            assert usage["input_cache_creation_5m"] == r.cache_write_tokens
            assert usage["input_cache_creation_1h"] == r.cache_write_1h_tokens
            assert row["total_cost"] == r.reported_cost_usd
        else:
            assert usage == {} and row["total_cost"] == 0
        for key, field in (("input", "input_tokens"), ("output", "output_tokens")):
            totals[field] += usage.get(key, 0)
        totals["cache_read_tokens"] += usage.get("input_cached_tokens", 0)
        totals["cache_write_tokens"] += usage.get("input_cache_creation_5m", 0)
        totals["cache_write_1h_tokens"] += usage.get("input_cache_creation_1h", 0)
    want = Counter({name: sum(getattr(r, name) for r in expected.values()) for name in TOKEN_FIELDS})
    assert +totals == +want and totals["cache_write_1h_tokens"] > 0


def test_langfuse_cost_details_add_up_to_the_total(emu):
    org, _, _ = emu
    for r in logged_requests(org, DAYS[0], "langfuse"):
        costs = cost_details(org, r)
        if r.status != "success":
            assert costs == {}
            continue
        assert costs["total"] == r.reported_cost_usd == sum(v for k, v in costs.items() if k != "total")


def test_langfuse_pages_follow_meta_cursor_and_filter_by_type_and_window(emu):
    org, server, _ = emu
    day = DAYS[1]
    expected = logged_requests(org, day, "langfuse")
    window = f"fromStartTime={day}T00:00:00Z&toStartTime={day + timedelta(days=1)}T00:00:00Z"
    seen, cursor, pages = [], None, 0
    while True:
        query = f"type=GENERATION&{window}&limit=100&fields=core,basic,usage" + (f"&cursor={cursor}" if cursor else "")
        status, body = _get(server, query)
        assert status == 200 and set(body) == {"data", "meta"}
        pages += 1
        seen += body["data"]
        cursor = body["meta"].get("cursor")
        if cursor is None:
            assert body["meta"] == {}
            break
        assert len(body["data"]) == 100
    assert pages == -(-len(expected) // 100) and [o["id"] for o in seen] == [
        r.request_id for r in sorted(expected, key=lambda r: r.started_at, reverse=True)
    ]
    assert {o["type"] for o in seen} == {"GENERATION"} and "usageDetails" in seen[0] and "metadata" not in seen[0]
    assert seen[0]["modelId"] is None  # enrichment only with the model group
    # without type=GENERATION the parent spans come too; the default fields are core and basic
    status, body = _get(server, f"{window}&limit=1000")
    assert status == 200 and Counter(o["type"] for o in body["data"]) == {
        "GENERATION": len(expected),
        "SPAN": len(expected),
    }
    assert "usageDetails" not in body["data"][0] and "userId" in body["data"][0]
    # toStartTime is exclusive: a window ending at the last request's start leaves it out
    last = max(expected, key=lambda r: r.started_at)
    until = iso_ms(last.started_at)
    status, body = _get(server, f"type=GENERATION&fromStartTime={day}T00:00:00Z&toStartTime={until}&limit=1000")
    assert status == 200 and len(body["data"]) == len(expected) - 1


def test_langfuse_refuses_bad_keys_limits_and_cursors(emu):
    _, server, env = emu
    wrong = base64.b64encode(f"{PUBLIC_KEY}:sk-lf-wrong".encode()).decode()
    status, body = _get(server, "type=GENERATION", auth=wrong)
    assert status == 401 and "message" in body
    assert _get(server, "limit=1001")[0] == 400
    status, body = _get(server, "cursor=not-a-cursor")
    assert status == 400 and body["message"] == "Invalid cursor format"
    with _client({**env, "LANGFUSE_SECRET_KEY": "sk-lf-wrong"}) as bad, pytest.raises(AuthError) as info:
        list(bad.iter_generations(START, END))
    assert "sk-lf-wrong" not in str(info.value)


def test_langfuse_rides_out_an_injected_429(emu, tmp_path):
    org, _, _ = emu
    sources = (*(s for s in SOURCES if s.name in ("openai", "anthropic")), LANGFUSE_SRC)
    sleeps: list[float] = []
    with EmulatorServer(org, sources=sources, faults="429x1", drop_dir=tmp_path) as server:
        env = server.environ([LANGFUSE_SRC])
        with _client(env, sleep=sleeps.append, jitter=lambda d: d) as client:
            rows = list(client.iter_generations(DAYS[0], DAYS[1]))
        statuses = [entry["status"] for entry in server.requests]
    assert statuses[0] == 429 and statuses[-1] == 200 and sleeps
    assert len(rows) == len(logged_requests(org, DAYS[0], "langfuse"))
