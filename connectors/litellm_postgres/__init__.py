"""LiteLLM proxy spend logs read straight from the proxy's Postgres (FINOPS_LITELLM_DSN), by UTC day of
``startTime``. The same table exported to files is the source ``litellm``; both share the typing and the
staging SQL (dbt_project/macros/litellm.sql). The proxy's own budget counters (keys, teams, users) are a second
feed, a snapshot replaced whole at every load, audited against the logs by mart_gateway_budget_audit."""

from connectors.litellm.tables import spend_logs_table
from connectors.litellm_postgres.client import LiteLLMPostgresClient, redact
from connectors.litellm_postgres.tables import LITELLM_POSTGRES_BUDGET_COUNTERS
from connectors.source import Connection, Feed, Source

LITELLM_POSTGRES_SPEND_LOGS = spend_logs_table("litellm_postgres")

SOURCE = Source(
    name="litellm_postgres",
    title="LiteLLM spend logs (Postgres)",
    setting=Connection(
        ("FINOPS_LITELLM_DSN",), "a LiteLLM proxy's Postgres (postgresql://user:password@host:5432/litellm)"
    ),
    client=LiteLLMPostgresClient,
    feeds=(
        Feed(
            LITELLM_POSTGRES_SPEND_LOGS,
            "LiteLLM proxy spend logs (LiteLLM_SpendLogs, read with COPY): one row per request, by UTC day.",
            fetch=lambda client, start, end: client.spend_logs(start, end),
        ),
        Feed(
            LITELLM_POSTGRES_BUDGET_COUNTERS,
            "LiteLLM proxy budget counters now (spend and max_budget of every key, team and user, with the window "
            "each counter covers), replaced whole at every load.",
            fetch=lambda client, start, end: client.budget_counters(),
        ),
    ),
    conformed=("request_lines",),
)

__all__ = ["SOURCE", "LiteLLMPostgresClient", "redact"]
