"""OpenTelemetry GenAI spans, as the Collector's ``file`` exporter writes them: OTLP/JSON, one
``ExportTraceServiceRequest`` per line.

Shapes confirmed from the vendors' specifications:

* OTLP/JSON (open-telemetry/opentelemetry-proto, ``opentelemetry/proto/trace/v1/trace.proto`` and the OTLP
  JSON mapping in the specification's ``otlp.md``): ``resourceSpans[].resource.attributes``,
  ``scopeSpans[].scope``, ``spans[]`` with lowerCamelCase fields, ``traceId`` / ``spanId`` /
  ``parentSpanId`` as hex strings (not base64), ``startTimeUnixNano`` / ``endTimeUnixNano`` as decimal
  strings (64-bit integers), ``kind`` as the enum integer (2 SERVER, 3 CLIENT, 1 INTERNAL),
  ``status.code`` 2 = ERROR; attribute values ``{"stringValue": ...}`` / ``{"intValue": "123"}`` (a string:
  int64) / ``{"arrayValue": {"values": [...]}}``.
* GenAI semantic conventions (open-telemetry/semantic-conventions ``docs/gen-ai/gen-ai-spans.md`` and
  ``docs/registry/attributes/gen-ai.md``, v1.41.0; shared reference section 7.4): ``gen_ai.operation.name``
  (``chat``; ``execute_tool`` for tool spans), ``gen_ai.provider.name``, ``gen_ai.request.model``,
  ``gen_ai.response.model``, ``gen_ai.response.id``, ``gen_ai.usage.input_tokens`` (INCLUDES the cached and
  cache-creation tokens), ``gen_ai.usage.cache_read.input_tokens``, ``gen_ai.usage.cache_creation.input_tokens``,
  ``gen_ai.usage.output_tokens`` (includes reasoning), ``gen_ai.usage.reasoning.output_tokens``,
  ``gen_ai.conversation.id``; span name ``"{operation} {model}"``. Every fifth model span uses the deprecated
  names of older instrumentations: ``gen_ai.system`` and ``gen_ai.usage.prompt_tokens`` /
  ``gen_ai.usage.completion_tokens`` (same meaning: prompt includes the cache).

Attribution: ``app.team``, ``app.feature``, ``user.id``. Spans of team ``growth`` come from a service whose
RESOURCE carries ``app.team``; all others carry ``app.team`` on the span. Each request is a trace: an HTTP
server span (kind SERVER; ignore it), the GenAI ``chat`` span (kind CLIENT), and for every fourth request a
tool span (``execute_tool``, kind INTERNAL; ignore it). A failed call has ``status.code`` 2, ``error.type``
and no usage attributes. Files: ``spans-YYYY-MM-DD.jsonl``, 25 traces per line, by request start day.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from emulator.org import SimulatedOrg, _days
from emulator.plugin import FileDropPlugin
from emulator.requests import LoggedRequest, logged_requests

PER_LINE = 25
RESOURCE_TEAMS = ("growth",)  # teams whose service sets app.team on the resource
SERVICES = {"search": "search-api", "growth": "growth-mailer"}
SCOPE = {"name": "opentelemetry.instrumentation.genai", "version": "0.4b0"}


def _nanos(ts: datetime) -> str:
    return str((ts - datetime(1970, 1, 1, tzinfo=ts.tzinfo)) // timedelta(microseconds=1) * 1000)


def _ids(r: LoggedRequest) -> tuple[str, str, str, str]:
    h = hashlib.sha256(r.request_id.encode()).hexdigest()
    return h[:32], h[32:48], h[48:64], hashlib.sha256(h.encode()).hexdigest()[:16]


def attr(key: str, value) -> dict:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in value]}}}
    return {"key": key, "value": {"stringValue": value}}


def spans(r: LoggedRequest, n: int, resource_team: bool) -> list[dict]:
    """The spans of one request's trace (see the module docs)."""
    trace, server_id, chat_id, tool_id = _ids(r)
    ok = r.status == "success"
    old = n % 5 == 4
    attrs = [attr("gen_ai.operation.name", "chat")]
    attrs.append(attr("gen_ai.system" if old else "gen_ai.provider.name", r.provider))
    attrs += [attr("gen_ai.request.model", r.model), attr("gen_ai.conversation.id", r.session_id)]
    if ok:
        attrs += [attr("gen_ai.response.model", r.model_id), attr("gen_ai.response.id", f"resp_{chat_id}")]
        attrs.append(attr("gen_ai.usage.prompt_tokens" if old else "gen_ai.usage.input_tokens", r.prompt_tokens))
        attrs.append(attr("gen_ai.usage.completion_tokens" if old else "gen_ai.usage.output_tokens", r.output_tokens))
        if r.cache_read_tokens:
            attrs.append(attr("gen_ai.usage.cache_read.input_tokens", r.cache_read_tokens))
        if r.cache_write_tokens + r.cache_write_1h_tokens:
            attrs.append(
                attr("gen_ai.usage.cache_creation.input_tokens", r.cache_write_tokens + r.cache_write_1h_tokens)
            )
        if r.reasoning_tokens:
            attrs.append(attr("gen_ai.usage.reasoning.output_tokens", r.reasoning_tokens))
        attrs.append(attr("gen_ai.response.finish_reasons", ["stop"]))
    else:
        attrs.append(attr("error.type", "429"))
    if not resource_team:
        attrs.append(attr("app.team", r.team))
    attrs += [attr("app.feature", r.feature), attr("user.id", r.user_id)]
    start, end = _nanos(r.started_at), _nanos(r.ended_at)
    server = {
        "traceId": trace,
        "spanId": server_id,
        "name": "POST /v1/answer",
        "kind": 2,
        "startTimeUnixNano": start,
        "endTimeUnixNano": _nanos(r.ended_at + timedelta(milliseconds=3)),
        "attributes": [
            attr("http.request.method", "POST"),
            attr("http.route", "/v1/answer"),
            attr("http.response.status_code", 200 if ok else 503),
        ],
        "status": {} if ok else {"code": 2},
    }
    chat = {
        "traceId": trace,
        "spanId": chat_id,
        "parentSpanId": server_id,
        "name": f"chat {r.model}",
        "kind": 3,
        "startTimeUnixNano": start,
        "endTimeUnixNano": end,
        "attributes": attrs,
        "status": {} if ok else {"code": 2, "message": "Rate limit reached for requests"},
    }
    out = [server, chat]
    if n % 4 == 1 and ok:
        out.append(
            {
                "traceId": trace,
                "spanId": tool_id,
                "parentSpanId": server_id,
                "name": "execute_tool search_docs",
                "kind": 1,
                "startTimeUnixNano": end,
                "endTimeUnixNano": _nanos(r.ended_at + timedelta(milliseconds=2)),
                "attributes": [
                    attr("gen_ai.operation.name", "execute_tool"),
                    attr("gen_ai.tool.name", "search_docs"),
                    attr("app.feature", r.feature),
                ],
                "status": {},
            }
        )
    return out


