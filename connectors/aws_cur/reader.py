"""Reader of AWS Cost and Usage Reports 2.0 (AWS Data Exports) for Amazon Bedrock spend.

Shapes read, in bulk by DuckDB (never row by row):

* CUR 2.0 as Data Exports delivers it: Parquet (``<export>-00001.snappy.parquet``) or gzip-compressed CSV
  (``<export>-00001.csv.gz``; a plain ``.csv`` too), columns named as in AWS's table dictionary
  (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html). The MAP<string,string> columns
  ``product`` and ``resource_tags`` are maps in Parquet and JSON object text in CSV; both land as JSON text.
  Delivery: "one or more gzip/csv or Parquet files" under ``data/BILLING_PERIOD=YYYY-MM/``
  (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html).
* Legacy CUR, accepted too: its CSV headers (``lineItem/UsageStartDate``, ``resourceTags/user:team``) are renamed
  to the CUR 2.0 names (``line_item_usage_start_date``; tags gather into ``resource_tags`` as ``user_team``), and
  its Athena-style Parquet (``resource_tags_user_team``, ``product_product_name`` columns) gathers the same way.

The AI rows kept (everything else is left out, counted per ``line_item_product_code`` in the returned table's
schema metadata ``finops.left_out``, JSON ``{"rows": n, "by_service": {code: rows}}``), a line of Amazon Bedrock:

1. ``line_item_product_code`` is ``AmazonBedrock`` (the Bedrock service's own lines: Amazon's models and the
   open-weight ones) or ``AmazonBedrockService`` (seen in 2026 exports for Bedrock lines), any line item type, so
   Bedrock's Tax, Credit, Refund and Fee lines are kept;
2. or ``product_product_family`` is ``Amazon Bedrock``: AWS's "unified 'Amazon Bedrock' product family name that
   consolidates all Bedrock costs" in CUR 2.0 (AWS What's New, 2026-07: "AWS Data Exports ... Amazon Bedrock
   product metadata"); this is what catches third-party models sold through AWS Marketplace;
3. or the product name ends in ``(Amazon Bedrock Edition)``: the Marketplace listing of a model sold on Bedrock
   (``product['product_name']`` = "Claude Sonnet 4.6 (Amazon Bedrock Edition)"), whose product code is the
   listing's id (``7zgyu5r4...``) and whose billing entity is "AWS Marketplace"; exports before the product family
   existed have only this. Third-party models on Bedrock are subscribed through AWS Marketplace
   (https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html); the name suffix is seen in exports
   and in the AWS Price List (service code ``AmazonBedrockFoundationModels``), not in a dictionary page;
4. or its product code is one that rules 1-3 match in the same file: a Marketplace listing's Tax, Credit and Refund
   lines carry its product code but may lack the product attributes.

Nothing is classified or converted: line item types and usage types land as the file has them. A file that cannot
be read, lacks the required columns, or has a value of the wrong type is rejected whole with a ``FileDropError``
naming the file, the column and the data row. So is a file with a Bedrock line in another currency than USD: CUR
states each line's currency (``line_item_currency_code``) but no exchange rate, so such a line could only be
summed as dollars, which it is not.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.aws_cur.tables import AWS_CUR_LINE_ITEMS
from connectors.files import FileDropError, file_format, scratch, with_left_out

# Without these a line cannot be placed on a day, attributed to a service, or priced.
REQUIRED = (
    "line_item_usage_start_date",
    "line_item_product_code",
    "line_item_line_item_type",
    "line_item_usage_type",
    "line_item_unblended_cost",
    "line_item_currency_code",
)
BEDROCK_PRODUCT_CODES = ("AmazonBedrock", "AmazonBedrockService")
BEDROCK_PRODUCT_FAMILY = "Amazon Bedrock"
MARKETPLACE_SUFFIX = "(Amazon Bedrock Edition)"
MAP_COLUMNS = {"product": "product_", "resource_tags": "resource_tags_"}  # map column -> legacy flattened prefix
DERIVED = {"file_row_number"}  # not a column of the file
# CUR 2.0's static product columns, kept out of the product map that legacy product_* columns gather into
STATIC_PRODUCT = ("product_servicecode", "product_product_family", "product_region_code")
FIX = "fix or export the file again (nothing of this file was loaded)"


def read_cur(path: Path) -> pa.Table:
    """One CUR file as an Arrow table of ``raw.aws_cur_line_items``'s columns plus ``_raw``, Bedrock lines only,
    with the count of the lines left out in the schema metadata ``finops.left_out``."""
    kind = _kind(path)
    reader = (
        "read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
        if kind == "csv"
        else "read_parquet($path)"
    )
    params = {"path": str(path)}
    with scratch() as conn:
        conn.execute("set TimeZone = 'UTC'")
        try:
            described = conn.execute(f"describe select * from {reader}", params).fetchall()
            columns = _columns(path, [(row[0], row[1]) for row in described])
            conn.execute(f"create temp table src as select row_number() over () as __n, * from {reader}", params)
        except duckdb.Error as exc:
            raise _unreadable(path, kind, exc) from None
        conn.execute(f"create temp table typed as select __n, {_texts(columns)} from src")
        bad = conn.execute(
            f"select __n, {_problem()} as problem from typed where problem is not null order by __n limit 1"
        )
        bad_rows = bad.fetchall()
        if bad_rows:
            row, problem = bad_rows[0]
            raise FileDropError(f"{path}: data row {row} {problem}; {FIX}.")
        conn.execute(f"create temp table kept as {_kept()}")
        foreign = conn.execute(
            "select upper(line_item_currency_code) as currency, count(*), min(__n) from typed "
            "where __n in (select __n from kept) and upper(coalesce(line_item_currency_code, 'USD')) <> 'USD' "
            "group by 1 order by 3 limit 1"
        ).fetchall()
        if foreign:
            currency, lines, first = foreign[0]
            raise FileDropError(
                f"{path}: {lines} Amazon Bedrock line{'s are' if lines > 1 else ' is'} in {currency} (first at data "
                f"row {first}), and a CUR carries no exchange rate to convert {'them' if lines > 1 else 'it'} to US "
                "dollars; export the CUR in USD, or convert the file's amounts before dropping it (nothing of this "
                "file was loaded)."
            )
        counts = conn.execute(
            "select coalesce(line_item_product_code, '(none)'), count(*) from typed "
            "where __n not in (select __n from kept) group by 1 order by 1"
        ).fetchall()
        table = conn.sql(_landed(columns)).to_arrow_table()
    if tuple(table.column_names) != (*AWS_CUR_LINE_ITEMS.column_names, "_raw"):  # pragma: no cover - a reader bug
        raise RuntimeError(f"aws_cur reader columns drifted from {AWS_CUR_LINE_ITEMS.name}")
    return with_left_out(table, dict(counts))


# -- the file's columns ------------------------------------------------------------------------------------------


def _kind(path: Path) -> str:
    if path.name.lower().endswith("manifest.json"):
        raise FileDropError(
            f"{path}: is a Data Exports manifest, not cost data; point FINOPS_AWS_CUR at the export's data files "
            "(data/BILLING_PERIOD=YYYY-MM/*.parquet or *.csv.gz)."
        )
    kind = file_format(path)
    if kind not in ("csv", "parquet"):
        raise FileDropError(
            f"{path}: is not an AWS Cost and Usage Report file; Data Exports writes CUR 2.0 as Parquet (.parquet) "
            "or gzip-compressed CSV (.csv.gz): point FINOPS_AWS_CUR at those."
        )
    return kind


def _snake(name: str) -> str:
    """A legacy CUR CSV header as its CUR 2.0 / Athena name: ``lineItem/UsageStartDate`` -> ``line_item_usage_start_date``,
    ``resourceTags/user:team`` -> ``resource_tags_user_team``."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return name.lower().strip("_")


