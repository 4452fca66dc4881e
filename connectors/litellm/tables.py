"""LiteLLM proxy spend logs: the raw table, typed as LiteLLM's own schema declares ``LiteLLM_SpendLogs``.

Shape: ``model LiteLLM_SpendLogs`` in ``litellm/proxy/schema.prisma`` (BerriAI/litellm), and the payload that
fills it, ``SpendLogsPayload`` / ``SpendLogsMetadata`` in ``litellm/proxy/_types.py`` and
``get_logging_payload`` in ``litellm/proxy/spend_tracking/spend_tracking_utils.py`` (provider-apis.md §7.1).
Column names are LiteLLM's (mixed case: ``"startTime"``); Prisma ``Float`` money (``spend``, USD) lands as
DECIMAL, ``Int`` as BIGINT, ``DateTime`` (Postgres ``timestamp(3)`` holding UTC: the proxy converts with
``_ensure_datetime_utc``) as TIMESTAMP, ``Json`` as JSON.

Left out on purpose: the payload columns ``messages``, ``response`` and ``proxy_server_request`` (prompts and
completions, often disabled, large, and the place where a caller's headers or keys would sit). A file drop
still keeps them in ``_raw`` (the row as the file had it); the Postgres pull does not select them.
Columns a LiteLLM version lacks (older proxies have no ``session_id``, newer ones add ``agent_id``, ...) are
NULL.
"""

from connectors.schema import RawTable

SPEND_LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("request_id", "VARCHAR"),
    ("call_type", "VARCHAR"),
    ("api_key", "VARCHAR"),  # the HASHED virtual key (LiteLLM_VerificationToken.token), never the key itself
    ("spend", "DECIMAL(38,10)"),  # USD, LiteLLM's own cost figure
    ("total_tokens", "BIGINT"),
    ("prompt_tokens", "BIGINT"),
    ("completion_tokens", "BIGINT"),
    ("startTime", "TIMESTAMP"),
    ("endTime", "TIMESTAMP"),
    ("request_duration_ms", "BIGINT"),
    ("completionStartTime", "TIMESTAMP"),
    ("model", "VARCHAR"),
    ("model_id", "VARCHAR"),
    ("model_group", "VARCHAR"),
    ("custom_llm_provider", "VARCHAR"),
    ("api_base", "VARCHAR"),
    ("user", "VARCHAR"),  # metadata.user_api_key_user_id: the key owner's internal user id
    ("metadata", "JSON"),  # SpendLogsMetadata: key alias, team alias, spend_logs_metadata, usage_object, ...
    ("cache_hit", "VARCHAR"),
    ("cache_key", "VARCHAR"),
    ("request_tags", "JSON"),  # a JSON list of tag strings
    ("team_id", "VARCHAR"),
    ("organization_id", "VARCHAR"),
    ("end_user", "VARCHAR"),  # the request's `user` (the customer the calling application served)
    ("requester_ip_address", "VARCHAR"),
    ("session_id", "VARCHAR"),
    ("status", "VARCHAR"),  # success | failure
    ("mcp_namespaced_tool_name", "VARCHAR"),
    ("agent_id", "VARCHAR"),
    ("billing_agent_id", "VARCHAR"),
    ("litellm_call_id", "VARCHAR"),
    ("created_at", "TIMESTAMP"),
    ("updated_at", "TIMESTAMP"),
)

# The columns whose presence says "this is LiteLLM_SpendLogs" (in a CSV header or a Parquet schema).
SIGNATURE = ("request_id", "startTime", "spend", "model", "api_key", "call_type")


def spend_logs_table(source: str) -> RawTable:
    """The raw table ``raw.<source>_spend_logs``, its rows dated by ``startTime``'s UTC day."""
    return RawTable(
        source=source,
        endpoint="spend_logs",
        columns=SPEND_LOG_COLUMNS,
        partition_column="startTime",
        from_files=source == "litellm",
        key=("request_id",),
        # a request in two exported files (overlapping export windows) is kept once by fct_request_cost
        unique_per_file=source == "litellm",
        # the request's spend (USD, never a credit) and every Int column
        non_negative=("spend", *(name for name, sql_type in SPEND_LOG_COLUMNS if sql_type == "BIGINT")),
    )


LITELLM_SPEND_LOGS = spend_logs_table("litellm")
