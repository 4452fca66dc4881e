"""Reader of Google Cloud Billing exports (the standard or detailed usage cost data BigQuery holds), in bulk by DuckDB.

Accepted files (each lands whole, or not at all):

* **Newline-delimited JSON** (``.jsonl``, ``.ndjson``, or ``.json`` not starting with ``[``; gzipped allowed), one
  export row per line as ``bq extract --destination_format NEWLINE_DELIMITED_JSON`` writes it: records nested
  (``"service": {"id": ..., "description": ...}``), repeated records as lists (``"credits": [{"name", "amount",
  "full_name", "id", "type"}]``, ``"labels": [{"key", "value"}]``), timestamps as ``"2025-06-10 07:00:00 UTC"``
  (BigQuery's rendering; ISO 8601 with ``Z`` or an offset is read too, a time without a zone is UTC), numbers as
  JSON numbers or as strings. A ``.json`` file starting with ``[`` is read as a JSON array of such rows.
* **Parquet** as ``bq extract --destination_format PARQUET`` writes it: records as groups (structs), repeated
  records as lists of structs, TIMESTAMP as microseconds, NUMERIC as DECIMAL(38, 9).
* **CSV** with a header row (``.csv``, ``.csv.gz``). BigQuery cannot export nested or repeated fields to CSV, so a
  CSV is a query's result: each record field in its own column named with a dot (``service.description``) or an
  underscore (``service_description``); ``credits``, ``labels``, ``project_labels`` (or ``project.labels``),
  ``system_labels`` and ``adjustment_info`` as JSON text, e.g. ``TO_JSON_STRING(credits) AS credits`` (labels may
  also be a JSON object ``{"key": "value"}``); an empty cell is NULL. ``credits`` is required in a CSV: without it
  the credits of its lines would be lost silently.

Any format may use either naming (nested records, or flattened names); columns other than the table's are kept in
``_raw`` only. Required: ``billing_account_id``, ``service.description``, ``sku.description``, ``usage_start_time``,
``cost`` and ``currency``. A file with none of ``billing_account_id``, ``service`` and ``sku`` is not a billing export.

Only the AI services' lines are kept (``AI_SERVICES``: Vertex AI and the Gemini API, by service id or name); the
others (Compute Engine, Cloud Storage, ...) are left out and counted in the returned table's schema metadata
(``connectors.files.LEFT_OUT_KEY``: ``{"rows": n, "by_service": {"Compute Engine": n, ...}}``). Every line is checked for malformed
values (rejecting the file, naming the line and the column); kept lines must also have the required values and,
when not in USD, a ``currency_conversion_rate``. Values land as the file has them: no currency conversion and no
netting of credits here (dbt does both).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from connectors.files import FileDropError, file_format, scratch, with_left_out
from connectors.gcp_billing.tables import GCP_BILLING_EXPORT, GCP_BILLING_FIELDS
from connectors.jsonl_requests.reader import HEAD_BYTES, file_text, first_line, lines_sql

# The AI services whose lines are AI spend, by Cloud Billing service id and by service.description. The ids are the
# Cloud Billing Catalog's (services/C7E2-9256-1C43 is Vertex AI, services/AEFD-7695-64FA the Gemini API); matching
# the id too keeps a service's lines when Google renames it ("Generative Language API" is now shown as "Gemini API").
AI_SERVICE_IDS: tuple[str, ...] = ("C7E2-9256-1C43", "AEFD-7695-64FA")
AI_SERVICES: tuple[str, ...] = ("Vertex AI", "Gemini API", "Generative Language API")


REQUIRED = ("billing_account_id", "service_description", "sku_description", "usage_start_time", "cost", "currency")
REQUIRED_IN_CSV = (*REQUIRED, "credits")
ROW_REQUIRED = ("billing_account_id", "service_description", "usage_start_time", "cost", "currency")  # kept lines
SIGNATURE = ("billing_account_id", "service_id", "service_description", "sku_id", "sku_description")
LABEL_FIELDS = ("labels", "project_labels", "system_labels")
JSON_FIELDS = ("credits", *LABEL_FIELDS, "adjustment_info")
TYPE_WORDS = {"TIMESTAMP": "a timestamp", "DECIMAL(38,10)": "a number", "DOUBLE": "a number"}

HOW_TO_EXPORT = (
    "export the table again (bq extract --destination_format NEWLINE_DELIMITED_JSON or PARQUET), or for a CSV "
    "select the nested fields flattened (service.description or service_description) and credits and labels as "
    "TO_JSON_STRING(...)"
)

EXPORT_AGAIN = "export the table again (bq extract --destination_format NEWLINE_DELIMITED_JSON)"


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def _head(path: Path) -> bytes:
    try:
        with _open(path) as handle:
            return handle.read(HEAD_BYTES)
    except (OSError, EOFError):
        return b""


def claims(path: Path) -> bool:
    """A billing export: a JSON file whose first row names "billing_account_id" and "service", a CSV whose header has
    billing_account_id and a service column, or a Parquet file whose schema has billing_account_id and service."""
    try:
        kind = file_format(path)
    except FileDropError:
        return False
    if kind == "parquet":
        try:
            names = set(pq.read_schema(path).names)
        except Exception:  # noqa: BLE001 - not Parquet, or unreadable: not ours
            return False
        return "billing_account_id" in names and bool({"service", "service.description", "service_description"} & names)
    if kind == "csv":
        header = first_line(path).decode("utf-8-sig", errors="replace").strip()
        names = {name.strip().strip('"') for name in header.split(",")}
        return "billing_account_id" in names and bool({"service.description", "service_description"} & names)
    head = _head(path).decode("utf-8-sig", errors="replace")
    return '"billing_account_id"' in head and '"service' in head


def _key(name: str) -> str:
    return '"' + name.replace('"', '\\"') + '"'


def _json_path(field: str, keys: set[str]) -> str | None:
    """Where ``field`` (``service.description``) is in this file's rows: nested under its record, or a flattened
    column named with a dot or an underscore; None when the file has none of them."""
    parts = field.split(".")
    if len(parts) > 1 and parts[0] in keys:
        return "$." + ".".join(_key(part) for part in parts)
    for name in (field, "_".join(parts)):
        if name in keys:
            return "$." + _key(name)
    return None


def _items_sql(kind: str) -> str:
    """SQL of (n, label, raw, j): each row of the file as JSON, where it is in the file, and its text as given."""
    if kind == "jsonl":
        return (
            "select line_no as n, 'line ' || line_no as label, line as raw, "
            f"try_cast(line as json) as j from ({lines_sql()})"
        )
    if kind == "array":
        return (
            "select n, 'row ' || n || ' of the array' as label, cast(j as varchar) as raw, j from ("
            "select unnest(l) as j, generate_subscripts(l, 1) as n from (select json_extract(doc, '$[*]') as l from doc))"
        )
    if kind == "parquet":
        return (
            "select n, 'row ' || n as label, cast(j as varchar) as raw, j from ("
            "select file_row_number + 1 as n, json_merge_patch(to_json(r), '{\"file_row_number\": null}') as j "
            "from read_parquet($path, file_row_number = true) as r)"
        )
    return (
        "select n, 'data row ' || n as label, cast(j as varchar) as raw, j from ("
        "select row_number() over () as n, to_json(r) as j from read_csv($path, header = true, all_varchar = true, "
        "delim = ',', quote = '\"', escape = '\"') as r)"
    )


def _flat_sql(keys: set[str]) -> str:
    """SQL of the rows with each column's value taken from wherever this file has it: text for scalars, JSON for the
    lists and records (a JSON string holding JSON, as in a CSV, is parsed), ``<column>__bad`` when that text is not
    JSON. Each row's JSON is parsed once: all paths are extracted in one call."""
    texts: list[str] = []
    jsons: list[str] = []
    picks = ["n", "label", "raw", "j", "jtype"]
    for name, field, sql_type in GCP_BILLING_FIELDS:
        if field is None:
            continue
        path = _json_path(field, keys)
        if sql_type == "JSON":
            if path:
                jsons.append(path)
                value = f"_v[{len(jsons)}]"
            else:
                value = "cast(null as json)"
            picks.append(f"json_cell({value}) as {name}")
            picks.append(f"coalesce(json_bad({value}), false) as {name}__bad")
        elif path:
            texts.append(path)
            picks.append(f"nullif(_s[{len(texts)}], '') as {name}")
        else:
            picks.append(f"cast(null as varchar) as {name}")
    extract = ["n", "label", "raw", "j", "json_type(j) as jtype"]
    if texts:
        extract.append(f"json_extract_string(j, [{_sql_list(tuple(texts))}]) as _s")
    if jsons:
        extract.append(f"json_extract(j, [{_sql_list(tuple(jsons))}]) as _v")
    kept = (
        f"coalesce(service_id in ({_sql_list(AI_SERVICE_IDS)}) or service_description in ({_sql_list(AI_SERVICES)}), "
        "false)"
    )
    return f"select *, {kept} as kept from (select {', '.join(picks)} from (select {', '.join(extract)} from items))"


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


