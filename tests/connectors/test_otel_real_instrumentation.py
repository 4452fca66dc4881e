"""OTel GenAI spans written by the REAL instrumentation, not by us: the official OpenTelemetry Python
instrumentations (opentelemetry-instrumentation-genai-openai and -genai-anthropic, the successors of
opentelemetry-instrumentation-openai-v2) wrap the real OpenAI and Anthropic SDK clients, which talk to a mock
transport answering as each vendor documents (the bodies of test_jsonl_requests_logger.py). The SDK's
InMemorySpanExporter captures the spans; the OTLP/JSON encoder of opentelemetry-exporter-otlp-json-common
(hex ids, intValue as a string: the encoding the Collector's file exporter writes) makes one
ExportTraceServiceRequest line of them. Nothing in the file is written by this project. It then goes through
our reader, land_file and the dbt staging models.

What the instrumentations emit (versions in constraints.txt), worked by hand from the vendor bodies:

    call                        input (incl. cache) / cache read / cache write / output / reasoning   disjoint input
    chat gpt-4o-mini            1117 / 1024 / - / 46 / -  (OpenAI prompt_tokens_details.cached_tokens)    93
    responses o4-mini           5000 / 3000 / - / 900 / 700                                            2000
    chat bad-model (HTTP 400)   none; status ERROR, error.type openai.BadRequestError                      0
    anthropic claude-sonnet-4   4821 = 21 + 3000 + 1800 / 1800 / 3000 / 393 / -                           21

The Anthropic instrumentation adds cache reads and writes into gen_ai.usage.input_tokens (the convention) and
reports writes as gen_ai.usage.cache_write.input_tokens (the GenAI registry's name, not cache_creation).
Neither instrumentation emits a user: the SDK's ``user=`` request field is not an attribute, so team, feature
and user come only from what the application sets (here the resource).
"""

import json
import sys
from pathlib import Path

import anthropic
import duckdb
import httpx2
import openai
import pytest
from opentelemetry.exporter.otlp.json.common.trace_encoder import encode_spans
from opentelemetry.instrumentation.genai.anthropic import AnthropicInstrumentor
from opentelemetry.instrumentation.genai.openai import OpenAIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from connectors.files import digest
from connectors.otel import read_spans
from connectors.otel.reader import claims
from connectors.otel.tables import OTEL_SPANS
from orchestration.loader import ensure_raw_tables, land_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from dbt_inprocess import run_dbt, vars_with  # noqa: E402
from test_jsonl_requests_logger import CHAT, MESSAGE, OPENAI_ERROR, RESPONSE  # noqa: E402

pytestmark = pytest.mark.slow

KEY = "sk-test-secret-key-0123456789"
RESOURCE = {"service.name": "support-bot", "app.team": "support", "app.feature": "triage"}


def _handle(request: httpx2.Request) -> httpx2.Response:
    if b"bad-model" in request.content:
        return httpx2.Response(400, json=OPENAI_ERROR)
    body = {"/v1/chat/completions": CHAT, "/v1/responses": RESPONSE, "/v1/messages": MESSAGE}[request.url.path]
    return httpx2.Response(200, json=body)


def _instrumented_calls() -> list:
    """The finished spans of four calls made with the real SDK clients under the real instrumentations."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create(RESOURCE))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentors = (OpenAIInstrumentor(), AnthropicInstrumentor())
    for instrumentor in instrumentors:
        instrumentor.instrument(tracer_provider=provider)
    try:
        http = httpx2.Client(transport=httpx2.MockTransport(_handle))
        client = openai.OpenAI(api_key=KEY, base_url="http://test/v1", http_client=http, max_retries=0)
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "q"}], user="alice")
        client.responses.create(model="o4-mini", input="q")
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model="bad-model", messages=[{"role": "user", "content": "q"}])
        claude = anthropic.Anthropic(api_key=KEY, base_url="http://test", http_client=http, max_retries=0)
        claude.messages.create(model="claude-sonnet-4-0", max_tokens=1024, messages=[{"role": "user", "content": "hi"}])
    finally:
        for instrumentor in instrumentors:
            instrumentor.uninstrument()
    return list(exporter.get_finished_spans())


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    """One OTLP/JSON line, as the Collector's file exporter writes an ExportTraceServiceRequest."""
    path = tmp_path_factory.mktemp("otel_real") / "traces.jsonl"
    path.write_text(json.dumps(encode_spans(_instrumented_calls()).to_dict()) + "\n")
    return path


