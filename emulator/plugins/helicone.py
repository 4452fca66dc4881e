"""Helicone request exports of the simulated organisation: the requests of log ``helicone`` (the OpenAI key
``helicone-app``, proxied through ``oai.helicone.ai``) as Helicone's API returns them.

Shapes confirmed from Helicone's source (Helicone/helicone, read 2026-12):

* The export is the reply of ``POST /v1/request/query-clickhouse``: ``{"data": [HeliconeRequest, ...],
  "error": null}`` (jawn's ``Result`` envelope). Each item has exactly the columns that
  ``valhalla/jawn/src/lib/stores/request/request.ts`` ``getRequestsClickhouse`` selects from
  ``request_response_rmt``: ``response_id``, ``response_body``, ``response_created_at``, ``response_status``
  (``toInt32(status)``), ``request_id``, ``request_body``, ``request_created_at``, ``request_user_id``
  (``user_id``), ``request_properties`` (``properties``), ``provider``, ``delay_ms`` (``toInt32(latency)``),
  ``request_model`` (``model``), ``ai_gateway_body_mapping``, ``time_to_first_token``, ``total_tokens``
  (``prompt_tokens + completion_tokens``), ``completion_tokens``, ``prompt_tokens``,
  ``prompt_cache_read_tokens``, ``prompt_cache_write_tokens``, ``country_code``, ``scores``, ``properties``,
  ``asset_ids``, ``target_url``, ``cache_reference_id``, ``request_referrer``, ``cache_enabled``, ``cost``
  (``cost / COST_PRECISION_MULTIPLIER``: USD), ``prompt_id``, ``prompt_version``, ``updated_at``,
  ``storage_location``; ``mapLLMCalls`` adds ``signed_body_url`` for bodies kept in S3. Bodies are the
  ``helicone_message`` placeholder the query selects when the body lives in S3.
* Times: ``request_created_at`` / ``response_created_at`` are ``DateTime64(3)`` columns
  (``clickhouse/migrations/..._request_response_replacing_merge_tree.sql``) read with ``@clickhouse/client``
  ``JSONEachRow`` and default settings (``lib/db/ClickhouseWrapper.ts``), so ClickHouse's simple text form in
  UTC: ``2026-11-20 23:59:59.951``.
* ``cost`` is stored as an integer of USD x 1e9 (``COST_PRECISION_MULTIPLIER``) and divided back: written
  here as the reported cost rounded to 9 decimals, a JSON number.
* Tokens as Helicone stores them for OpenAI (``valhalla/jawn/src/lib/shared/bodyProcessors/
  openaiBodyProcessor.ts``): ``prompt_tokens`` = the response's ``prompt_tokens`` minus
  ``prompt_tokens_details.cached_tokens`` (and audio), ``prompt_cache_read_tokens`` = ``cached_tokens``, no
  cache-write count for OpenAI (0 here), ``completion_tokens`` = ``completion_tokens`` (reasoning included)
  minus audio. So the buckets are DISJOINT: ``prompt_tokens`` is :attr:`LoggedRequest.input_tokens`.
* Properties (``worker/src/lib/models/HeliconeHeaders.ts`` ``getHeliconeProperties``): each
  ``Helicone-Property-<Name>`` header becomes key ``<Name>`` as the Fetch API's ``Headers.entries()`` gives
  it, i.e. LOWER-CASED (``Helicone-Property-Team`` -> ``team``); ``Helicone-Session-Id`` is added as the key
  ``Helicone-Session-Id``. ``Helicone-User-Id`` becomes ``request_user_id``. ``provider`` is Helicone's
  upper-case provider name (``OPENAI``).

What this writer does, per UTC day of request start: ``helicone-requests-YYYY-MM-DD.json`` (the reply, items
newest first as with ``sort: {"created_at": "desc"}``), except the second day of a window, written as
``helicone-requests-YYYY-MM-DD.jsonl`` (one HeliconeRequest per line, oldest first) to exercise the JSONL
path. A failed call is ``response_status`` 429 with zero tokens and ``cost`` 0. ``signed_body_url`` carries a
fake signature (``X-Amz-Signature``) that must never reach the warehouse.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from emulator.api import dumps
from emulator.org import SimulatedOrg, _days
from emulator.plugin import FileDropPlugin
from emulator.requests import LoggedRequest, logged_requests

COST_DIGITS = Decimal("0.000000001")  # Helicone keeps cost as an integer of USD x 1e9
BODY_PLACEHOLDER = (
    '{"helicone_message": "fetching body from signed_url... contact engineering@helicone.ai for more information"}'
)
CHAT_PATH = "/v1/chat/completions"
NIL_UUID = "00000000-0000-0000-0000-000000000000"
SIGNED_URL = (
    "https://helicone-request-response-storage.s3.us-west-2.amazonaws.com/organizations/{org}/requests/{rid}"
    "/raw_request_response_body?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=fake0emulator0signature"
)
HELICONE_ORG = "8b1c1c33-5a4e-4f0e-9c1a-0e0e00000001"


def clickhouse_time(ts: datetime) -> str:
    """ClickHouse's DateTime64(3) text in UTC: ``2026-11-20 23:59:59.951``."""
    return ts.strftime("%Y-%m-%d %H:%M:%S.") + f"{ts.microsecond // 1000:03d}"


