"""OTLP/JSON trace exports -> one row per span, flattened in bulk by DuckDB.

The file format is the OpenTelemetry Collector's ``file`` exporter with ``format: json`` (its default):
"each line in the file is a JSON object", an ExportTraceServiceRequest (collector-contrib
exporter/fileexporter/README.md). The JSON mapping is OTLP/JSON (opentelemetry-proto docs/specification.md,
"JSON Protobuf Encoding"): lowerCamelCase keys, hex ``traceId``/``spanId`` (case-insensitive), integer enums,
64-bit integers as decimal strings (numbers are accepted too), unknown fields ignored. Files may be gzipped
(``.gz``); the exporter's own zstd framing (``compression: zstd``) is not read.

Python only splits the file into lines (no JSON parsing here); DuckDB checks every line and unnests
resourceSpans -> scopeSpans -> spans in one query. A line that is not a request, or a span without valid ids or
times, rejects the whole file with its name and line number. Attributes whose key looks like a credential
(``authorization``, ``api_key``, ``cookie``, ...) are dropped here, from the columns and from ``_raw``.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pyarrow as pa

from connectors.credentials import credential_name_sql
from connectors.files import FileDropError, scratch

SUFFIXES = (".json", ".jsonl", ".ndjson")
# The first line of a file we claim: an ExportTraceServiceRequest, whose only field is resourceSpans.
FIRST_LINE = re.compile(rb'^\s*\{\s*"resourceSpans"\s*:\s*\[')
CLAIM_BYTES = 4096
HOW = (
    "each line of an OTLP/JSON trace export is one ExportTraceServiceRequest (the OpenTelemetry Collector's file "
    "exporter with format: json); fix or remove the line"
)


def _gzipped(path: Path) -> bool:
    return path.name.lower().endswith(tuple(s + ".gz" for s in SUFFIXES))


def claims(path: Path) -> bool:
    """True for a .json/.jsonl/.ndjson file (gzipped or not) whose first line starts an ExportTraceServiceRequest
    (``{"resourceSpans": [``). Reads at most the first few KiB."""
    name = path.name.lower()
    gz = _gzipped(path)
    if not (gz or name.endswith(SUFFIXES)):
        return False
    try:
        with gzip.open(path, "rb") if gz else open(path, "rb") as handle:
            head = handle.read(CLAIM_BYTES)
    except (gzip.BadGzipFile, EOFError):
        return False
    head = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return FIRST_LINE.match(head) is not None


def _lines(path: Path) -> tuple[list[int], list[str]]:
    """The file's non-blank lines and their 1-based numbers."""
    try:
        with gzip.open(path, "rb") if _gzipped(path) else open(path, "rb") as handle:
            data = handle.read()
    except (gzip.BadGzipFile, EOFError) as exc:
        raise FileDropError(f"{path}: not a readable gzip file ({exc}); re-compress it or drop the .gz.") from None
    numbers: list[int] = []
    texts: list[str] = []
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise FileDropError(f"{path}, line {number}: not UTF-8 text; {HOW}.") from None
        numbers.append(number)
    return numbers, texts


# One attribute value (an OTLP AnyValue object) as a JSON value of its own type: SQL expressions, built here
# (DuckDB cannot bind lambdas inside macros whose argument types it does not know yet). ``_scalar`` covers the
# scalar kinds; ``_value`` adds arrays and key-value lists (their elements as scalars; a nested array or list
# stays as its OTLP JSON).
def _scalar(v: str) -> str:
    return f"""case
        when json_exists({v}, '$.stringValue') then to_json(json_extract_string({v}, '$.stringValue'))
        when json_exists({v}, '$.intValue') then to_json(try_cast(json_extract_string({v}, '$.intValue') as bigint))
        when json_exists({v}, '$.doubleValue') then case
            when json_type({v}, '$.doubleValue') in ('DOUBLE', 'BIGINT', 'UBIGINT') then json_extract({v}, '$.doubleValue')
            else to_json(json_extract_string({v}, '$.doubleValue')) end
        when json_exists({v}, '$.boolValue') then json_extract({v}, '$.boolValue')
        when json_exists({v}, '$.bytesValue') then to_json(json_extract_string({v}, '$.bytesValue'))
        when json_exists({v}, '$.arrayValue') or json_exists({v}, '$.kvlistValue') then {v}
        else 'null'::json
    end"""


def _value(v: str) -> str:
    items = "coalesce(json_extract({v}, '$.{kind}.values[*]'), []::json[])"
    array = items.format(v=v, kind="arrayValue")
    kvlist = items.format(v=v, kind="kvlistValue")
    return f"""case
        when json_exists({v}, '$.arrayValue') then ('[' || array_to_string(list_transform({array},
            lambda e: ({_scalar("e")})::varchar), ',') || ']')::json
        when json_exists({v}, '$.kvlistValue') then ('{{' || array_to_string(list_transform({kvlist},
            lambda kv: to_json(kv ->> 'key')::varchar || ':' || ({_scalar("(kv -> 'value')")})::varchar), ',') || '}}')::json
        else {_scalar(v)}
    end"""


_KEY = "coalesce(a ->> 'key', '')"  # an OTLP KeyValue's key, in the lambdas below


def _kept(attrs: str) -> str:
    """The attributes (a list of OTLP KeyValue JSON) whose key does not look like it holds a credential (HTTP
    header captures such as http.request.header.authorization, LiteLLM's user_api_key, ...: connectors.credentials)."""
    return f"list_filter(coalesce({attrs}, []::json[]), lambda a: not {credential_name_sql(_KEY)})"


def _object(attrs: str) -> str:
    """The kept attributes as one JSON object {key: typed value}."""
    value = _value("(a -> 'value')")
    pair = f"to_json(a ->> 'key')::varchar || ':' || ({value})::varchar"
    return f"('{{' || array_to_string(list_transform({_kept(attrs)}, lambda a: {pair}), ',') || '}}')::json"


def _bad_ints(attrs: str) -> str:
    """How many attributes have an intValue that is not a 64-bit integer."""
    return (
        f"len(list_filter(coalesce({attrs}, []::json[]), lambda a: json_exists(a, '$.value.intValue') "
        "and try_cast(json_extract_string(a, '$.value.intValue') as bigint) is null))"
    )


SPANS = """
with

lines as (
    select line_number, cast(line as json) as request from _otlp_lines
),

resource_spans as (
    select line_number, unnest(coalesce(json_extract(request, '$.resourceSpans[*]'), [])) as rs from lines
),

scope_spans as (
    select
        line_number,
        rs -> 'resource' as resource,
        -- scopeSpans; instrumentationLibrarySpans before OTLP 0.15 (Collectors of 2021-2022)
        unnest(coalesce(
            json_extract(rs, '$.scopeSpans[*]'), [])
            || coalesce(json_extract(rs, '$.instrumentationLibrarySpans[*]'), [])) as ss
    from resource_spans
),

spans as (
    select
        line_number,
        resource,
        coalesce(ss -> 'scope', ss -> 'instrumentationLibrary') as scope,
        unnest(coalesce(json_extract(ss, '$.spans[*]'), [])) as span
    from scope_spans
),

typed as (
    select
        line_number,
        span,
        lower(span ->> 'traceId') as trace_id,
        lower(span ->> 'spanId') as span_id,
        lower(nullif(span ->> 'parentSpanId', '')) as parent_span_id,
        span ->> 'name' as name,
        coalesce(try_cast(span ->> 'kind' as bigint), 0) as kind,
        try_cast(span ->> 'startTimeUnixNano' as bigint) as start_time_unix_nano,
        try_cast(span ->> 'endTimeUnixNano' as bigint) as end_time_unix_nano,
        coalesce(try_cast(span -> 'status' ->> 'code' as bigint), 0) as status_code,
        nullif(span -> 'status' ->> 'message', '') as status_message,
        json_extract(span, '$.attributes[*]') as span_attrs,
        json_extract(resource, '$.attributes[*]') as resource_attrs,
        scope ->> 'name' as scope_name,
        nullif(scope ->> 'version', '') as scope_version
    from spans
)
"""

SELECT_SPANS = f"""
select
    trace_id,
    span_id,
    parent_span_id,
    name,
    kind,
    make_timestamp(start_time_unix_nano // 1000) as start_time,
    make_timestamp(end_time_unix_nano // 1000) as end_time,
    start_time_unix_nano,
    end_time_unix_nano,
    status_code,
    status_message,
    {_object("span_attrs")} as attributes,
    {_object("resource_attrs")} as resource_attributes,
    scope_name,
    scope_version,
    line_number,
    json_merge_patch(span, json_object('attributes', to_json({_kept("span_attrs")}))) as _raw
from typed
order by line_number
"""

# The first line that is not a request, and the first span without valid ids or times.
BAD_LINE = """
select line_number, case
    when not json_valid(line) then 'is not valid JSON'
    when json_type(line) <> 'OBJECT' then 'is not a JSON object'
    when json_type(line, '$.resourceSpans') not in ('ARRAY', 'NULL') then 'has a resourceSpans that is not a list'
end as problem
from _otlp_lines
where problem is not null
order by line_number
limit 1
"""

BAD_SPAN = f"""
select line_number, case
    when not regexp_full_match(coalesce(trace_id, ''), '[0-9a-f]{{32}}') then 'has a span whose traceId is not 32 hex digits'
    when not regexp_full_match(coalesce(span_id, ''), '[0-9a-f]{{16}}') then 'has a span whose spanId is not 16 hex digits'
    when start_time_unix_nano is null then 'has a span without a startTimeUnixNano integer'
    when end_time_unix_nano is null then 'has a span without an endTimeUnixNano integer'
    when {_bad_ints("span_attrs")} + {_bad_ints("resource_attrs")} > 0 then 'has an intValue that is not an integer'
end as problem
from typed
where problem is not null
order by line_number
limit 1
"""


def read_spans(path: Path) -> pa.Table:
    """One OTLP/JSON trace export as an Arrow table of ``raw.otel_spans``'s columns plus ``_raw`` (the span as
    exported, less credential-looking attributes), one row per span."""
    numbers, texts = _lines(path)
    lines = pa.table({"line_number": pa.array(numbers, pa.int64()), "line": pa.array(texts, pa.string())})
    with scratch() as conn:
        conn.register("_otlp_lines", lines)
        for check in (BAD_LINE, SPANS + BAD_SPAN):
            bad = conn.execute(check).fetchall()
            if bad:
                number, problem = bad[0]
                raise FileDropError(f"{path}, line {number}: {problem}; {HOW}.")
        return conn.sql(SPANS + SELECT_SPANS).to_arrow_table()
