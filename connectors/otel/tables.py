"""The raw table of OpenTelemetry spans: one row per span of an OTLP/JSON trace export.

Shape (OTLP/JSON, ``open-telemetry/opentelemetry-proto`` docs/specification.md "JSON Protobuf Encoding" and
``opentelemetry/proto/trace/v1/trace.proto``): an ExportTraceServiceRequest ``{"resourceSpans": [{"resource":
{"attributes": [...]}, "scopeSpans": [{"scope": {"name", "version"}, "spans": [...]}]}]}``; ids are hex strings
(case-insensitive: stored lower-case), enums (``kind``, ``status.code``) are integers, 64-bit integers
(``startTimeUnixNano``, ``intValue``) are decimal strings (numbers accepted too), and fields at their default
value are left out (``status: {}`` is UNSET, no ``kind`` is SPAN_KIND_UNSPECIFIED).

Attributes land as JSON objects ``{key: value}`` with the value typed: stringValue -> string, intValue -> integer
(BIGINT), doubleValue -> number, boolValue -> boolean, arrayValue -> list of its elements' values, kvlistValue ->
object, bytesValue -> its base64 string. Attributes whose key looks like it holds a credential
(``connectors.credentials``) are dropped.
"""

from connectors.schema import RawTable

OTEL_SPANS = RawTable(
    source="otel",
    endpoint="spans",
    columns=(
        ("trace_id", "VARCHAR"),  # 32 hex digits, lower-case
        ("span_id", "VARCHAR"),  # 16 hex digits, lower-case
        ("parent_span_id", "VARCHAR"),  # null for a root span
        ("name", "VARCHAR"),
        ("kind", "BIGINT"),  # 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer
        ("start_time", "TIMESTAMP"),  # UTC, from startTimeUnixNano (truncated to the microsecond)
        ("end_time", "TIMESTAMP"),  # UTC, from endTimeUnixNano (truncated to the microsecond)
        ("start_time_unix_nano", "BIGINT"),  # exactly as exported: nanoseconds since the epoch
        ("end_time_unix_nano", "BIGINT"),
        ("status_code", "BIGINT"),  # 0 unset, 1 ok, 2 error
        ("status_message", "VARCHAR"),
        ("attributes", "JSON"),  # the span's attributes as {key: typed value}
        ("resource_attributes", "JSON"),  # its resource's attributes as {key: typed value}
        ("scope_name", "VARCHAR"),  # the instrumentation scope (library) that made the span
        ("scope_version", "VARCHAR"),
        ("line_number", "BIGINT"),  # the file's line (ExportTraceServiceRequest) the span came from
    ),
    partition_column="start_time",
    from_files=True,
    key=("trace_id", "span_id"),  # a span is named by its trace and its own id (OTLP)
    unique_per_file=True,  # a request in two files is kept once by fct_request_cost
)