def _quoted(column: str) -> str:
    return f"'\"' || left({column}, 40) || '\"'"


def _checks() -> str:
    """The first thing wrong with a row, with how to fix it; NULL when nothing is."""
    fix = "fix that value or export the table again"
    field_of = {name: field for name, field, _ in GCP_BILLING_FIELDS}
    rules = [
        f"when j is null then 'is not JSON; {EXPORT_AGAIN}'",
        f"when jtype <> 'OBJECT' then 'is not a JSON object (one export row); {EXPORT_AGAIN}'",
    ]
    for name, field, sql_type in GCP_BILLING_FIELDS:
        if sql_type not in TYPE_WORDS or field is None:
            continue
        cast_type = "timestamptz" if sql_type == "TIMESTAMP" else sql_type
        rules.append(
            f"when {name} is not null and try_cast({name} as {cast_type}) is null then "
            f"'has {field} = ' || {_quoted(name)} || ', which is not {TYPE_WORDS[sql_type]}; {fix}'"
        )
    for name in JSON_FIELDS:
        rules.append(f"when {name}__bad then 'has {field_of[name]} whose text is not JSON; {fix}'")
    amounts = "json_extract_string(credits, '$[*].amount')"
    rules += [
        f"when credits is not null and json_type(credits) <> 'ARRAY' then 'has credits that are not a list; {fix}'",
        f"when credits is not null and (len({amounts}) <> json_array_length(credits) or "
        f"list_bool_or(list_transform({amounts}, lambda a: try_cast(a as decimal(38,10)) is null))) "
        f"then 'has a credit whose amount is missing or not a number; {fix}'",
    ]
    for name in LABEL_FIELDS:
        label_keys = f"json_extract_string({name}, '$[*].key')"
        rules += [
            f"when {name} is not null and json_type({name}) not in ('ARRAY', 'OBJECT') then "
            f"'has {name} that are neither a list of {{key, value}} nor an object; {fix}'",
            f"when json_type({name}) = 'ARRAY' and len({label_keys}) <> json_array_length({name}) then "
            f"'has {name} with an entry that has no key; {fix}'",
            f"when json_type({name}) = 'ARRAY' and len(list_distinct({label_keys})) <> len({label_keys}) then "
            f"'has {name} that name one key twice; {fix}'",
        ]
    rules.append(
        "when adjustment_info is not null and json_type(adjustment_info) <> 'OBJECT' then "
        f"'has adjustment_info that is not a record; {fix}'"
    )
    for name in ROW_REQUIRED:
        rules.append(f"when kept and {name} is null then 'has no {field_of[name]}; {fix}'")
    rules += [
        "when kept and upper(currency) <> 'USD' and currency_conversion_rate is null then 'is in ' || currency || "
        "' but has no currency_conversion_rate, so its cost cannot be converted to US dollars; export the "
        "currency_conversion_rate column with the rows'",
        "when kept and upper(currency) <> 'USD' and cast(currency_conversion_rate as decimal(38,10)) <= 0 then 'is in ' "
        "|| currency || ' with currency_conversion_rate = ' || currency_conversion_rate || ', so its cost cannot be "
        "converted to US dollars; export the currency_conversion_rate column with the rows'",
    ]
    return "case " + " ".join(rules) + " end"


