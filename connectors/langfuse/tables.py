"""The raw table of the Langfuse source (its part of the landing contract, see connectors/schema.py).

One row per GENERATION observation of ``GET /api/public/v2/observations``. The shape is Langfuse's own:
``fern/apis/server/definition/commons.yml`` (``ObservationV2``) and the route
``web/src/pages/api/public/v2/observations/index.ts`` with its zod schema ``APIObservationV2`` in
``web/src/features/public-api/types/observations.ts`` (langfuse/langfuse, read 2026-08). Columns are the
API's camelCase fields in snake_case (``traceId`` -> ``trace_id``); the field group that carries each is
noted. JSON columns hold the API's objects as JSON text (keys that look like credentials stripped, see
client.py); ``_raw`` keeps the whole observation as sent.
"""

from __future__ import annotations

from connectors.schema import RawTable

LANGFUSE_GENERATIONS = RawTable(
    source="langfuse",
    endpoint="generations",
    columns=(
        # core (always returned)
        ("id", "VARCHAR"),
        ("trace_id", "VARCHAR"),
        ("start_time", "TIMESTAMP"),  # the row's UTC day is the day of startTime
        ("end_time", "TIMESTAMP"),
        ("project_id", "VARCHAR"),
        ("parent_observation_id", "VARCHAR"),
        ("type", "VARCHAR"),  # GENERATION (the pull filters on it)
        # basic
        ("name", "VARCHAR"),
        ("level", "VARCHAR"),  # DEBUG | DEFAULT | WARNING | ERROR
        ("status_message", "VARCHAR"),
        ("version", "VARCHAR"),
        ("environment", "VARCHAR"),
        ("user_id", "VARCHAR"),
        ("session_id", "VARCHAR"),
        # time
        ("completion_start_time", "TIMESTAMP"),
        ("created_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP"),
        # metadata (values over 200 characters are truncated by the API)
        ("metadata", "JSON"),
        # model
        ("provided_model_name", "VARCHAR"),  # the model as the caller logged it
        ("internal_model_id", "VARCHAR"),
        ("model_parameters", "JSON"),
        # usage: usageDetails is a map usage key -> integer units, costDetails a map cost key -> USD
        ("usage_details", "JSON"),
        ("cost_details", "JSON"),
        ("total_cost", "DECIMAL(38,10)"),  # USD, Langfuse's own figure
        ("usage_pricing_tier_name", "VARCHAR"),
        # prompt
        ("prompt_name", "VARCHAR"),
        ("prompt_version", "BIGINT"),
        # metrics (seconds)
        ("latency_seconds", "DECIMAL(18,6)"),  # latency
        ("time_to_first_token_seconds", "DECIMAL(18,6)"),  # timeToFirstToken
        # enrichment from the matched model (returned with the model group)
        ("model_id", "VARCHAR"),
        # trace_context
        ("trace_name", "VARCHAR"),
        ("tags", "JSON"),  # the trace's tags, a list of strings
        ("release", "VARCHAR"),
    ),
    partition_column="start_time",
    key=("id",),
    non_negative=("prompt_version", "total_cost"),  # total_cost: one generation's cost, never a credit
)
