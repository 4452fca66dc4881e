"""The raw tables of the Anthropic Admin API source (its part of the landing contract, see connectors/schema.py)."""

from __future__ import annotations

from connectors.schema import BUCKET_COLUMNS, RawTable

ANTHROPIC_MESSAGES_USAGE = RawTable(
    source="anthropic",
    endpoint="messages_usage",
    columns=BUCKET_COLUMNS
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
    columns=BUCKET_COLUMNS
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

ANTHROPIC_API_KEYS = RawTable(
    source="anthropic",
    endpoint="api_keys",
    columns=(
        ("id", "VARCHAR"),  # apikey_...: the api_key_id of the usage report
        ("name", "VARCHAR"),
        ("workspace_id", "VARCHAR"),  # null = the default workspace (or an organisation-scoped key)
        ("status", "VARCHAR"),  # active | inactive | archived | expired
        ("created_at", "TIMESTAMP"),
        ("created_by_id", "VARCHAR"),
        ("expires_at", "TIMESTAMP"),
    ),
    partitioned=False,
    partition_column=None,
)

ANTHROPIC_USERS = RawTable(
    source="anthropic",
    endpoint="users",
    columns=(
        ("id", "VARCHAR"),  # user_...: the created_by of API keys
        ("name", "VARCHAR"),
        ("email", "VARCHAR"),
        ("role", "VARCHAR"),  # user | developer | billing | admin | claude_code_user
        ("added_at", "TIMESTAMP"),
    ),
    partitioned=False,
    partition_column=None,
)
