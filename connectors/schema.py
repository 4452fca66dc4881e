"""The raw landing contract: one table per source endpoint, typed as the API documents it.

Every ``iter_*`` method of a connector yields plain dicts whose keys are exactly the column names of its
table below, plus ``_raw`` (the result row as the API sent it, a dict, unknown fields included).
``orchestration.loader.land`` adds the load metadata columns (``_source``, ``_partition_date``,
``_loaded_at``, ``_run_id``, ``_raw``) and writes the rows in bulk.

Types are DuckDB SQL types. Money is DECIMAL(38,10) in the unit the API uses; the column name says the
unit when it is not dollars (``amount_cents``). Timestamps are UTC (``TIMESTAMP``, naive, meaning UTC).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawTable:
    source: str  # provider name; the dbt source name and the first part of the Dagster asset key
    endpoint: str  # the second part of the asset key and of the table name
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type), in order
    partitioned: bool = True  # False: a dimension snapshot, replaced whole at every load
    partition_column: str | None = "bucket_start"  # the UTC timestamp whose date is _partition_date

    @property
    def name(self) -> str:
        return f"{self.source}_{self.endpoint}"

    @property
    def qualified_name(self) -> str:
        return f"raw.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


# Load metadata, appended to every raw table after the API columns.
METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source", "VARCHAR"),
    ("_partition_date", "DATE"),
    ("_loaded_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
    ("_raw", "JSON"),
)

_BUCKET = (("bucket_start", "TIMESTAMP"), ("bucket_end", "TIMESTAMP"))

OPENAI_COMPLETIONS_USAGE = RawTable(
    source="openai",
    endpoint="completions_usage",
    columns=_BUCKET
    + (
        ("project_id", "VARCHAR"),
        ("user_id", "VARCHAR"),
        ("api_key_id", "VARCHAR"),
        ("model", "VARCHAR"),
        ("batch", "BOOLEAN"),
        ("service_tier", "VARCHAR"),
        ("input_tokens", "BIGINT"),  # includes cached and cache-write tokens
        ("input_cached_tokens", "BIGINT"),
        ("input_cache_write_tokens", "BIGINT"),
        ("input_uncached_tokens", "BIGINT"),
        ("input_text_tokens", "BIGINT"),
        ("input_audio_tokens", "BIGINT"),
        ("input_cached_audio_tokens", "BIGINT"),
        ("input_image_tokens", "BIGINT"),
        ("input_cached_image_tokens", "BIGINT"),
        ("output_tokens", "BIGINT"),
        ("output_text_tokens", "BIGINT"),
        ("output_audio_tokens", "BIGINT"),
        ("output_image_tokens", "BIGINT"),
        ("num_model_requests", "BIGINT"),
    ),
)

OPENAI_COSTS = RawTable(
    source="openai",
    endpoint="costs",
    columns=_BUCKET
    + (
        ("project_id", "VARCHAR"),
        ("api_key_id", "VARCHAR"),
        ("line_item", "VARCHAR"),
        ("amount_value", "DECIMAL(38,10)"),  # dollars (the API's JSON number, parsed exactly)
        ("amount_currency", "VARCHAR"),
        ("quantity", "DECIMAL(38,10)"),
        ("quantity_unit", "VARCHAR"),
    ),
)

OPENAI_PROJECTS = RawTable(
    source="openai",
    endpoint="projects",
    columns=(
        ("id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("status", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("archived_at", "TIMESTAMP"),
    ),
    partitioned=False,
    partition_column=None,
)

ANTHROPIC_MESSAGES_USAGE = RawTable(
    source="anthropic",
    endpoint="messages_usage",
    columns=_BUCKET
    + (
        ("workspace_id", "VARCHAR"),  # null = the default workspace
        ("api_key_id", "VARCHAR"),  # null = Console / Workbench usage
        ("model", "VARCHAR"),
        ("service_tier", "VARCHAR"),
        ("context_window", "VARCHAR"),  # '0-200k' | '200k-1M'
        ("inference_geo", "VARCHAR"),
        ("uncached_input_tokens", "BIGINT"),
        ("cache_creation_5m_input_tokens", "BIGINT"),  # cache_creation.ephemeral_5m_input_tokens
        ("cache_creation_1h_input_tokens", "BIGINT"),  # cache_creation.ephemeral_1h_input_tokens
        ("cache_read_input_tokens", "BIGINT"),
        ("output_tokens", "BIGINT"),
        ("web_search_requests", "BIGINT"),  # server_tool_use.web_search_requests
    ),
)

ANTHROPIC_COST_REPORT = RawTable(
    source="anthropic",
    endpoint="cost_report",
    columns=_BUCKET
    + (
        ("workspace_id", "VARCHAR"),  # null = the default workspace
        ("description", "VARCHAR"),
        ("cost_type", "VARCHAR"),
        ("model", "VARCHAR"),
        ("token_type", "VARCHAR"),
        ("service_tier", "VARCHAR"),
        ("context_window", "VARCHAR"),
        ("inference_geo", "VARCHAR"),
        ("amount_cents", "DECIMAL(38,10)"),  # the API's decimal string, in cents
        ("currency", "VARCHAR"),
    ),
)

ANTHROPIC_WORKSPACES = RawTable(
    source="anthropic",
    endpoint="workspaces",
    columns=(
        ("id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("archived_at", "TIMESTAMP"),
    ),
    partitioned=False,
    partition_column=None,
)

RAW_TABLES: dict[str, RawTable] = {
    t.name: t
    for t in (
        OPENAI_COMPLETIONS_USAGE,
        OPENAI_COSTS,
        OPENAI_PROJECTS,
        ANTHROPIC_MESSAGES_USAGE,
        ANTHROPIC_COST_REPORT,
        ANTHROPIC_WORKSPACES,
    )
}
