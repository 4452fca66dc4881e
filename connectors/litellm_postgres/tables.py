"""The budget counters of a LiteLLM proxy: one row per virtual key, team and internal user, as its Postgres
holds them now (``model LiteLLM_VerificationToken``, ``LiteLLM_TeamTable``, ``LiteLLM_UserTable`` in
BerriAI/litellm ``schema.prisma``).

``spend`` is the proxy's running counter (Prisma Float, USD) that it enforces ``max_budget`` against. With a
``budget_duration`` ("30s", "30m", "24h", "30d", "1mo") the proxy sets it back to 0 at ``budget_reset_at`` and
moves ``budget_reset_at`` one duration on, so the counter covers [budget_reset_at - duration, now); without a
duration it never resets (lifetime since ``created_at``). ``entity_id`` of a key is its HASHED token, never
the key. ``logged_spend_since`` is LiteLLM_SpendLogs' spend of the entity since UTC midnight (the part of the
window the daily spend-log feed has not landed yet). Nothing else of those tables is read (no passwords, no metadata blobs).
"""

from connectors.schema import RawTable

LITELLM_POSTGRES_BUDGET_COUNTERS = RawTable(
    source="litellm_postgres",
    endpoint="budget_counters",
    columns=(
        ("entity_type", "VARCHAR"),  # key | team | user
        ("entity_id", "VARCHAR"),  # key: the hashed token; team: team_id; user: user_id
        ("entity_alias", "VARCHAR"),  # key_alias (else key_name, the proxy's "sk-...abcd"), team_alias, user_alias
        ("team_id", "VARCHAR"),  # a key's team; a team's own id
        ("user_id", "VARCHAR"),  # a key's owner; a user's own id
        ("spend", "DECIMAL(38,10)"),  # USD, the float's shortest text read exactly
        ("max_budget", "DECIMAL(38,10)"),  # USD; null = no budget
        ("budget_duration", "VARCHAR"),  # "30d", "1mo", "24h", ...; null = lifetime
        ("budget_reset_at", "TIMESTAMP"),  # UTC, the next reset; null on proxies that predate it
        ("created_at", "TIMESTAMP"),  # UTC
        ("observed_at", "TIMESTAMP"),  # UTC, the database's clock when the counters were read
        # The spend logs land by completed UTC day; what the proxy logged for the entity in [logs_since,
        # observed_at) (since UTC midnight) is read with the counter so the audit can cover the whole window.
        ("logs_since", "TIMESTAMP"),
        ("logged_spend_since", "DECIMAL(38,10)"),  # USD; NULL when the spend logs cannot be grouped by the entity
    ),
    partitioned=False,
    partition_column=None,
    key=("entity_type", "entity_id"),
)
