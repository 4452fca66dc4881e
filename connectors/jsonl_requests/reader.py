"""Reader of the plain JSONL request format ``finops.request.v1`` (the format is fixed in README, "Request logs:
the plain JSONL format"; ``connectors.jsonl_requests.logger`` writes it).

One JSON object per line. The whole file is checked in DuckDB, in bulk: a line that is not JSON, lacks a
required field or has a field of the wrong type rejects the file whole, naming the file and the line.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa

from connectors.files import FileDropError, file_format, scratch
from connectors.jsonl_requests.tables import JSONL_REQUESTS

FORMAT = "finops.request.v1"
HEAD_BYTES = 1 << 20  # claims() reads at most this much of a file's first line


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def file_text(path: Path) -> str:
    """The file's text (gunzipped when it ends in .gz), UTF-8."""
    try:
        with _open(path) as handle:
            data = handle.read()
    except (OSError, EOFError) as exc:
        raise FileDropError(f"{path}: cannot be read ({exc}); replace it with a complete copy.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileDropError(f"{path}: is not UTF-8 text (byte {exc.start}); export it as UTF-8.") from None


def first_line(path: Path) -> bytes:
    """The first line of the file (at most HEAD_BYTES), gunzipped when it ends in .gz; b'' if unreadable."""
    try:
        with _open(path) as handle:
            return handle.readline(HEAD_BYTES)
    except (OSError, EOFError):
        return b""


def claims(path: Path) -> bool:
    """A .jsonl / .ndjson file (gzipped or not) whose first line is a JSON object with "format":
    "finops.request.v1"."""
    try:
        if file_format(path) != "jsonl":
            return False
    except FileDropError:
        return False
    try:
        first = json.loads(first_line(path).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(first, dict) and first.get("format") == FORMAT


def lines_sql(param: str = "$text") -> str:
    """SQL of (line_no, line): the non-blank lines of the text parameter, numbered from 1, CR stripped."""
    return (
        f"select line_no, rtrim(line, chr(13)) as line from ("
        f"select unnest(l) as line, generate_subscripts(l, 1) as line_no from (select string_split({param}, chr(10)) as l)"
        f") where trim(line) <> ''"
    )


def _string(key: str, required: bool = False) -> str:
    kind = f"json_type(j, '$.{key}')"
    if required:
        return f"when {kind} is distinct from 'VARCHAR' or (j ->> '$.{key}') = '' then '\"{key}\" is missing or not a string'"
    return f"when coalesce({kind}, 'NULL') not in ('NULL', 'VARCHAR') then '\"{key}\" is not a string'"


def _count(key: str) -> str:
    return (
        f"when coalesce(json_type(j, '$.{key}'), 'NULL') not in ('NULL', 'UBIGINT') "
        f"then '\"{key}\" is not a whole number >= 0'"
    )


TOKEN_FIELDS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
)

# The first problem of each line, or NULL: every rule of the format (README) in one CASE.
PROBLEM = "\n".join(
    [
        "case",
        "when j is null then 'is not JSON'",
        "when json_type(j) <> 'OBJECT' then 'is not a JSON object'",
        f"when (j ->> '$.format') is distinct from '{FORMAT}' then 'lacks \"format\": \"{FORMAT}\"'",
        _string("request_id", required=True),
        _string("timestamp", required=True),
        "when try_cast(j ->> '$.timestamp' as timestamptz) is null then '\"timestamp\" is not an ISO 8601 time'",
        _string("provider", required=True),
        _string("model", required=True),
        _string("service_tier"),
        _string("status"),
        "when coalesce(j ->> '$.status', 'success') not in ('success', 'error') "
        "then '\"status\" is neither success nor error'",
        *[_string(k) for k in ("user", "team", "feature", "session_id")],
        _count("latency_ms"),
        *[_count(k) for k in TOKEN_FIELDS],
        "when coalesce(json_type(j, '$.tags'), 'NULL') not in ('NULL', 'OBJECT') "
        "or not coalesce(list_bool_and(list_transform(map_values(cast(json_extract(j, '$.tags') as map(varchar, json))), "
        "lambda v: json_type(v) = 'VARCHAR')), true) then '\"tags\" is not an object of strings'",
        "when coalesce(json_type(j, '$.cost_usd'), 'NULL') not in ('NULL', 'UBIGINT', 'BIGINT', 'DOUBLE', 'VARCHAR') "
        "or ((j ->> '$.cost_usd') is not null and try_cast(j ->> '$.cost_usd' as decimal(38, 10)) is null) "
        "then '\"cost_usd\" is not a number'",
        "end",
    ]
)

SELECT_TYPED = f"""
    select
        j ->> '$.request_id' as request_id,
        cast(cast(j ->> '$.timestamp' as timestamptz) as timestamp) as requested_at,
        j ->> '$.provider' as provider,
        j ->> '$.model' as model,
        coalesce(j ->> '$.service_tier', 'standard') as service_tier,
        coalesce(j ->> '$.status', 'success') as status,
        cast(j ->> '$.latency_ms' as bigint) as latency_ms,
        {", ".join(f"cast(j ->> '$.{k}' as bigint) as {k}" for k in TOKEN_FIELDS)},
        j ->> '$.user' as user_id,
        j ->> '$.team' as team,
        j ->> '$.feature' as feature,
        coalesce(cast(json_extract(j, '$.tags') as varchar), '{{}}') as tags,
        j ->> '$.session_id' as session_id,
        cast(j ->> '$.cost_usd' as decimal(38, 10)) as cost_usd,
        cast(j as varchar) as _raw
    from checked
    order by line_no
"""


def read_requests(path: Path) -> pa.Table:
    """One file of the plain format as an Arrow table of ``raw.jsonl_requests_requests``'s columns plus ``_raw``
    (the line as written). Rejects the file whole (FileDropError naming the file and line) on any bad line."""
    text = file_text(path)
    with scratch() as conn:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute(
            f"create temp table checked as select line_no, j, {PROBLEM} as problem from ("
            f"select line_no, case when json_valid(line) then cast(line as json) end as j from ({lines_sql()}))",
            {"text": text},
        )
        bad = conn.execute(
            "select line_no, problem from checked where problem is not null order by line_no limit 1"
        ).fetchall()
        if bad:
            line_no, problem = bad[0]
            raise FileDropError(
                f"{path}: line {line_no} {problem} (format {FORMAT}, see README); fix that line - nothing of this "
                "file was loaded."
            )
        table = conn.sql(SELECT_TYPED).to_arrow_table()
    if tuple(table.column_names) != (*JSONL_REQUESTS.column_names, "_raw"):  # pragma: no cover - a reader bug
        raise RuntimeError(f"jsonl_requests reader columns drifted from {JSONL_REQUESTS.name}")
    return table