class _Column:
    def __init__(self, original: str, sql_type: str):
        self.original = original
        self.is_map = sql_type.upper().startswith("MAP")
        self.is_text = sql_type.upper() == "VARCHAR"

    @property
    def ref(self) -> str:
        return f"src.{_quote(self.original)}"

    @property
    def text(self) -> str:
        """The value as text: maps as JSON, other types as DuckDB prints them, empty text as NULL."""
        if self.is_map:
            return f"cast(to_json({self.ref}) as varchar)"
        if self.is_text:
            return f"nullif({self.ref}, '')"
        return f"cast({self.ref} as varchar)"


def _columns(path: Path, described: list[tuple[str, str]]) -> dict[str, _Column]:
    """CUR 2.0 name -> the file's column, checking that the file is a CUR export with the required columns."""
    legacy = any("/" in name for name, _ in described)
    columns: dict[str, _Column] = {}
    for name, sql_type in described:
        key = _snake(name) if legacy else name
        if key in columns:
            raise FileDropError(f"{path}: has two columns that both mean {key}; {FIX}.")
        columns[key] = _Column(name, sql_type)
    if not any(key.startswith("line_item_") for key in columns):
        shown = ", ".join(name for name, _ in described[:5]) + (", ..." if len(described) > 5 else "")
        raise FileDropError(
            f"{path}: is not an AWS Cost and Usage Report: its columns ({shown}) include no line_item_* column; "
            "expected a CUR 2.0 export from AWS Data Exports, with columns such as line_item_usage_start_date, "
            "line_item_product_code and line_item_unblended_cost."
        )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileDropError(
            f"{path}: lacks the CUR column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; add "
            f"{'them' if len(missing) > 1 else 'it'} to the export's columns in AWS Data Exports and export again "
            "(nothing of this file was loaded)."
        )
    return columns