def reported_cost(r: LoggedRequest) -> Decimal:
    """What Helicone says the call cost: the gateway-reported cost to Helicone's 1e-9 USD (0 when unpriced or
    failed: Helicone has no price for the fine-tune, and a failed call costs nothing)."""
    if r.reported_cost_usd is None or r.status != "success":
        return Decimal(0)
    return r.reported_cost_usd.quantize(COST_DIGITS, rounding=ROUND_HALF_EVEN)


def properties(r: LoggedRequest) -> dict[str, str]:
    """``request_properties`` as Helicone stores the call's headers (see module docs)."""
    props = {key.lower(): value for key, value in r.tags.items()}  # Helicone-Property-Team: support -> team
    props["Helicone-Session-Id"] = r.session_id
    return props


def helicone_request(r: LoggedRequest) -> dict:
    """One HeliconeRequest as ``query-clickhouse`` returns it."""
    ok = r.status == "success"
    prompt = r.input_tokens if ok else 0
    completion = r.output_tokens if ok else 0
    digest = hashlib.sha256(r.request_id.encode()).digest()
    props = properties(r)
    return {
        "response_id": str(uuid.UUID(bytes=digest[:16], version=4)),
        "response_body": BODY_PLACEHOLDER,
        "response_created_at": clickhouse_time(r.ended_at),
        "response_status": 200 if ok else 429,
        "request_id": r.request_id,
        "request_body": BODY_PLACEHOLDER,
        "request_created_at": clickhouse_time(r.started_at),
        "request_user_id": r.user_id,
        "request_properties": props,
        "provider": r.provider.upper(),
        "delay_ms": r.latency_ms,
        "request_model": r.model,
        "ai_gateway_body_mapping": None,
        "time_to_first_token": None,
        "total_tokens": prompt + completion,
        "completion_tokens": completion,
        "prompt_tokens": prompt,
        "prompt_cache_read_tokens": r.cache_read_tokens if ok else 0,
        "prompt_cache_write_tokens": r.cache_write_tokens + r.cache_write_1h_tokens if ok else 0,
        "country_code": "US",
        "scores": {},
        "properties": dict(props),
        "asset_ids": [],
        "target_url": f"https://api.{r.provider}.com{CHAT_PATH}",
        "cache_reference_id": NIL_UUID,
        "request_referrer": None,
        "cache_enabled": False,
        "cost": reported_cost(r),
        "prompt_id": "",
        "prompt_version": "",
        "updated_at": clickhouse_time(r.ended_at),
        "storage_location": "s3",
        "signed_body_url": SIGNED_URL.format(org=HELICONE_ORG, rid=r.request_id),
    }


class HeliconePlugin(FileDropPlugin):
    name = "helicone"
    title = "Helicone request exports (query-clickhouse reply, JSONL)"

    def write_drops(self, org: SimulatedOrg, start: date, end: date, folder: Path) -> list[Path]:
        paths = []
        for n, day in enumerate(_days(start, end)):
            items = [helicone_request(r) for r in logged_requests(org, day, self.name)]
            if not items:
                continue
            if n == 1:  # the JSONL export, oldest first
                path = folder / f"helicone-requests-{day.isoformat()}.jsonl"
                path.write_bytes(b"".join(dumps(item) + b"\n" for item in items))
            else:  # the reply of POST /v1/request/query-clickhouse, newest first
                path = folder / f"helicone-requests-{day.isoformat()}.json"
                path.write_bytes(dumps({"data": items[::-1], "error": None}) + b"\n")
            paths.append(path)
        return paths


PLUGIN = HeliconePlugin()
