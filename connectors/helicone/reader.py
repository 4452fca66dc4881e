"""Reader of Helicone request exports, in the shapes Helicone produces (Helicone/helicone):

* ``.json``: the reply of ``POST /v1/request/query-clickhouse``, ``{"data": [HeliconeRequest, ...], "error": null}``,
  or a JSON array of HeliconeRequest objects (``@helicone/export --format json``, examples/export/typescript);
* ``.jsonl``: one HeliconeRequest per line (``@helicone/export`` default, and the requests page's JSONL export);
* ``.csv``: a header of HeliconeRequest field names, nested values as JSON text (jawn's
  ``RequestManager.exportRequests``: json2csv over HeliconeRequest, ``request_properties`` JSON-stringified).
  Columns the CSV lacks are NULL. The web UI's CSV of its display rows (``MappedLLMRequest``, one
  ``heliconeMetadata`` JSON column) is a different shape and is not read.

Checked in DuckDB in bulk: a request without ``request_id`` / ``request_created_at``, or with a value of the wrong
type, rejects the file whole, naming the file and the line, array item or CSV row. Request and response bodies
(prompts, outputs) are dropped, also from ``_raw``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.files import FileDropError, file_format, scratch
from connectors.helicone.tables import HELICONE_FIELDS, HELICONE_REQUESTS
from connectors.jsonl_requests.reader import HEAD_BYTES, file_text, first_line, lines_sql

MARKER = "request_created_at"
# Keys dropped from _raw: bodies hold prompts and outputs, signed URLs grant access to them.
DROPPED = {"request_body": None, "response_body": None, "signed_body_url": None, "llmSchema": None}


def _head(path: Path) -> str:
    try:
        with (gzip.open if path.suffix.lower() == ".gz" else open)(path, "rb") as handle:
            return handle.read(HEAD_BYTES).decode("utf-8", errors="replace")
    except (OSError, EOFError):
        return ""


def claims(path: Path) -> bool:
    """A Helicone export: a .json whose first bytes are a JSON object or array naming "request_created_at", a
    .jsonl whose first line is an object with "request_id" and "request_created_at", or a .csv whose header has
    both columns."""
    try:
        kind = file_format(path)
    except FileDropError:
        return False
    if kind == "jsonl":
        try:
            first = json.loads(first_line(path).decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return False
        return isinstance(first, dict) and "request_id" in first and MARKER in first
    if kind == "json":
        head = _head(path).lstrip("\ufeff \t\r\n")
        return head[:1] in ("{", "[") and f'"{MARKER}"' in head and '"request_id"' in head
    if kind == "csv":
        header = first_line(path).decode("utf-8-sig", errors="replace").strip()
        names = {name.strip().strip('"') for name in header.split(",")}
        return {"request_id", MARKER} <= names
    return False


def _items_sql(kind: str) -> str:
    """SQL of (n, label, j): each request of the file as JSON, with where it is in the file."""
    if kind == "jsonl":
        return (
            "select line_no as n, 'line ' || line_no as label, "
            f"case when json_valid(line) then cast(line as json) end as j from ({lines_sql()})"
        )
    if kind == "json":
        return (
            "select n, 'request ' || n || ' of the array' as label, j from ("
            "select unnest(l) as j, generate_subscripts(l, 1) as n from ("
            "select case when json_type(doc) = 'ARRAY' then json_extract(doc, '$[*]') "
            "else json_extract(doc, '$.data[*]') end as l from doc))"
        )
    return (
        "select row_number() over () as n, 'data row ' || row_number() over () as label, to_json(r) as j "
        "from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"') as r"
    )


def _value(key: str) -> str:
    return f"nullif(j ->> '$.\"{key}\"', '')"


def _checks() -> str:
    rules = [
        "when j is null then 'is not JSON'",
        "when json_type(j) <> 'OBJECT' then 'is not a JSON object'",
        f"when {_value('request_id')} is null then 'has no request_id'",
        f"when try_cast({_value(MARKER)} as timestamptz) is null then 'has no request_created_at, or not a time'",
        "when props is not null and (not json_valid(props) or json_type(cast(props as json)) <> 'OBJECT') "
        "then 'has request_properties that are not a JSON object'",
    ]
    for name, key, sql_type in HELICONE_FIELDS:
        if name in ("request_id", MARKER, "request_properties") or sql_type == "VARCHAR":
            continue
        cast_type = "timestamptz" if sql_type == "TIMESTAMP" else sql_type
        rules.append(
            f"when {_value(key)} is not null and try_cast({_value(key)} as {cast_type}) is null "
            f"then 'has {key} = ' || {_value(key)} || ', not {sql_type.split('(')[0].lower()}'"
        )
    return "case " + " ".join(rules) + " end"


def _typed() -> str:
    picks = []
    for name, key, sql_type in HELICONE_FIELDS:
        if name == "request_properties":
            picks.append("props as request_properties")
        elif sql_type == "VARCHAR":
            picks.append(f"{_value(key)} as {name}")
        elif sql_type == "TIMESTAMP":
            picks.append(f"cast(cast({_value(key)} as timestamptz) as timestamp) as {name}")
        else:
            picks.append(f"cast({_value(key)} as {sql_type}) as {name}")
    patch = json.dumps(DROPPED)
    picks.append(f"cast(json_merge_patch(j, '{patch}') as varchar) as _raw")
    return f"select {', '.join(picks)} from checked order by n"


def read_requests(path: Path) -> pa.Table:
    """One Helicone export as an Arrow table of ``raw.helicone_requests``'s columns plus ``_raw``."""
    kind = file_format(path)
    with scratch() as conn:
        conn.execute("set TimeZone = 'UTC'")
        params: dict[str, str] = {}
        if kind == "json":
            text = file_text(path)
            if not conn.execute("select json_valid($text)", {"text": text}).fetchall()[0][0]:
                raise FileDropError(f"{path}: is not JSON; export it again (nothing of it was loaded).")
            conn.execute("create temp table doc as select cast($text as json) as doc", {"text": text})
            shape = conn.execute(
                "select json_type(doc), json_type(doc, '$.data'), doc ->> '$.error' from doc"
            ).fetchall()[0]
            if shape[0] == "OBJECT" and shape[2] is not None:
                raise FileDropError(f"{path}: Helicone replied with an error ({shape[2][:200]}); query it again.")
            if not (shape[0] == "ARRAY" or (shape[0] == "OBJECT" and shape[1] == "ARRAY")):
                raise FileDropError(
                    f'{path}: is neither Helicone\'s reply {{"data": [...], "error": null}} nor a JSON array of '
                    "requests; export it again."
                )
        elif kind == "jsonl":
            params["text"] = file_text(path)
        else:
            params["path"] = str(path)
        props = (
            "case coalesce(json_type(j, '$.request_properties'), 'NULL') when 'NULL' then null "
            "when 'VARCHAR' then nullif(j ->> '$.request_properties', '') "
            "else cast(json_extract(j, '$.request_properties') as varchar) end"
        )
        try:
            conn.execute(
                f"create temp table checked as select n, label, j, props, {_checks()} as problem from ("
                f"select n, label, j, {props} as props from ({_items_sql(kind)}))",
                params,
            )
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise FileDropError(
                f"{path}: not a readable {kind} file ({first}); it looks truncated or damaged: export it again "
                "(nothing of it was loaded)."
            ) from None
        bad = conn.execute("select label, problem from checked where problem is not null order by n limit 1").fetchall()
        if bad:
            label, problem = bad[0]
            raise FileDropError(f"{path}: {label} {problem}; fix the export (nothing of this file was loaded).")
        table = conn.sql(_typed()).to_arrow_table()
    if tuple(table.column_names) != (*HELICONE_REQUESTS.column_names, "_raw"):  # pragma: no cover - a reader bug
        raise RuntimeError(f"helicone reader columns drifted from {HELICONE_REQUESTS.name}")
    return table
