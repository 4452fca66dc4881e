"""OpenTelemetry spans: OTLP/JSON trace exports read in bulk, one row per span, landed by UTC day of start.

The fixture ``tests/fixtures/otel/spans.jsonl`` is written as the Collector's file exporter writes OTLP/JSON
(opentelemetry-proto docs/specification.md "JSON Protobuf Encoding"; collector-contrib exporter/fileexporter):
one ExportTraceServiceRequest per line, hex ids, integer enums, int64 as decimal strings, ``status: {}`` when
unset. Three lines, nine spans:
  line 1  support-bot: chat gpt-4o (current names), its HTTP client span (with an Authorization header
          capture), a tool span
  line 2  research-agent: chat claude (crossing midnight UTC), the invoke_agent span above it, an error span
  line 3  legacy-app: an old-convention span (gen_ai.system, prompt/completion tokens), an embeddings span
          whose intValue is a JSON number, and a second scope (sentry.python) with cache reads reported apart
"""

import gzip
import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from connectors.files import FileDropError, digest
from connectors.otel import SOURCE, claims, read_spans
from connectors.otel.tables import OTEL_SPANS
from connectors.registry import BY_NAME, RAW_TABLES, files_of
from orchestration.loader import land_file

SPANS = Path(__file__).resolve().parents[1] / "fixtures" / "otel" / "spans.jsonl"


@pytest.fixture(scope="module")
def rows() -> dict[str, dict]:
    return {row["span_id"]: row for row in read_spans(SPANS).to_pylist()}


def test_the_source_is_registered_as_a_request_log_file_drop():
    assert BY_NAME["otel"] is SOURCE
    assert RAW_TABLES["otel_spans"] is OTEL_SPANS
    assert SOURCE.setting.paths_env == "FINOPS_REQUEST_LOGS"
    assert SOURCE.conformed == ("request_lines",)


def test_one_row_per_span_across_lines_resources_and_scopes(rows):
    assert len(rows) == 9
    assert sorted({r["line_number"] for r in rows.values()}) == [1, 2, 3]
    assert {r["scope_name"] for r in rows.values() if r["line_number"] == 3} == {
        "opentelemetry.instrumentation.openai.v1",
        "sentry.python",
    }


def test_ids_kinds_status_and_exact_times(rows):
    chat = rows["eee19b7ec3c1b174"]
    assert chat["trace_id"] == "5b8efff798038103d269b633813fc60c"
    assert chat["parent_span_id"] == "eee19b7ec3c1b173"
    assert chat["kind"] == 3  # SPAN_KIND_CLIENT
    assert chat["status_code"] == 0 and chat["status_message"] is None  # "status": {} is UNSET
    # "1773144000123456789" ns = 2026-03-10T12:00:00.123456789Z: kept exactly, and as a microsecond timestamp
    assert chat["start_time_unix_nano"] == 1_773_144_000_123_456_789
    assert chat["start_time"] == datetime(2026, 3, 10, 12, 0, 0, 123456)
    assert chat["end_time"] == datetime(2026, 3, 10, 12, 0, 1, 623456)
    assert rows["53995c3f42cd8ad8"]["parent_span_id"] is None  # a root span
    error = rows["b7ad6b7169203331"]
    assert (error["status_code"], error["status_message"]) == (2, "Rate limit reached for gpt-4o-mini")


def test_attributes_become_typed_json_objects(rows):
    attributes = json.loads(rows["eee19b7ec3c1b174"]["attributes"])
    assert attributes["gen_ai.usage.input_tokens"] == 1200  # intValue "1200" -> integer
    assert attributes["gen_ai.request.temperature"] == 0.2  # doubleValue
    assert attributes["gen_ai.request.stream"] is False  # boolValue
    assert attributes["gen_ai.response.finish_reasons"] == ["stop"]  # arrayValue -> list
    assert attributes["gen_ai.response.model"] == "gpt-4o-2024-08-06"
    assert json.loads(rows["2b3c4d5e6f708192"]["attributes"])["gen_ai.usage.input_tokens"] == 42  # a JSON number
    resource = json.loads(rows["eee19b7ec3c1b174"]["resource_attributes"])
    assert resource == {
        "service.name": "support-bot",
        "service.version": "1.4.2",
        "deployment.environment.name": "prod",
        "app.team": "support",
        "telemetry.sdk.language": "python",
    }


