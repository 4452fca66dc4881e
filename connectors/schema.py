"""The raw landing contract's vocabulary: a raw table, typed as its source documents it.

Each source declares its own tables (``connectors/<source>/tables.py``); ``connectors/registry.py`` gathers
them into the contract. Every ``iter_*`` method of a connector yields plain dicts whose keys are exactly the
column names of its table, plus ``_raw`` (the result row as the API sent it, a dict, unknown fields included).
``orchestration.loader.land`` adds the load metadata columns (``_source``, ``_partition_date``,
``_loaded_at``, ``_run_id``, ``_raw``, and ``_file`` for file drops) and writes the rows in bulk; file
readers hand it Arrow tables of the same columns.

Types are DuckDB SQL types. Money is DECIMAL(38,10) in the unit the API uses; the column name says the
unit when it is not dollars (``amount_cents``). Timestamps are UTC (``TIMESTAMP``, naive, meaning UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.windows import parse_ts


@dataclass(frozen=True)
class RawTable:
    source: str  # provider name; the dbt source name and the first part of the Dagster asset key
    endpoint: str  # the second part of the asset key and of the table name
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type), in order
    partitioned: bool = True  # False: a dimension snapshot, replaced whole at every load
    partition_column: str | None = "bucket_start"  # the UTC timestamp whose date is _partition_date
    from_files: bool = False  # a file drop: each file's rows are replaced as a unit (column _file)
    # The natural key of one result row as the vendor documents it: the raw-landing check ``unique_natural_key``
    # finds two rows with the same key on one UTC day (a page that repeats a row, a file landed twice). Left
    # empty, ``natural_key`` is the partition column and every dimension column (VARCHAR, BOOLEAN, JSON);
    # declare it where the vendor names a row id (a request id, a line-item id) or the grain is narrower.
    key: tuple[str, ...] = ()
    # The columns that are never negative (the check ``no_negative_quantity``). Left None, ``never_negative`` is
    # every BIGINT column. Declare money columns only where the vendor never sends a negative amount; never credits or refunds.
    non_negative: tuple[str, ...] | None = field(default=None)
    # A file drop whose rows may be logged again in another file, which dbt deduplicates (request logs: an
    # export window that overlaps the one before; fct_request_cost keeps one copy): its key is unique per file.
    unique_per_file: bool = False

    def __post_init__(self) -> None:
        if self.unique_per_file and not self.from_files:
            raise ValueError(f"{self.source}_{self.endpoint}: unique_per_file is for file drops (from_files=True)")
        unknown = sorted((set(self.key) | set(self.non_negative or ())) - set(self.column_names))
        if unknown:
            raise ValueError(f"{self.source}_{self.endpoint}: key or non_negative name no column: {unknown}")

    @property
    def natural_key(self) -> tuple[str, ...]:
        """``key`` as declared, else the partition column and every dimension column."""
        if self.key:
            return self.key
        lead = (self.partition_column,) if self.partition_column else ()
        dims = tuple(name for name, sql_type in self.columns if _is_dimension(sql_type) and name not in lead)
        return lead + dims

    @property
    def never_negative(self) -> tuple[str, ...]:
        """``non_negative`` as declared, else every BIGINT column."""
        if self.non_negative is not None:
            return self.non_negative
        return tuple(name for name, sql_type in self.columns if sql_type.upper() == "BIGINT")

    @property
    def name(self) -> str:
        return f"{self.source}_{self.endpoint}"

    @property
    def qualified_name(self) -> str:
        return f"raw.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def metadata_columns(self) -> tuple[tuple[str, str], ...]:
        return METADATA_COLUMNS + (FILE_COLUMN if self.from_files else ())


def _is_dimension(sql_type: str) -> bool:
    return sql_type.split("(", 1)[0].upper() in ("VARCHAR", "BOOLEAN", "JSON")


# Load metadata, appended to every raw table after the API columns.
METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source", "VARCHAR"),
    ("_partition_date", "DATE"),
    ("_loaded_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
    ("_raw", "JSON"),
)
# File drops also record the file each row came from (the unit a changed file replaces).
FILE_COLUMN: tuple[tuple[str, str], ...] = (("_file", "VARCHAR"),)

# The bucket bounds of a report row (bucketed usage and cost reports).
BUCKET_COLUMNS: tuple[tuple[str, str], ...] = (("bucket_start", "TIMESTAMP"), ("bucket_end", "TIMESTAMP"))


# -- JSON values -> landing types ------------------------------------------------------------------------


def typed_row(table: RawTable, values: Mapping[str, Any], raw: Any) -> dict[str, Any]:
    """A landing row for ``table``: exactly its columns, each converted to its DuckDB type, plus ``_raw``.

    Missing values stay ``None`` (never 0). A value that cannot be converted raises ValueError naming the
    column; the clients turn that into a ResponseShapeError.
    """
    unknown = set(values) - set(table.column_names)
    if unknown:
        raise KeyError(f"{table.name}: not columns of the table: {sorted(unknown)}")  # a connector bug
    row: dict[str, Any] = {}
    for name, sql_type in table.columns:
        value = values.get(name)
        try:
            row[name] = _convert(value, sql_type)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"field {name!r} = {_short(repr(value))} is not {sql_type}: {exc}") from None
    row["_raw"] = raw
    return row


def _convert(value: Any, sql_type: str) -> Any:
    if value is None:
        return None
    kind = sql_type.split("(", 1)[0].upper()
    if isinstance(value, bool) and kind != "BOOLEAN":
        raise ValueError("a boolean")
    if kind == "VARCHAR":
        if isinstance(value, (dict, list)):
            raise ValueError("an object or list")
        return value if isinstance(value, str) else str(value)
    if kind == "BIGINT":
        if isinstance(value, int):
            return value
        if isinstance(value, (Decimal, float)) and value == int(value):
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ValueError("not a whole number")
    if kind == "DECIMAL":
        if isinstance(value, (dict, list)):
            raise ValueError("an object or list")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise ValueError("not finite")
        return number
    if kind == "BOOLEAN":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("not true/false")
    if kind == "TIMESTAMP":
        return parse_ts(value)
    raise TypeError(f"no conversion for {sql_type}")  # pragma: no cover - a schema type we do not know


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
