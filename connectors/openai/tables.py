"""The raw tables of the OpenAI Admin API source (its part of the landing contract, see connectors/schema.py)."""

from __future__ import annotations

from connectors.schema import BUCKET_COLUMNS, RawTable

OPENAI_COMPLETIONS_USAGE = RawTable(
    source="openai",
    endpoint="completions_usage",
    columns=BUCKET_COLUMNS
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
    columns=BUCKET_COLUMNS
    + (
        ("project_id", "VARCHAR"),
        ("api_key_id", "VARCHAR"),
        ("line_item", "VARCHAR"),
        ("amount_value", "DECIMAL(38,10)"),  # dollars (the API's JSON number, parsed exactly)
        ("amount_currency", "VARCHAR"),
        ("quantity", "DECIMAL(38,10)"),
        ("quantity_unit", "VARCHAR"),
    ),
    # provider-apis.md §1.5: one result per bucket x project x line item (x api key when grouped by it); the
    # amount can be a credit or an adjustment, so it is not declared never-negative
    key=("bucket_start", "project_id", "api_key_id", "line_item"),
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
    key=("id",),
)

OPENAI_API_KEYS = RawTable(
    source="openai",
    endpoint="api_keys",
    columns=(
        ("project_id", "VARCHAR"),  # the project the key belongs to (the list is per project)
        ("id", "VARCHAR"),  # key_...: the api_key_id of usage and costs
        ("name", "VARCHAR"),
        ("owner_type", "VARCHAR"),  # user | service_account
        ("owner_id", "VARCHAR"),  # user_... or svc_acct_...
        ("owner_name", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("last_used_at", "TIMESTAMP"),
    ),
    partitioned=False,
    partition_column=None,
    key=("project_id", "id"),
)

OPENAI_USERS = RawTable(
    source="openai",
    endpoint="users",
    columns=(
        ("id", "VARCHAR"),  # user_...: the user_id of usage and the owner of user-owned API keys
        ("name", "VARCHAR"),
        ("email", "VARCHAR"),
        ("role", "VARCHAR"),  # owner | reader
        ("added_at", "TIMESTAMP"),
    ),
    partitioned=False,
    partition_column=None,
    key=("id",),
)


# The other usage endpoints (provider-apis.md §1.3), one raw table each: GET /organization/usage/<endpoint>,
# grouped by the dimensions below (user_id is left out, as for completions: user-level spend comes from request
# logs), with the endpoint's documented metrics. endpoint -> (group_by dimensions, metrics).
OTHER_USAGE_ENDPOINTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "embeddings": (("project_id", "api_key_id", "model"), ("input_tokens", "num_model_requests")),
    "moderations": (("project_id", "api_key_id", "model"), ("input_tokens", "num_model_requests")),
    "images": (("project_id", "api_key_id", "model", "size", "source"), ("images", "num_model_requests")),
    "audio_speeches": (("project_id", "api_key_id", "model"), ("characters", "num_model_requests")),
    "audio_transcriptions": (("project_id", "api_key_id", "model"), ("seconds", "num_model_requests")),
    "vector_stores": (("project_id",), ("usage_bytes",)),
    "code_interpreter_sessions": (("project_id",), ("num_sessions",)),
    "file_search_calls": (("project_id", "api_key_id", "vector_store_id"), ("num_requests",)),
    "web_search_calls": (
        ("project_id", "api_key_id", "model", "context_level"),
        ("num_model_requests", "num_requests"),
    ),
}

OPENAI_OTHER_USAGE: dict[str, RawTable] = {
    endpoint: RawTable(
        source="openai",
        endpoint=f"{endpoint}_usage",
        columns=BUCKET_COLUMNS
        + tuple((name, "VARCHAR") for name in dims)
        + tuple((name, "BIGINT") for name in metrics),
    )
    for endpoint, (dims, metrics) in OTHER_USAGE_ENDPOINTS.items()
}