def _typed() -> str:
    picks = []
    for name, _, sql_type in GCP_BILLING_FIELDS:
        if name == "credits":
            picks.append("coalesce(cast(credits as varchar), '[]') as credits")
        elif name == "credits_amount":
            picks.append(
                "cast(coalesce(list_sum(list_transform(json_extract_string(credits, '$[*].amount'), "
                "lambda a: cast(a as decimal(38,10)))), 0) as decimal(38,10)) as credits_amount"
            )
        elif name in LABEL_FIELDS:
            entries = f"""json_transform({name}, '[{{"key": "VARCHAR", "value": "VARCHAR"}}]')"""
            picks.append(
                f"case json_type({name}) when 'ARRAY' then cast(to_json(map_from_entries({entries})) as varchar) "
                f"when 'OBJECT' then cast({name} as varchar) else '{{}}' end as {name}"
            )
        elif name == "adjustment_info":
            picks.append("cast(adjustment_info as varchar) as adjustment_info")
        elif sql_type == "VARCHAR":
            picks.append(name)
        elif sql_type == "TIMESTAMP":
            picks.append(f"cast(cast({name} as timestamptz) as timestamp) as {name}")
        else:
            picks.append(f"cast({name} as {sql_type}) as {name}")
    picks.append("raw as _raw")
    return f"select {', '.join(picks)} from checked where kept order by n"