def test_the_encoder_writes_otlp_json_as_the_collector_does(export):
    request = json.loads(export.read_text())
    span = request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16  # hex, not protobuf JSON's base64
    int(span["traceId"], 16)
    usage = {a["key"]: a["value"] for a in span["attributes"] if a["key"].startswith("gen_ai.usage.")}
    assert usage["gen_ai.usage.input_tokens"] == {"intValue": "1117"}  # 64-bit integers as strings
    assert claims(export)


def test_the_reader_keeps_every_span_and_drops_no_attribute_we_need(export):
    rows = read_spans(export).to_pylist()
    assert [row["name"] for row in rows] == [
        "chat gpt-4o-mini",
        "chat o4-mini",
        "chat bad-model",
        "chat claude-sonnet-4-0",
    ]
    assert [row["scope_name"] for row in rows] == ["opentelemetry.instrumentation.genai.openai"] * 3 + [
        "opentelemetry.instrumentation.genai.anthropic"
    ]
    claude = json.loads(rows[3]["attributes"])
    assert claude["gen_ai.provider.name"] == "anthropic" and "gen_ai.system" not in claude
    assert claude["gen_ai.usage.cache_write.input_tokens"] == 3000
    assert "gen_ai.usage.cache_creation.input_tokens" not in claude
    assert KEY not in export.read_text()


@pytest.fixture(scope="module")
def lines(export, tmp_path_factory) -> list[dict]:
    home = tmp_path_factory.mktemp("otel_real_home")
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land_file(conn, OTEL_SPANS, read_spans(export), path=str(export), digest=digest(export), run_id="r1")
    result = run_dbt(
        home,
        [
            "build",
            *vars_with(request_lines=["stg_otel__request_lines"]),
            "--select",
            "stg_otel__spans",
            "stg_otel__request_lines",
        ],
    )
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        cursor = conn.execute("select * from staging.stg_otel__request_lines order by requested_at")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _buckets(line: dict) -> tuple:
    keys = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens")
    return tuple(line[k] for k in keys) + (line["reasoning_tokens"],)


def test_token_buckets_worked_by_hand(lines):
    by_model = {line["model_raw"]: line for line in lines}
    assert _buckets(by_model["gpt-4o-mini-2024-07-18"]) == (93, 1024, 0, 0, 46, 0)
    assert _buckets(by_model["o4-mini-2025-04-16"]) == (2000, 3000, 0, 0, 900, 700)
    assert _buckets(by_model["bad-model"]) == (0, 0, 0, 0, 0, 0)
    # 4821 reported = 21 uncached + 1800 read + 3000 written. The conventions have no TTL split, so the 2000
    # one-hour writes of MESSAGE land with the 5-minute ones (cache_write_1h_tokens 0).
    assert _buckets(by_model["claude-sonnet-4-20250514"]) == (21, 1800, 3000, 0, 393, 0)


def test_provider_status_tier_and_attribution(lines):
    by_model = {line["model_raw"]: line for line in lines}
    assert [by_model[m]["provider"] for m in by_model] == ["openai", "openai", "openai", "anthropic"]
    assert by_model["bad-model"]["status"] == "error"
    assert {by_model[m]["status"] for m in by_model if m != "bad-model"} == {"success"}
    assert by_model["o4-mini-2025-04-16"]["service_tier"] == "flex"
    assert by_model["gpt-4o-mini-2024-07-18"]["service_tier"] == "standard"  # "default"
    for line in lines:
        assert (line["team"], line["feature"]) == ("support", "triage")  # from the resource
        assert line["user_id"] is None  # user="alice" is not emitted by the instrumentation
        assert json.loads(line["tags"]) == {"service.name": "support-bot"}
        assert line["request_id"].count(":") == 1 and line["reported_cost_usd"] is None
