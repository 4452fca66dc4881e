"""OpenAI Admin API source: completions and the other usage endpoints, costs, projects, API keys and users
(provider-apis.md section 1)."""

from connectors.openai.client import HINTS, OpenAIAdminClient
from connectors.openai.tables import (
    OPENAI_API_KEYS,
    OPENAI_COMPLETIONS_USAGE,
    OPENAI_COSTS,
    OPENAI_OTHER_USAGE,
    OPENAI_PROJECTS,
    OPENAI_USERS,
    OTHER_USAGE_ENDPOINTS,
)
from connectors.source import Feed, Source

SOURCE = Source(
    name="openai",
    # provider-apis.md §0 (cross-cutting advice): every provider documents a data lag of minutes to hours; a
    # complete UTC day is in the Usage and Costs APIs by the end of the next day
    freshness_lag_days=1,
    title="OpenAI Admin API",
    setting=HINTS,
    client=OpenAIAdminClient,
    feeds=(
        Feed(
            OPENAI_COMPLETIONS_USAGE,
            "OpenAI Usage API, completions: tokens per UTC day x project x API key x model x batch x service tier.",
            fetch=lambda client, start, end: client.iter_completions_usage(start, end),
        ),
        *(
            Feed(
                OPENAI_OTHER_USAGE[endpoint],
                f"OpenAI Usage API, {endpoint.replace('_', ' ')}: {' and '.join(metrics)} per UTC day x "
                f"{' x '.join(d.replace('_id', '').replace('_', ' ') for d in dims)}.",
                fetch=lambda client, start, end, endpoint=endpoint: client.iter_other_usage(endpoint, start, end),
            )
            for endpoint, (dims, metrics) in OTHER_USAGE_ENDPOINTS.items()
        ),
        Feed(
            OPENAI_COSTS,
            "OpenAI Costs API: dollars per UTC day x project x line item, as invoiced.",
            fetch=lambda client, start, end: client.iter_costs(start, end),
        ),
        Feed(
            OPENAI_PROJECTS,
            "OpenAI projects (archived included): names for the project ids in usage and costs.",
            fetch=lambda client, start, end: client.iter_projects(),
        ),
        Feed(
            OPENAI_API_KEYS,
            "OpenAI API keys of every project: names and owners for the api_key_ids in usage and costs.",
            fetch=lambda client, start, end: client.iter_api_keys(),
        ),
        Feed(
            OPENAI_USERS,
            "OpenAI organisation members: names and emails for the user ids of API key owners.",
            fetch=lambda client, start, end: client.iter_users(),
        ),
    ),
    conformed=("usage_lines", "billed_lines", "accounts", "api_keys", "users"),
    emulator="emulator.plugins.openai",
)

__all__ = ["SOURCE", "OpenAIAdminClient"]
