import dagster as dg

from connectors.schema import ANTHROPIC_COST_REPORT, ANTHROPIC_MESSAGES_USAGE, ANTHROPIC_WORKSPACES
from orchestration.defs.ingest.factory import build_ingest_asset


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[
            build_ingest_asset(
                ANTHROPIC_MESSAGES_USAGE,
                "anthropic_admin",
                lambda client, start, end: client.iter_messages_usage(start, end),
                "Anthropic usage report (messages): tokens per UTC day x workspace x API key x model x "
                "service tier x context window; input buckets are disjoint.",
            ),
            build_ingest_asset(
                ANTHROPIC_COST_REPORT,
                "anthropic_admin",
                lambda client, start, end: client.iter_cost_report(start, end),
                "Anthropic cost report: cents per UTC day x workspace x description, as invoiced.",
            ),
            build_ingest_asset(
                ANTHROPIC_WORKSPACES,
                "anthropic_admin",
                lambda client, start, end: client.iter_workspaces(),
                "Anthropic workspaces (archived included); the default workspace has no id.",
            ),
        ]
    )
