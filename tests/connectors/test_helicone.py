"""Helicone request exports: the reader on samples shaped as Helicone's source documents them (see
connectors/helicone/reader.py for where each shape comes from), claims, and whole-file rejection."""

import json
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.files import FileDropError
from connectors.helicone.reader import claims, read_requests
from connectors.jsonl_requests.reader import claims as plain_claims

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "helicone"


def rows(name: str) -> list[dict]:
    return read_requests(FIXTURES / name).to_pylist()


def test_the_query_clickhouse_reply_is_read_typed_without_bodies():
    first, second, third = rows("query_clickhouse_reply.json")
    assert first["request_id"] == "hc-0001"
    assert first["request_created_at"] == datetime(2025, 6, 10, 9, 15, 0, 350000)  # "...Z" read as UTC
    assert (first["prompt_tokens"], first["prompt_cache_read_tokens"], first["completion_tokens"]) == (1000, 2000, 300)
    assert first["cost"] == Decimal("0.00045") and first["cost_usd"] is None
    assert json.loads(first["request_properties"])["Team"] == "search"
    raw = json.loads(first["_raw"])
    assert {"request_body", "response_body", "signed_body_url", "llmSchema"}.isdisjoint(raw)
    assert "must not be kept" not in first["_raw"] and raw["country_code"] == "US"
    # a ClickHouse-style time without an offset is UTC; costUSD lands as cost_usd
    assert second["request_created_at"] == datetime(2025, 6, 10, 23, 59, 58)
    assert second["cost_usd"] == Decimal("0.01065") and second["prompt_cache_write_tokens"] == 1200
    assert third["response_status"] == 500 and third["model"] == "openai/gpt-4o"


def test_a_plain_array_reads_like_the_reply(tmp_path):
    reply = json.loads((FIXTURES / "query_clickhouse_reply.json").read_text())
    path = tmp_path / "output.json"
    path.write_text(json.dumps(reply["data"], indent=2))
    assert claims(path)
    assert [r["request_id"] for r in read_requests(path).to_pylist()] == ["hc-0001", "hc-0002", "hc-0003"]


def test_jsonl_and_csv_exports():
    jsonl = rows("requests.jsonl")
    assert [r["request_id"] for r in jsonl] == ["hc-0101", "hc-0102"]
    assert jsonl[0]["cost"] == Decimal("0.002425") and jsonl[1]["request_properties"] is None
    (csv,) = rows("requests.csv")
    assert (csv["prompt_tokens"], csv["completion_tokens"], csv["response_status"]) == (1200, 80, 200)
    assert json.loads(csv["request_properties"]) == {"team": "search", "Authorization": "Bearer sk-nope"}
    assert csv["cost"] is None and csv["request_created_at"] == datetime(2025, 6, 13, 10, 0)
    assert "secret prompt" not in csv["_raw"]


def test_claims_are_exclusive(tmp_path):
    for name in ("query_clickhouse_reply.json", "requests.jsonl", "requests.csv"):
        assert claims(FIXTURES / name) and not plain_claims(FIXTURES / name), name
    plain = Path(__file__).resolve().parents[1] / "fixtures" / "jsonl_requests" / "requests.jsonl"
    assert not claims(plain)
    litellm_csv = tmp_path / "spend.csv"
    litellm_csv.write_text("request_id,call_type,api_key,spend,startTime,endTime,model\nr1,acompletion,h,0.1,x,y,m\n")
    otel = tmp_path / "spans.json"
    otel.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "a", "name": "chat"}]}]}]}))
    langfuse = tmp_path / "generations.jsonl"
    langfuse.write_text(json.dumps({"id": "o1", "traceId": "t", "startTime": "2025-06-01T00:00:00Z"}) + "\n")
    assert not any(claims(p) for p in (litellm_csv, otel, langfuse))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"request_id":"a","request_created_at":"2025-06-01T00:00:00Z"}\n{not json}\n', "line 2 is not JSON"),
        (
            '{"request_id":"a","request_created_at":"2025-06-01T00:00:00Z"}\n{"request_id":"b"}\n',
            "line 2 has no request_created_at",
        ),
        (
            '{"request_id":"a","request_created_at":"2025-06-01T00:00:00Z","prompt_tokens":"many"}\n',
            "line 1 has prompt_tokens = many, not bigint",
        ),
    ],
)
def test_a_bad_request_rejects_the_file_naming_it_and_the_line(tmp_path, text, where):
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(FileDropError, match=rf"bad\.jsonl: {where}.*nothing of this file was loaded"):
        read_requests(path)


def test_an_error_reply_is_rejected(tmp_path):
    path = tmp_path / "reply.json"
    path.write_text('{"data": [], "error": "unauthorized: the key request_created_at"}')
    with pytest.raises(FileDropError, match=r"reply\.json: Helicone replied with an error"):
        read_requests(path)


def test_gzipped_export(tmp_path):
    import gzip

    path = tmp_path / "requests.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write((FIXTURES / "requests.jsonl").read_bytes())
    assert claims(path) and len(read_requests(path)) == 2
    shutil.copy(FIXTURES / "requests.csv", tmp_path / "x.csv")
    assert len(read_requests(tmp_path / "x.csv")) == 1