def export_request(batch: list[tuple[int, LoggedRequest]]) -> dict:
    """One ``ExportTraceServiceRequest``: a resource per (service, resource-level team)."""
    groups: dict[tuple[str, str | None], list[dict]] = {}
    for n, r in batch:
        resource_team = r.team in RESOURCE_TEAMS
        key = (SERVICES.get(r.team, "llm-service"), r.team if resource_team else None)
        groups.setdefault(key, []).extend(spans(r, n, resource_team))
    resource_spans = []
    for (service, team), group in groups.items():
        attributes = [attr("service.name", service), attr("deployment.environment.name", "prod")]
        if team is not None:
            attributes.append(attr("app.team", team))
        resource_spans.append(
            {"resource": {"attributes": attributes}, "scopeSpans": [{"scope": SCOPE, "spans": group}]}
        )
    return {"resourceSpans": resource_spans}


class OtelPlugin(FileDropPlugin):
    name = "otel"
    title = "OpenTelemetry GenAI spans (Collector file exporter, OTLP/JSON)"

    def write_drops(self, org: SimulatedOrg, start: date, end: date, folder: Path) -> list[Path]:
        paths = []
        for day in _days(start, end):
            requests = list(enumerate(logged_requests(org, day, self.name)))
            if not requests:
                continue
            lines = [
                json.dumps(export_request(requests[i : i + PER_LINE]), separators=(",", ":"))
                for i in range(0, len(requests), PER_LINE)
            ]
            path = folder / f"spans-{day.isoformat()}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            paths.append(path)
        return paths


PLUGIN = OtelPlugin()
