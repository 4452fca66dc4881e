"""Reading ``LiteLLM_SpendLogs`` exports in bulk: recognising them, and typing their rows (or rejecting a file).

Users export the table as LiteLLM's Postgres holds it (schema: connectors/litellm/tables.py), either
``\\copy "LiteLLM_SpendLogs" to 'spend.csv' csv header`` (Postgres CSV: a header line, JSON columns as JSON
text, timestamps as Postgres text such as ``2025-06-01 12:00:00.123``, NULL as an empty field) or a Parquet
file written by pandas, pyarrow or DuckDB (timestamps typed, ``spend`` a double, JSON columns as text or
nested). Both go through one DuckDB query that types every column and names the first row that does not
fit; a file with such a row is rejected whole. The Postgres pull (connectors/litellm_postgres) sends the
CSV that ``COPY ... TO STDOUT`` writes through the same typing.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.files import FileDropError, file_format, read_table, scratch
from connectors.litellm.tables import SIGNATURE, SPEND_LOG_COLUMNS

COLUMN_NAMES = tuple(name for name, _ in SPEND_LOG_COLUMNS)
# The export's payload columns: prompts, outputs and the proxied request with its headers (Authorization).
# Never landed, not even in _raw.
PAYLOAD_COLUMNS = ("messages", "response", "proxy_server_request")
REQUIRED = ("request_id", "startTime")
WHAT = "CSV or Parquet exports of LiteLLM_SpendLogs (\\copy \"LiteLLM_SpendLogs\" to 'f.csv' csv header)"


def header_of(path: Path) -> list[str] | None:
    """The column names of a CSV (its first line) or Parquet file (its schema), or None for other files."""
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            first = handle.readline(1 << 20)
        rows = list(csv.reader(io.StringIO(first)))
        return [c.strip() for c in rows[0]] if rows else []
    if name.endswith(".parquet"):
        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowException, OSError):
            return None
    return None


def claims(path: Path) -> bool:
    """True for a CSV whose header, or a Parquet file whose schema, has LiteLLM_SpendLogs' columns
    (request_id, startTime, spend, model, api_key, call_type). Reads the first line or the Parquet footer only."""
    header = header_of(path)
    return header is not None and set(SIGNATURE) <= set(header)


def read_spend_logs(path: Path) -> pa.Table:
    """One export file as an Arrow table of the raw table's columns (typed) plus ``_raw``; a file that is not
    a LiteLLM_SpendLogs export, or has a row that does not fit, is a FileDropError naming it and the line."""
    kind = file_format(path)
    if kind not in ("csv", "parquet"):
        raise FileDropError(f"{path}: LiteLLM spend logs are read from CSV or Parquet exports, not {kind}.")
    header = header_of(path) or []
    missing = [c for c in SIGNATURE if c not in header]
    if missing:
        raise FileDropError(
            f"{path}: not an export of LiteLLM_SpendLogs (no column {', '.join(missing)}); export it with "
            "\\copy \"LiteLLM_SpendLogs\" to 'file.csv' csv header."
        )
    batch = read_table(path, COLUMN_NAMES, kind=kind, raw_extras_only=PAYLOAD_COLUMNS)
    return typed(batch, str(path), csv_lines=kind == "csv")


def _parse(name: str, sql_type: str, arrow_type: pa.DataType) -> str:
    """The SQL that types column ``name`` of ``_in`` as ``sql_type`` (NULL where it does not fit)."""
    col = '"' + name.replace('"', '""') + '"'
    text = col if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) else f"cast({col} as varchar)"
    if sql_type == "TIMESTAMP":
        # Postgres text has no offset (the proxy stores UTC); an offset, if any, is honoured. Session zone: UTC.
        return f"try_cast(try_cast({text} as timestamptz) as timestamp)"
    if sql_type.startswith("DECIMAL"):
        # A Parquet double goes through its shortest text form, so 0.1 lands as 0.1, not 0.1000000000000000055.
        return f"try_cast({text} as {sql_type})"
    if sql_type == "BIGINT":
        return f"try_cast({col} as bigint)" if not pa.types.is_string(arrow_type) else f"try_cast({text} as bigint)"
    if sql_type == "JSON":
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            return f"case when json_valid({col}) then {col} end"
        return f"cast(to_json({col}) as varchar)"  # nested Parquet (pandas dicts and lists)
    return f"nullif({text}, '')" if name in REQUIRED else text


def typed(batch: pa.Table, where: str, *, csv_lines: bool) -> pa.Table:
    """``batch`` (the spend-log columns as a file gave them, plus ``_raw``) with every column typed.

    A value that does not fit its column, or a row without request_id or startTime, rejects the whole batch:
    FileDropError naming ``where`` and the line (CSV; the header is line 1) or row (Parquet)."""
    types = dict(SPEND_LOG_COLUMNS)
    parsed = {name: _parse(name, types[name], batch.schema.field(name).type) for name in COLUMN_NAMES}
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in COLUMN_NAMES}
    bad = [
        f"when {quoted[n]} is not null and {parsed[n]} is null then '{n}'"
        for n in COLUMN_NAMES
        if types[n] != "VARCHAR"
    ] + [f"when {parsed[n]} is null then '{n}'" for n in REQUIRED]
    indexed = batch.append_column("_idx", pa.array(range(batch.num_rows), type=pa.int64()))
    with scratch() as conn:
        conn.execute("set TimeZone = 'UTC'")
        conn.register("_in", indexed)
        found = conn.execute(
            f"select _idx, bad from (select _idx, case {' '.join(bad)} end as bad from _in) "
            "where bad is not null order by _idx limit 1"
        ).fetchall()
        if found:
            idx, column = found[0]
            value = conn.execute(f"select cast({quoted[column]} as varchar) from _in where _idx = ?", [idx]).fetchall()[
                0
            ][0]
            at = f"line {idx + 2}" if csv_lines else f"row {idx + 1}"
            problem = "is empty" if value in (None, "") else f"= {_short(value)!r} is not {_noun(types[column])}"
            raise FileDropError(
                f"{where}: {at}: {column} {problem}; fix that row or export the table again "
                "(nothing of this file was loaded)."
            )
        picks = [
            f"cast({parsed[n]} as {'varchar' if types[n] == 'JSON' else types[n]}) as {quoted[n]}" for n in COLUMN_NAMES
        ]
        picks[COLUMN_NAMES.index("metadata")] = f"{_scrubbed(parsed['metadata'])} as metadata"
        # _raw: the export's columns this table does not have (what a newer LiteLLM adds), less its payload
        # columns (PAYLOAD_COLUMNS: prompts, outputs and Authorization headers stay out of the warehouse)
        return conn.sql(
            f"select {', '.join(picks)}, cast(_raw as varchar) as _raw from _in order by _idx"
        ).to_arrow_table()


# Names of metadata entries that hold credentials (or carry request headers): never landed. LiteLLM's own
# `user_api_key` is the hashed token ("Hashed API Token. Not the actual Virtual Key", schema.prisma) and stays.
# Narrower than connectors.credentials' rule on purpose: every row's metadata names user_api_key*, so a test on the
# text for that rule's 'api key' would take every document apart at landing. dbt applies the whole rule to the
# caller's names (spend_logs_metadata, request tags) before they reach a model (macro credential_name).
SECRET_NAMES = (
    "authorization",
    "headers",
    "proxy_server_request",
    "api_key",
    "x-api-key",
    "api-key",
    "password",
    "secret",
    "token",
    "access_token",
    "bearer",
    "cookie",
)


def _scrubbed(metadata_sql: str) -> str:
    """SQL of the metadata JSON (text) with its credential-looking entries dropped, at the top level and inside
    spend_logs_metadata (the caller-supplied k/v)."""

    def nulls(json_sql: str) -> str:
        """A merge patch (RFC 7396) that deletes the credential-looking keys of the object ``json_sql``."""
        names = ", ".join(f"'{n}'" for n in SECRET_NAMES)
        secret = (
            f"(lower(k) in ({names}) or lower(k) like '%authorization%' or lower(k) like '%password%' "
            "or lower(k) like '%secret%')"
        )
        return (
            f"coalesce(to_json(map_from_entries(list_transform("
            f"list_filter(json_keys({json_sql}), lambda k: {secret}), lambda k: {{'k': k, 'v': null}}))), '{{}}')"
        )

    metadata = f"cast({metadata_sql} as json)"
    inner = f"({metadata} -> '$.spend_logs_metadata')"
    scrubbed = (
        f"case when json_type({metadata}) <> 'OBJECT' then {metadata} "
        f"when json_type({inner}) = 'OBJECT' then json_merge_patch(json_merge_patch({metadata}, {nulls(metadata)}), "
        f"json_object('spend_logs_metadata', {nulls(inner)})) "
        f"else json_merge_patch({metadata}, {nulls(metadata)}) end"
    )
    # parsing every row's JSON is the cost: only rows whose text mentions such a name are parsed
    exact = "|".join(n for n in SECRET_NAMES if n not in ("authorization", "password", "secret"))
    suspect = f"regexp_matches({metadata_sql}, '(?i)authorization|password|secret|\"({exact})\"\\s*:')"
    return f"cast(case when {suspect} then {scrubbed} else cast({metadata_sql} as json) end as varchar)"


def _noun(sql_type: str) -> str:
    if sql_type == "TIMESTAMP":
        return "a timestamp"
    if sql_type == "BIGINT":
        return "a whole number"
    if sql_type.startswith("DECIMAL"):
        return "a number"
    return "JSON"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
