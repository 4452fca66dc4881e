"""OpenTelemetry GenAI spans (issue 7, item 1b): OTLP/JSON trace exports dropped in FINOPS_REQUEST_LOGS.

The OpenTelemetry Collector's ``file`` exporter (``format: json``) writes one ExportTraceServiceRequest per line;
``reader.read_spans`` lands one row per span in ``raw.otel_spans``. The staging folder
(dbt_project/models/staging/otel/) keeps the model calls among them (GenAI semantic conventions, current and
earlier attribute names) as conformed request lines.
"""

from connectors.otel.reader import claims, read_spans
from connectors.otel.tables import OTEL_SPANS
from connectors.source import Feed, FileDrop, Source

SOURCE = Source(
    name="otel",
    title="OpenTelemetry GenAI spans",
    setting=FileDrop(
        "FINOPS_REQUEST_LOGS",
        "OTLP/JSON trace exports, one ExportTraceServiceRequest per line (the OpenTelemetry Collector's file "
        "exporter; .json/.jsonl, .gz allowed)",
        claims=claims,
    ),
    feeds=(Feed(OTEL_SPANS, "Spans of OTLP/JSON trace exports, one row per span.", read=read_spans),),
    conformed=("request_lines",),
    emulator="emulator.plugins.otel",
)