def test_credential_attributes_never_land(rows):
    http = rows["f1e2d3c4b5a69788"]
    assert "http.request.header.authorization" not in json.loads(http["attributes"])
    assert "http.request.method" in json.loads(http["attributes"])
    assert "sk-live-DO-NOT-LAND" not in json.dumps(list(rows.values()), default=str)
    raw = json.loads(http["_raw"])
    assert raw["name"] == "POST" and raw["spanId"] == "f1e2d3c4b5a69788"  # the span as exported ...
    assert [a["key"] for a in raw["attributes"]] == ["http.request.method", "url.full", "http.response.status_code"]


def test_lands_on_the_utc_day_of_the_start_even_across_midnight(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        landed = land_file(conn, OTEL_SPANS, read_spans(SPANS), path=str(SPANS), digest=digest(SPANS), run_id="r1")
        assert landed == 9
        days = dict(
            conn.execute(
                "select span_id, _partition_date from raw.otel_spans where span_id in (?, ?)",
                ["00f067aa0ba902b7", "1a2b3c4d5e6f7081"],
            ).fetchall()
        )
        # 23:59:59.5 on the 10th to 00:00:01.25 on the 11th: the day it started
        assert days == {"00f067aa0ba902b7": date(2026, 3, 10), "1a2b3c4d5e6f7081": date(2026, 3, 11)}
        typed = conn.execute(
            "select attributes->>'$.\"gen_ai.usage.input_tokens\"', typeof(attributes) from raw.otel_spans "
            "where span_id = 'eee19b7ec3c1b174'"
        ).fetchall()
        assert typed == [("1200", "JSON")]


def test_a_gzipped_export_reads_the_same(tmp_path, rows):
    packed = tmp_path / "spans.jsonl.gz"
    packed.write_bytes(gzip.compress(SPANS.read_bytes()))
    assert claims(packed)
    assert {r["span_id"]: r for r in read_spans(packed).to_pylist()} == rows


def _with_line(tmp_path, number: int, text: str):
    lines = SPANS.read_text().splitlines()
    lines[number - 1] = text
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (lambda text: text[: len(text) // 2], "is not valid JSON"),  # a truncated write
        (lambda text: "[1, 2]", "is not a JSON object"),
        (lambda text: text.replace('"spanId":"00f067aa0ba902b7"', '"spanId":"zz"'), "spanId is not 16 hex digits"),
        (
            lambda text: text.replace('"startTimeUnixNano":"1773187199500000000"', '"startTimeUnixNano":"soon"'),
            "without a startTimeUnixNano integer",
        ),
        (lambda text: text.replace('{"intValue":"5000"}', '{"intValue":"5k"}'), "intValue that is not an integer"),
    ],
)
def test_a_malformed_line_rejects_the_file_naming_it_and_the_line(tmp_path, line, problem):
    second = SPANS.read_text().splitlines()[1]
    path = _with_line(tmp_path, 2, line(second))
    with pytest.raises(FileDropError) as caught:
        read_spans(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 2: ") and problem in message
    assert "ExportTraceServiceRequest" in message  # says what a line must be


def test_blank_lines_are_skipped_and_counted_in_line_numbers(tmp_path):
    lines = SPANS.read_text().splitlines()
    path = tmp_path / "spans.jsonl"
    path.write_text(lines[0] + "\n\n" + lines[1] + "\n")
    assert sorted({r["line_number"] for r in read_spans(path).to_pylist()}) == [1, 3]


def test_claims_an_otlp_trace_export_and_nothing_else(tmp_path):
    assert claims(SPANS)
    litellm = tmp_path / "spend_logs.csv"
    litellm.write_text("request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens\n")
    plain = tmp_path / "requests.jsonl"
    plain.write_text(json.dumps({"format": "finops.request.v1", "request_id": "r1", "resourceSpans": []}) + "\n")
    metrics = tmp_path / "metrics.json"
    metrics.write_text('{"resourceMetrics":[]}\n')
    renamed = tmp_path / "spans.csv"  # the right content under a name of another format
    renamed.write_bytes(SPANS.read_bytes())
    assert not any(claims(p) for p in (litellm, plain, metrics, renamed))


def test_the_registry_gives_otel_the_files_it_claims(tmp_path):
    path = tmp_path / "traces.json"
    path.write_bytes(SPANS.read_bytes())
    assert files_of(SOURCE, {"FINOPS_REQUEST_LOGS": str(tmp_path / "*.json")}) == [path.resolve()]


def test_hex_ids_are_case_insensitive_and_stored_lower_case(tmp_path):
    first = SPANS.read_text().splitlines()[0]
    path = _with_line(
        tmp_path, 1, first.replace("5b8efff798038103d269b633813fc60c", "5B8EFFF798038103D269B633813FC60C")
    )
    assert {r["trace_id"] for r in read_spans(path).to_pylist() if r["line_number"] == 1} == {
        "5b8efff798038103d269b633813fc60c"
    }
