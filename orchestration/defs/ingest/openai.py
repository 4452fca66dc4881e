import dagster as dg

from connectors.schema import OPENAI_COMPLETIONS_USAGE, OPENAI_COSTS, OPENAI_PROJECTS
from orchestration.defs.ingest.factory import build_ingest_asset


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[
            build_ingest_asset(
                OPENAI_COMPLETIONS_USAGE,
                "openai_admin",
                lambda client, start, end: client.iter_completions_usage(start, end),
                "OpenAI Usage API, completions: tokens per UTC day x project x API key x model x batch x service tier.",
            ),
            build_ingest_asset(
                OPENAI_COSTS,
                "openai_admin",
                lambda client, start, end: client.iter_costs(start, end),
                "OpenAI Costs API: dollars per UTC day x project x line item, as invoiced.",
            ),
            build_ingest_asset(
                OPENAI_PROJECTS,
                "openai_admin",
                lambda client, start, end: client.iter_projects(),
                "OpenAI projects (archived included): names for the project ids in usage and costs.",
            ),
        ]
    )
