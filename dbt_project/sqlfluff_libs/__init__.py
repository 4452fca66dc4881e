"""Stand-ins for dbt's context, for `sqlfluff lint` only (the jinja templater; dbt never reads this folder).

sqlfluff's dbt templater cannot be installed beside the pinned dbt-core and click, and the jinja templater
knows ref/source/config but not dbt's cross-database macros, adapter, exceptions or our var: these render
them as plain SQL so every model lints. Nothing here runs in the warehouse.
"""

from datetime import UTC, datetime

CONFORMED = {
    "usage_lines": ["stg_lint__usage_lines"],
    "billed_lines": ["stg_lint__billed_lines"],
    "accounts": ["stg_lint__accounts"],
    "api_keys": ["stg_lint__api_keys"],
    "users": ["stg_lint__users"],
    "request_lines": ["stg_lint__request_lines"],
    "price_lines": ["stg_lint__price_lines"],
}


def var(name, default=None):
    return CONFORMED if name == "finops_conformed" else default


# as in dbt's parse phase: a model that queries the warehouse while compiling lints its parse-time SQL
execute = False

# dbt's start time of the invocation (macro build_started_at renders it)
run_started_at = datetime(2026, 1, 1, tzinfo=UTC)
