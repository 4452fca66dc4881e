"""LiteLLM proxy spend logs, exported the way users export them: ``\\copy "LiteLLM_SpendLogs" to 'f.csv' csv header``.

Shapes confirmed from LiteLLM's own source (BerriAI/litellm):

* ``litellm/proxy/schema.prisma`` (commit 0010143f): ``model LiteLLM_SpendLogs`` and its column order
  (:data:`COLUMNS`). Prisma ``DateTime`` is Postgres ``timestamp(3)`` (no time zone, UTC by LiteLLM), ``Json``
  is ``jsonb``, ``Float`` is ``double precision``; ``api_key`` is "Hashed API Token. Not the actual Virtual
  Key".
* ``litellm/llms/anthropic/chat/transformation.py`` ``calculate_usage`` (commit 005e5efa): for Anthropic
  ``prompt_tokens = input_tokens + cache_read_input_tokens`` (cache READS included, cache WRITES not: they are
  in ``cache_creation_input_tokens``), ``prompt_tokens_details.cached_tokens = cache_read_input_tokens``,
  ``total_tokens = prompt_tokens + completion_tokens``. For OpenAI the usage is OpenAI's own:
  ``prompt_tokens`` includes the cached tokens (``prompt_tokens_details.cached_tokens``); the gateway's OpenAI
  streams write no cache.
* ``metadata`` keys as ``SpendLogsMetadata`` (litellm/proxy/_types.py; shared reference section 7.1):
  ``user_api_key`` (the hashed token), ``user_api_key_alias``, ``user_api_key_team_id``,
  ``user_api_key_team_alias``, ``user_api_key_user_id``, ``spend_logs_metadata`` (the caller's k/v),
  ``usage_object``, ``status``.

Postgres text forms, as psql's CSV writes them: NULL is an empty unquoted field; timestamps
``2026-11-30 23:59:59.123`` with trailing fractional zeros dropped (``.12``, none at all on a whole second);
``jsonb`` as Postgres prints it (``", "`` and ``": "`` separators, keys ordered shorter first, then bytewise);
``spend`` as Postgres prints a double (shortest round-trip digits, no ``.0`` on whole numbers).

Attribution as LiteLLM users set it: team = ``metadata.user_api_key_team_alias`` (the virtual key's team), user
= ``user`` and ``metadata.user_api_key_user_id``, feature in ``spend_logs_metadata.feature`` and tags in
``request_tags`` (a JSON list of ``"key:value"`` strings). ``status`` is ``success`` or ``failure``; ``spend``
of the unpriced fine-tune is 0 (LiteLLM has no price for it). ``model`` is the deployment's model with its
routing prefix for Anthropic (``anthropic/claude-...``), ``model_group`` the proxy's public model name.

Secrets, on purpose: ``api_key`` and ``metadata.user_api_key`` hold a hashed token, and
``proxy_server_request.headers.authorization`` holds ``Bearer sk-fake-...``: none must reach the marts.

Files: one CSV per UTC day (``spendlogs-YYYY-MM-DD.csv``); the second day of a window is exported from 23:00
of the day before, so the first day's last hour is in two files (the duplicate); the third day of a window is
exported as Parquet (``spendlogs-YYYY-MM-DD.parquet``, pyarrow, same columns: timestamps ``timestamp[ms]``,
jsonb columns as JSON text).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

from emulator.org import UTC, SimulatedOrg, _days
from emulator.plugin import FileDropPlugin
from emulator.requests import LoggedRequest, logged_requests

COLUMNS = (
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "request_duration_ms",
    "completionStartTime",
    "model",
    "model_id",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "metadata",
    "cache_hit",
    "cache_key",
    "request_tags",
    "team_id",
    "organization_id",
    "end_user",
    "requester_ip_address",
    "messages",
    "response",
    "session_id",
    "status",
    "mcp_namespaced_tool_name",
    "agent_id",
    "proxy_server_request",
)
JSON_COLUMNS = ("metadata", "request_tags", "messages", "response", "proxy_server_request")
TIMESTAMPS = ("startTime", "endTime", "completionStartTime")
INTS = ("total_tokens", "prompt_tokens", "completion_tokens", "request_duration_ms")
API_BASE = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com/v1/messages"}
PUBLIC_NAMES = {"claude-sonnet-4-5-20250929": "claude-sonnet", "gpt-4o-mini": "gpt-4o-mini"}
TEAM_IDS = {
    "search": "9b1f3c2e-4a5d-4e8f-9a0b-1c2d3e4f5a6b",
    "support": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
    "ops": "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b",
}


def pg_timestamp(ts: datetime) -> str:
    """Postgres ``timestamp(3)`` output: ``2026-11-30 23:59:59.12`` (trailing zeros of the fraction dropped)."""
    text = ts.strftime("%Y-%m-%d %H:%M:%S")
    ms = ts.microsecond // 1000
    return f"{text}.{ms:03d}".rstrip("0") if ms else text


def pg_double(value: float) -> str:
    """Postgres ``float8`` output (shortest round-trip digits): ``0.0004116``, ``4.1e-05``, ``0``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def jsonb(value) -> str:
    """Postgres ``jsonb`` text: ``{"a": 1, "bb": [1, 2]}``; object keys shorter first, then bytewise."""
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: (len(kv[0].encode()), kv[0].encode()))
        return "{" + ", ".join(f"{json.dumps(k)}: {jsonb(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jsonb(v) for v in value) + "]"
    return json.dumps(value)


