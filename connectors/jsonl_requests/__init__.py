"""Plain JSONL request logs (``finops.request.v1``): one JSON object per call, written by any SDK wrapper, such
as ``connectors.jsonl_requests.logger.RequestLogger``, or by hand. The format is fixed in README ("Request logs:
the plain JSONL format")."""

from connectors.jsonl_requests.reader import claims, read_requests
from connectors.jsonl_requests.tables import JSONL_REQUESTS
from connectors.source import Feed, FileDrop, Source

SOURCE = Source(
    name="jsonl_requests",
    title="Plain JSONL request logs",
    setting=FileDrop(
        "FINOPS_REQUEST_LOGS",
        'JSONL request logs of the plain format (first line has "format": "finops.request.v1")',
        claims=claims,
    ),
    feeds=(
        Feed(
            JSONL_REQUESTS,
            "One row per logged call: provider, model, disjoint token buckets, latency, status, who and what called.",
            read=read_requests,
        ),
    ),
    conformed=("request_lines",),
    emulator="emulator.plugins.jsonl_requests",
)

__all__ = ["SOURCE"]
