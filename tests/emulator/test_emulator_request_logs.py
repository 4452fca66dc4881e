"""The request-log writers (LiteLLM CSV/Parquet, OTLP/JSON spans, plain JSONL): each file parsed back the way a
reader would, and checked against emulator.requests.logged_requests.

The sources below exist only in this test (the lead wires the real ones into connectors.registry): file-drop
sources on FINOPS_REQUEST_LOGS that name the emulator plugins.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from connectors.registry import SOURCES
from connectors.schema import RawTable
from connectors.source import Feed, FileDrop, Source
from emulator import EmulatorServer, SimulatedOrg, plugins_for
from emulator.plugins.litellm import COLUMNS
from emulator.requests import logged_requests

START, END = date(2026, 11, 19), date(2026, 11, 23)  # 4 days: CSV, CSV with overlap, Parquet, CSV
DAYS = [START + timedelta(days=i) for i in range(4)]


def _source(name: str) -> Source:
    table = RawTable(name, "requests", (("request_id", "VARCHAR"),), partition_column=None, from_files=True)
    return Source(
        name=name,
        title=f"{name} (test only)",
        setting=FileDrop("FINOPS_REQUEST_LOGS", f"{name} request logs", claims=lambda path: True),
        feeds=(Feed(table, "requests", read=lambda path: None),),
        emulator=f"emulator.plugins.{name}",
    )


LOG_SOURCES = tuple(_source(n) for n in ("litellm", "otel", "jsonl_requests"))


@pytest.fixture(scope="module")
def drops(tmp_path_factory):
    sources = (*(s for s in SOURCES if s.name in ("openai", "anthropic")), *LOG_SOURCES)
    org = SimulatedOrg(plugins=plugins_for(sources))
    folder = tmp_path_factory.mktemp("drops")
    server = EmulatorServer(org, sources=sources, drop_dir=folder)
    env = server.environ(LOG_SOURCES, start=START, end=END)
    assert set(env) == {"FINOPS_REQUEST_LOGS"}
    paths = [Path(p) for p in env["FINOPS_REQUEST_LOGS"].split(":")]
    return org, folder, paths


def _expected(org, log):
    return {r.request_id: r for day in DAYS for r in logged_requests(org, day, log)}


def test_the_shared_setting_lists_every_file(drops):
    _, folder, paths = drops
    names = sorted(p.relative_to(folder).as_posix() for p in paths)
    assert names == sorted(
        [f"litellm/spendlogs-{d}.csv" for d in (DAYS[0], DAYS[1], DAYS[3])]
        + [f"litellm/spendlogs-{DAYS[2]}.parquet"]
        + [f"otel/spans-{d}.jsonl" for d in DAYS]
        + [f"jsonl_requests/requests-{d}.jsonl" for d in DAYS]
    )


def test_litellm_csv_and_parquet_hold_every_request_once_plus_the_overlap(drops):
    org, folder, _ = drops
    expected = _expected(org, "litellm")
    con = duckdb.connect()
    csvs = sorted(str(p) for p in (folder / "litellm").glob("*.csv"))
    rows = con.execute(
        'select request_id, spend::varchar, prompt_tokens, completion_tokens, "startTime", metadata, status, model, '
        "filename from read_csv(?, header=true, all_varchar=true, filename=true)",
        [csvs],
    ).fetchall()
    parquet = pq.read_table(folder / "litellm" / f"spendlogs-{DAYS[2]}.parquet")
    assert tuple(parquet.column_names) == COLUMNS
    seen = Counter(r[0] for r in rows) + Counter(parquet.column("request_id").to_pylist())
    dupes = {k for k, n in seen.items() if n > 1}
    assert set(seen) == set(expected)
    # the duplicate: the first day's last hour is exported again in the second day's file
    last_hour = {k for k, r in expected.items() if r.usage_date == DAYS[0] and r.started_at.hour == 23}
    assert dupes == last_hour and all(seen[k] == 2 for k in dupes) and dupes
    for request_id, spend, prompt, completion, started, metadata, status, model, _ in rows:
        r = expected[request_id]
        meta = json.loads(metadata)
        assert meta["user_api_key_team_alias"] == r.team and meta["spend_logs_metadata"]["feature"] == r.feature
        assert meta["user_api_key_user_id"] == r.user_id
        assert status == ("success" if r.status == "success" else "failure")
        assert started == r.started_at.strftime("%Y-%m-%d %H:%M:%S.%f")[:23].rstrip("0").rstrip(".")
        assert model.removeprefix("anthropic/") == r.model
        if r.status == "success":
            usage = meta["usage_object"]
            if r.provider == "anthropic":  # LiteLLM: prompt = uncached + cache reads; writes apart
                assert int(prompt) == r.input_tokens + r.cache_read_tokens == usage["prompt_tokens"]
                assert usage["cache_creation_input_tokens"] == r.cache_write_tokens
            else:
                assert int(prompt) == r.prompt_tokens
            assert usage["prompt_tokens_details"]["cached_tokens"] == r.cache_read_tokens
            assert int(completion) == r.output_tokens
        assert Decimal(spend) == (r.reported_cost_usd if r.reported_cost_usd is not None else 0)


def test_litellm_tokens_add_back_to_the_requests(drops):
    """Disjoint buckets recovered from LiteLLM's own fields equal the requests' (per provider semantics)."""
    org, folder, _ = drops
    expected = _expected(org, "litellm")
    con = duckdb.connect()
    rows = con.execute(
        "select request_id, custom_llm_provider, prompt_tokens::bigint, metadata from read_csv(?, header=true, "
        "all_varchar=true)",
        [str(folder / "litellm" / f"spendlogs-{DAYS[3]}.csv")],
    ).fetchall()
    total = Counter()
    for _request_id, provider, prompt, metadata in rows:
        usage = json.loads(metadata)["usage_object"] or {}
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        written = usage.get("cache_creation_input_tokens") or 0
        uncached = prompt - cached - (0 if provider == "anthropic" else written)
        total["input"] += uncached
        total["read"] += cached
        total["write"] += written
    want = [r for r in expected.values() if r.usage_date == DAYS[3]]
    assert total == Counter(
        input=sum(r.input_tokens for r in want),
        read=sum(r.cache_read_tokens for r in want),
        write=sum(r.cache_write_tokens + r.cache_write_1h_tokens for r in want),
    )


def test_litellm_key_looking_values_are_present_to_be_stripped(drops):
    _, folder, _ = drops
    text = (folder / "litellm" / f"spendlogs-{DAYS[0]}.csv").read_text()
    assert "Bearer sk-fake-litellm-DO-NOT-LEAK" in text and '""user_api_key"": ""' in text
    header = next(csv.reader(text.splitlines()))
    assert tuple(header) == COLUMNS


def test_otel_spans_carry_every_request(drops):
    org, folder, _ = drops
    expected = _expected(org, "otel")
    chats, others, old = {}, 0, 0
    for day in DAYS:
        for line in (folder / "otel" / f"spans-{day}.jsonl").read_text().splitlines():
            for rs in json.loads(line)["resourceSpans"]:
                resource = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
                for span in rs["scopeSpans"][0]["spans"]:
                    a = {x["key"]: x["value"] for x in span["attributes"]}
                    if a.get("gen_ai.operation.name", {}).get("stringValue") != "chat":
                        others += 1
                        continue
                    assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16
                    assert isinstance(span["startTimeUnixNano"], str)
                    team = (a.get("app.team") or resource.get("app.team"))["stringValue"]
                    old += "gen_ai.system" in a
                    chats[span["name"] + "|" + span["startTimeUnixNano"]] = (span, a, team)
    assert others > len(chats) and old > 0
    assert len(chats) == len(expected)
    by_start = {(str(int(r.started_at.timestamp() * 1000) * 1_000_000), r.model): r for r in expected.values()}
    for span, a, team in chats.values():
        r = by_start[(span["startTimeUnixNano"], a["gen_ai.request.model"]["stringValue"])]
        assert team == r.team and a["user.id"]["stringValue"] == r.user_id
        if r.status == "error":
            assert span["status"]["code"] == 2 and "gen_ai.usage.input_tokens" not in a
            continue
        prompt = a.get("gen_ai.usage.input_tokens") or a["gen_ai.usage.prompt_tokens"]
        cached = int(a.get("gen_ai.usage.cache_read.input_tokens", {"intValue": "0"})["intValue"])
        written = int(a.get("gen_ai.usage.cache_creation.input_tokens", {"intValue": "0"})["intValue"])
        assert int(prompt["intValue"]) - cached - written == r.input_tokens  # semconv: input includes the cache
        assert cached == r.cache_read_tokens and written == r.cache_write_tokens + r.cache_write_1h_tokens


def test_jsonl_lines_are_the_requests(drops):
    org, folder, _ = drops
    expected = _expected(org, "jsonl_requests")
    seen = set()
    for day in DAYS:
        for text in (folder / "jsonl_requests" / f"requests-{day}.jsonl").read_text().splitlines():
            obj = json.loads(text, parse_float=Decimal)
            r = expected[obj["request_id"]]
            seen.add(r.request_id)
            assert obj["format"] == "finops.request.v1" and obj["provider"] == r.provider
            assert datetime.fromisoformat(obj["timestamp"]).astimezone(UTC) == r.started_at
            assert obj.get("service_tier", "standard") == r.service_tier and obj["status"] == r.status
            for name in ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens"):
                assert obj.get(name, 0) == getattr(r, name)
            assert obj.get("output_tokens", 0) == r.output_tokens
            assert (obj["team"], obj["feature"], obj["user"], obj["tags"]) == (r.team, r.feature, r.user_id, r.tags)
            cost = obj.get("cost_usd")
            assert (None if cost is None else Decimal(cost)) == r.reported_cost_usd
    assert seen == set(expected)


def test_the_writers_are_deterministic(drops, tmp_path):
    org, folder, paths = drops
    server = EmulatorServer(org, sources=(*(s for s in SOURCES if s.name in ("openai", "anthropic")), *LOG_SOURCES))
    again = server.environ(LOG_SOURCES, drop_dir=tmp_path, start=START, end=END)["FINOPS_REQUEST_LOGS"].split(":")
    assert [Path(p).read_bytes() for p in again] == [p.read_bytes() for p in paths]
