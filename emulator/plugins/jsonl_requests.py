"""The plain JSONL request format (``finops.request.v1``): a team's own logger, one JSON object per line.

The format is the project's own, fixed in the issue-7 brief (common.md, "The plain JSONL request format"):
``format`` = ``"finops.request.v1"`` on every line, ``request_id``, ``timestamp`` (ISO 8601 start, ``Z`` or an
offset), ``provider``, ``model``, ``service_tier``, ``status``, ``latency_ms``, DISJOINT token counts
(``input_tokens`` uncached, ``cache_read_tokens``, ``cache_write_tokens`` 5-minute, ``cache_write_1h_tokens``,
``output_tokens`` reasoning included, ``reasoning_tokens`` informational), ``user``, ``team``, ``feature``,
``tags`` (object), ``session_id``, ``cost_usd`` (number or string).

What this writer does on purpose, so a reader is exercised: one file per UTC day of request start
(``requests-YYYY-MM-DD.jsonl``); every third line's timestamp is written with a ``+02:00`` offset (the same
instant); ``cost_usd`` alternates between a JSON number (exact decimal text) and a string, and is absent for
the unpriced fine-tune; a failed call has ``status: "error"``, no token fields and ``cost_usd`` 0; zero token
counts are left out; an unknown field ``app_version`` is on every line.
"""

from __future__ import annotations

import json
from datetime import date, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from emulator.org import SimulatedOrg, _days
from emulator.plugin import FileDropPlugin
from emulator.requests import TOKEN_FIELDS, LoggedRequest, logged_requests

FORMAT = "finops.request.v1"
PLUS_TWO = timezone(timedelta(hours=2))


def iso(ts, offset: bool) -> str:
    """ISO 8601 with milliseconds: ``2026-11-20T23:59:59.951Z`` or ``2026-11-21T01:59:59.951+02:00``."""
    if offset:
        return ts.astimezone(PLUS_TWO).isoformat(timespec="milliseconds")
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def line(r: LoggedRequest, n: int) -> str:
    obj: dict = {
        "format": FORMAT,
        "request_id": r.request_id,
        "timestamp": iso(r.started_at, n % 3 == 2),
        "provider": r.provider,
        "model": r.model,
        "status": r.status,
        "latency_ms": r.latency_ms,
    }
    if r.service_tier != "standard" or n % 2:
        obj["service_tier"] = r.service_tier  # the default is left out on some lines
    if r.status == "success":
        for name in TOKEN_FIELDS:
            if getattr(r, name):
                obj[name] = getattr(r, name)
        if r.reasoning_tokens:
            obj["reasoning_tokens"] = r.reasoning_tokens
    obj.update(user=r.user_id, team=r.team, feature=r.feature, tags=r.tags, session_id=r.session_id)
    obj["app_version"] = "2.3.1"
    cost = r.reported_cost_usd
    if cost is not None and n % 2:
        obj["cost_usd"] = str(cost)  # a string
    text = json.dumps(obj, separators=(",", ":"))
    if cost is not None and not n % 2:
        text = text[:-1] + f',"cost_usd":{_number(cost)}}}'  # a JSON number, exact
    return text


def _number(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class JsonlRequestsPlugin(FileDropPlugin):
    name = "jsonl_requests"
    title = "Plain JSONL request logs (finops.request.v1)"

    def write_drops(self, org: SimulatedOrg, start: date, end: date, folder: Path) -> list[Path]:
        paths = []
        for day in _days(start, end):
            requests = logged_requests(org, day, self.name)
            if not requests:
                continue
            path = folder / f"requests-{day.isoformat()}.jsonl"
            path.write_text("".join(line(r, n) + "\n" for n, r in enumerate(requests)), encoding="utf-8")
            paths.append(path)
        return paths


PLUGIN = JsonlRequestsPlugin()