MACROS = (
    # a list or record: JSON as given, or parsed from a JSON string (a CSV cell); NULL for null or an empty string
    "create temp macro json_cell(v) as case coalesce(json_type(v), 'NULL') when 'NULL' then null "
    "when 'VARCHAR' then try_cast(nullif(trim(v ->> '$'), '') as json) else v end",
    "create temp macro json_bad(v) as json_type(v) = 'VARCHAR' and nullif(trim(v ->> '$'), '') is not null "
    "and try_cast(v ->> '$' as json) is null",
)


def read_export(path: Path) -> pa.Table:
    """One billing export file as an Arrow table of ``raw.gcp_billing_export``'s columns plus ``_raw``: the AI
    services' lines only, the others counted in the schema metadata (``connectors.files.with_left_out``)."""
    kind = file_format(path)
    with scratch() as conn:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute("set enable_progress_bar = false")
        for macro in MACROS:
            conn.execute(macro)
        params: dict[str, str] = {}
        if kind in ("json", "jsonl"):
            text = file_text(path)
            if kind == "json" and text.lstrip()[:1] == "[":
                if not conn.execute("select json_valid($text)", {"text": text}).fetchall()[0][0]:
                    raise FileDropError(f"{path}: is not JSON; {EXPORT_AGAIN} (nothing of it was loaded).")
                conn.execute("create temp table doc as select cast($text as json) as doc", {"text": text})
                kind = "array"
            else:
                kind = "jsonl"
                params["text"] = text
        else:
            params["path"] = str(path)
        try:
            conn.execute(f"create temp table items as {_items_sql(kind)}", params)
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            what = "Parquet" if kind == "parquet" else kind.upper()
            raise FileDropError(
                f"{path}: is not a readable {what} file ({first}); copy it again whole from where BigQuery wrote it "
                "(nothing of it was loaded)."
            ) from None
        keys = {
            row[0]
            for row in conn.execute(
                "select distinct unnest(json_keys(j)) from items where json_type(j) = 'OBJECT'"
            ).fetchall()
        }
        _check_columns(path, kind, keys)
        conn.execute(f"create temp table flat as {_flat_sql(keys)}")
        conn.execute(f"create temp table checked as select *, {_checks()} as problem from flat")
        bad = conn.execute("select label, problem from checked where problem is not null order by n limit 1").fetchall()
        if bad:
            label, problem = bad[0]
            raise FileDropError(f"{path}: {label} {problem} (nothing of this file was loaded).")
        others = conn.execute(
            "select coalesce(service_description, service_id, '(no service)') as service, count(*) "
            "from checked where not kept group by 1 order by 1"
        ).fetchall()
        table = conn.sql(_typed()).to_arrow_table()
    if tuple(table.column_names) != (*GCP_BILLING_EXPORT.column_names, "_raw"):  # pragma: no cover - a reader bug
        raise RuntimeError(f"gcp_billing reader columns drifted from {GCP_BILLING_EXPORT.name}")
    return with_left_out(table, dict(others))


def _check_columns(path: Path, kind: str, keys: set[str]) -> None:
    """Reject a file that is not a billing export, or that lacks a required column (naming them)."""
    if not keys:
        return  # no rows: nothing to land
    field_of = {name: field for name, field, _ in GCP_BILLING_FIELDS}
    if not any(_json_path(field_of[name], keys) for name in SIGNATURE):
        found = ", ".join(sorted(keys)[:8]) + (", ..." if len(keys) > 8 else "")
        raise FileDropError(
            f"{path}: is not a Google Cloud Billing export (its columns are {found}); expected the standard or "
            "detailed usage cost export's billing_account_id, service, sku, usage_start_time, cost and currency "
            f"(nothing of it was loaded)."
        )
    required = REQUIRED_IN_CSV if kind == "csv" else REQUIRED
    missing = [field_of[name] for name in required if _json_path(field_of[name], keys) is None]
    if missing:
        raise FileDropError(
            f"{path}: lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} of a Cloud Billing "
            f"export; {HOW_TO_EXPORT} (nothing of it was loaded)."
        )