def hashed_token(alias: str) -> str:
    """LiteLLM stores the sha256 of the virtual key, never the key; the key here is obviously fake."""
    return hashlib.sha256(f"sk-fake-litellm-{alias}".encode()).hexdigest()


def usage_object(r: LoggedRequest) -> dict:
    """``usage_object`` as LiteLLM records it for the provider (see the module docs)."""
    if r.provider == "anthropic":
        prompt = r.input_tokens + r.cache_read_tokens
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": r.output_tokens,
            "total_tokens": prompt + r.output_tokens,
            "prompt_tokens_details": {"cached_tokens": r.cache_read_tokens, "audio_tokens": None},
            "completion_tokens_details": None,
            "cache_creation_input_tokens": r.cache_write_tokens + r.cache_write_1h_tokens,
            "cache_read_input_tokens": r.cache_read_tokens,
        }
    else:
        prompt = r.prompt_tokens
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": r.output_tokens,
            "total_tokens": prompt + r.output_tokens,
            "prompt_tokens_details": {"cached_tokens": r.cache_read_tokens, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": r.reasoning_tokens, "audio_tokens": 0},
        }
    return usage


def row(r: LoggedRequest) -> dict:
    """One ``LiteLLM_SpendLogs`` row (Python values; None = NULL)."""
    usage = usage_object(r)
    ok = r.status == "success"
    key = hashed_token(r.team)
    metadata = {
        "user_api_key": key,
        "user_api_key_alias": f"{r.team}-key",
        "user_api_key_team_id": TEAM_IDS[r.team],
        "user_api_key_team_alias": r.team,
        "user_api_key_org_id": None,
        "user_api_key_user_id": r.user_id,
        "user_api_key_user_email": None,
        "spend_logs_metadata": {"feature": r.feature, "env": r.tags.get("env")},
        "requester_ip_address": None,
        "usage_object": usage if ok else None,
        "status": r.status if ok else "failure",
        "error_information": None if ok else {"error_code": "429", "error_class": "RateLimitError"},
        "model_map_information": {"model_map_key": r.model_id, "model_map_value": None},
    }
    request_model = f"anthropic/{r.model}" if r.provider == "anthropic" else r.model
    return {
        "request_id": r.request_id,
        "call_type": "acompletion",
        "api_key": key,
        "spend": 0.0 if r.reported_cost_usd is None else float(r.reported_cost_usd),
        "total_tokens": usage["total_tokens"] if ok else 0,
        "prompt_tokens": usage["prompt_tokens"] if ok else 0,
        "completion_tokens": usage["completion_tokens"] if ok else 0,
        "startTime": r.started_at,
        "endTime": r.ended_at,
        "request_duration_ms": r.latency_ms,
        "completionStartTime": r.ended_at if ok else None,
        "model": request_model,
        "model_id": hashlib.md5(request_model.encode()).hexdigest(),
        "model_group": PUBLIC_NAMES.get(r.model, "ticket-classifier-ft"),
        "custom_llm_provider": r.provider,
        "api_base": API_BASE[r.provider],
        "user": r.user_id,
        "metadata": metadata,
        "cache_hit": "False",
        "cache_key": "Cache OFF",
        "request_tags": [f"{k}:{v}" for k, v in sorted(r.tags.items())],
        "team_id": TEAM_IDS[r.team],
        "organization_id": None,
        "end_user": None,
        "requester_ip_address": "10.0.3.17",
        "messages": {},
        "response": {},
        "session_id": r.session_id,
        "status": "success" if ok else "failure",
        "mcp_namespaced_tool_name": None,
        "agent_id": None,
        "proxy_server_request": {
            "url": "/chat/completions",
            "method": "POST",
            "headers": {"authorization": "Bearer sk-fake-litellm-DO-NOT-LEAK-0000", "content-type": "application/json"},
        },
    }


