"""LiteLLM proxy spend logs from files: CSV or Parquet exports of ``LiteLLM_SpendLogs`` dropped in
FINOPS_REQUEST_LOGS (provider-apis.md §7.1). The same table read straight from the proxy's Postgres is the
source ``litellm_postgres``."""

from connectors.litellm.spend_logs import WHAT, claims, read_spend_logs
from connectors.litellm.tables import LITELLM_SPEND_LOGS
from connectors.source import Feed, FileDrop, Source

SOURCE = Source(
    name="litellm",
    title="LiteLLM spend logs (files)",
    setting=FileDrop("FINOPS_REQUEST_LOGS", WHAT, claims=claims),
    feeds=(
        Feed(
            LITELLM_SPEND_LOGS,
            "LiteLLM proxy spend logs (LiteLLM_SpendLogs exports): one row per request through the proxy.",
            read=read_spend_logs,
        ),
    ),
    conformed=("request_lines",),
    emulator="emulator.plugins.litellm",
)

__all__ = ["SOURCE", "claims", "read_spend_logs"]