# -- SQL ---------------------------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _gathered(columns: dict[str, _Column], prefix: str) -> str | None:
    """Legacy flattened columns (``resource_tags_user_team``) gathered into one JSON object text, or None."""
    parts = [
        f"struct_pack(k := {_literal(key[len(prefix) :])}, v := {column.text})"
        for key, column in columns.items()
        if key.startswith(prefix) and key not in STATIC_PRODUCT
    ]
    if not parts:
        return None
    entries = f"list_filter([{', '.join(parts)}], lambda e: e.v is not null)"
    return f"cast(to_json(map_from_entries({entries})) as varchar)"


def _texts(columns: dict[str, _Column]) -> str:
    """Each landed column of ``src`` as text (NULL where the file lacks it), named as the table names it."""
    picks = []
    for name, _ in AWS_CUR_LINE_ITEMS.columns:
        if name in DERIVED:
            continue
        if name in columns:
            text = columns[name].text
        elif name in MAP_COLUMNS:
            text = _gathered(columns, MAP_COLUMNS[name]) or "null"
        else:
            text = "null"
        picks.append(f"{text} as {_quote(name)}")
    return ", ".join(picks)


def _problem() -> str:
    """SQL: why a row of ``typed`` cannot land, or NULL."""
    rules = ["when line_item_usage_start_date is null then 'has no line_item_usage_start_date'"]
    for name, sql_type in AWS_CUR_LINE_ITEMS.columns:
        if name in DERIVED or sql_type == "VARCHAR" and name not in MAP_COLUMNS:
            continue
        column = _quote(name)
        shown = f"' || left({column}, 60) || '"
        if name in MAP_COLUMNS:
            test = f"not (case when json_valid({column}) then json_type({column}) = 'OBJECT' else false end)"
            what = "a JSON object"
        elif sql_type == "TIMESTAMP":
            test = f"try_cast({column} as timestamptz) is null"
            what = "a time"
        else:
            test = f"try_cast({column} as {sql_type}) is null"
            what = "a number"
        rules.append(f"when {column} is not null and {test} then 'has {name} = ''{shown}'', not {what}'")
    return "case " + " ".join(rules) + " end"


def _kept() -> str:
    """SQL: the row numbers of ``typed`` that are Amazon Bedrock lines (rules 1-4 of the module docstring)."""
    codes = ", ".join(_literal(code) for code in BEDROCK_PRODUCT_CODES)
    name = "coalesce(product_product_name, json_extract_string(product, '$.product_name'))"
    bedrock = (
        f"line_item_product_code in ({codes}) or product_product_family = {_literal(BEDROCK_PRODUCT_FAMILY)} "
        f"or {name} like {_literal('%' + MARKETPLACE_SUFFIX)}"
    )
    return (
        f"with matched as (select __n, line_item_product_code from typed where {bedrock}) "
        "select __n from matched union "
        "select __n from typed where line_item_product_code in (select line_item_product_code from matched)"
    )


def _landed(columns: dict[str, _Column]) -> str:
    """SQL: the kept rows, typed, with ``_raw`` (the row as the file had it)."""
    picks = []
    for name, sql_type in AWS_CUR_LINE_ITEMS.columns:
        column = f"t.{_quote(name)}"
        if name == "file_row_number":
            value = "t.__n"
        elif name == "product_product_name":
            value = f"coalesce({column}, json_extract_string(t.product, '$.product_name'))"
        elif name in MAP_COLUMNS:
            value = f"nullif(cast(json({column}) as varchar), '{{}}')"  # an empty map is no tags
        elif sql_type == "TIMESTAMP":
            value = f"cast(cast({column} as timestamptz) as timestamp)"
        elif sql_type == "VARCHAR":
            value = column
        else:
            value = f"cast({column} as {sql_type})"
        picks.append(f"{value} as {_quote(name)}")
    raw = ", ".join(f"{_quote(column.original)} := {column.ref}" for column in columns.values())
    picks.append(f"cast(to_json(struct_pack({raw})) as varchar) as _raw")
    return (
        f"select {', '.join(picks)} from typed as t join src on src.__n = t.__n "
        "where t.__n in (select __n from kept) order by t.__n"
    )


def _unreadable(path: Path, kind: str, exc: Exception) -> FileDropError:
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    what = "a gzip-compressed CSV" if path.suffix.lower() == ".gz" else f"a {kind} file"
    return FileDropError(
        f"{path}: cannot be read as {what} ({first_line}); it looks truncated or damaged: copy it again from the "
        "export's S3 folder (nothing of it was loaded)."
    )