def csv_text(rows: list[dict]) -> str:
    """psql ``\\copy ... csv header``: NULL unquoted empty, fields quoted only when needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for values in rows:
        writer.writerow([_pg_text(name, values[name]) for name in COLUMNS])
    return out.getvalue()


def _pg_text(name: str, value) -> str:
    if value is None:
        return ""
    if name in TIMESTAMPS:
        return pg_timestamp(value)
    if name in JSON_COLUMNS:
        return jsonb(value)
    if name == "spend":
        return pg_double(value)
    return str(value)


def parquet_table(rows: list[dict]):
    import pyarrow as pa

    types = {name: pa.string() for name in COLUMNS}
    types.update({name: pa.int32() for name in INTS})
    types.update({name: pa.timestamp("ms") for name in TIMESTAMPS})
    types["spend"] = pa.float64()
    columns = {}
    for name in COLUMNS:
        values = [v[name] for v in rows]
        if name in TIMESTAMPS:
            values = [None if x is None else x.replace(tzinfo=None) for x in values]
        elif name in JSON_COLUMNS:
            values = [None if x is None else jsonb(x) for x in values]
        columns[name] = pa.array(values, type=types[name])
    return pa.table(columns)


class LiteLLMPlugin(FileDropPlugin):
    name = "litellm"
    title = "LiteLLM proxy spend logs (LiteLLM_SpendLogs exports)"

    def write_drops(self, org: SimulatedOrg, start: date, end: date, folder: Path) -> list[Path]:
        import pyarrow.parquet as pq

        paths = []
        previous: tuple[LoggedRequest, ...] = ()
        for index, day in enumerate(_days(start, end)):
            requests = logged_requests(org, day, self.name)
            if index == 1:  # re-exported overlap: the last hour of the day before
                cut = datetime.combine(day, time(23), UTC) - timedelta(days=1)
                requests = tuple(r for r in previous if r.started_at >= cut) + requests
            previous = logged_requests(org, day, self.name)
            if not requests:
                continue
            rows = [row(r) for r in requests]
            if index == 2:
                path = folder / f"spendlogs-{day.isoformat()}.parquet"
                pq.write_table(parquet_table(rows), path)
            else:
                path = folder / f"spendlogs-{day.isoformat()}.csv"
                path.write_text(csv_text(rows), encoding="utf-8")
            paths.append(path)
        return paths


PLUGIN = LiteLLMPlugin()
