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
        ("speed", "VARCHAR"),  # 'standard' | 'fast' (fast mode); asked for with the fast-mode beta header
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
        ("speed", "VARCHAR"),  # with the fast-mode beta header; null when not grouped by it
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
    key=("id",),
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
    key=("id",),
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
    key=("id",),
)

ANTHROPIC_CLAUDE_CODE_USAGE = RawTable(
    source="anthropic",
    endpoint="claude_code_usage",
    # GET /v1/organizations/usage_report/claude_code (provider-apis.md §2.4), one row per record x model of its
    # model_breakdown; a record without models gives one row whose model columns are null. The record's own
    # fields repeat on each of its rows: (bucket_start, record_index) names the record, model_index the model.
    columns=BUCKET_COLUMNS  # the record's UTC `date` (YYYY-MM-DD, or RFC 3339 midnight), as [midnight, next)
    + (
        ("record_index", "BIGINT"),  # the record's position in the day's report (0-based, across pages)
        ("actor_type", "VARCHAR"),  # user_actor | api_actor
        ("actor_email_address", "VARCHAR"),  # actor.email_address (user_actor)
        ("actor_api_key_name", "VARCHAR"),  # actor.api_key_name (api_actor): a key's name, never the key
        ("organization_id", "VARCHAR"),
        ("customer_type", "VARCHAR"),  # api | subscription
        ("subscription_type", "VARCHAR"),  # enterprise | team | null
        ("terminal_type", "VARCHAR"),  # vscode, iTerm.app, tmux, ...
        ("is_remote", "BOOLEAN"),  # newest reports only (remote and local usage are separate records); else null
        ("num_sessions", "BIGINT"),  # core_metrics.num_sessions
        ("lines_of_code_added", "BIGINT"),  # core_metrics.lines_of_code.added
        ("lines_of_code_removed", "BIGINT"),  # core_metrics.lines_of_code.removed
        ("commits_by_claude_code", "BIGINT"),  # core_metrics.commits_by_claude_code
        ("pull_requests_by_claude_code", "BIGINT"),  # core_metrics.pull_requests_by_claude_code
        ("tool_actions", "JSON"),  # {<tool>: {accepted, rejected}} as sent, JSON text
        ("model_index", "BIGINT"),  # the model's position in model_breakdown; null when the record has none
        ("model", "VARCHAR"),  # model_breakdown[].model
        ("input_tokens", "BIGINT"),  # model_breakdown[].tokens.input
        ("output_tokens", "BIGINT"),  # model_breakdown[].tokens.output
        ("cache_read_tokens", "BIGINT"),  # model_breakdown[].tokens.cache_read
        ("cache_creation_tokens", "BIGINT"),  # model_breakdown[].tokens.cache_creation
        ("estimated_cost_cents", "DECIMAL(38,10)"),  # model_breakdown[].estimated_cost.amount: MINOR units (cents)
        ("estimated_cost_currency", "VARCHAR"),  # model_breakdown[].estimated_cost.currency ("USD")
    ),
    key=("bucket_start", "record_index", "model_index"),  # a record of the day, and a model of its breakdown
)
