"""Helicone request exports (provider-apis.md section 7.2): the JSON reply of POST /v1/request/query-clickhouse,
a JSON array or JSONL of its HeliconeRequest objects, or a CSV of them, dropped in FINOPS_REQUEST_LOGS."""

from connectors.helicone.reader import claims, read_requests
from connectors.helicone.tables import HELICONE_REQUESTS
from connectors.source import Feed, FileDrop, Source

SOURCE = Source(
    name="helicone",
    title="Helicone request exports",
    setting=FileDrop(
        "FINOPS_REQUEST_LOGS",
        "Helicone request exports (the query-clickhouse JSON reply, a JSON array, JSONL or CSV of HeliconeRequest)",
        claims=claims,
    ),
    feeds=(
        Feed(
            HELICONE_REQUESTS,
            "One row per request Helicone logged: model, provider, disjoint token buckets, cost (USD), properties.",
            read=read_requests,
        ),
    ),
    conformed=("request_lines",),
    emulator="emulator.plugins.helicone",
)

__all__ = ["SOURCE"]
