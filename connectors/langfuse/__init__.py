"""Langfuse source: a project's GENERATION observations from its public API (provider-apis.md section 7.3).

Request-level data: who called (userId, metadata team/feature, trace tags), which model, the usage Langfuse
recorded and its own cost figure; priced from the price book in fct_request_cost like every request log."""

from connectors.langfuse.client import HOST_ENV, PUBLIC_KEY_ENV, SECRET_KEY_ENV, LangfuseClient
from connectors.langfuse.tables import LANGFUSE_GENERATIONS
from connectors.source import Connection, Feed, Source

SOURCE = Source(
    name="langfuse",
    # provider-apis.md §7.3: "Other public API endpoints can delay data by about 10 minutes"
    freshness_lag_days=1,
    title="Langfuse public API",
    setting=Connection(
        (HOST_ENV, PUBLIC_KEY_ENV, SECRET_KEY_ENV),
        "a Langfuse project (its host, e.g. https://cloud.langfuse.com, and its pk-lf-/sk-lf- API key pair)",
    ),
    client=LangfuseClient,  # LangfuseClient(host, public key, secret key)
    feeds=(
        Feed(
            LANGFUSE_GENERATIONS,
            "Langfuse generations (GET /api/public/v2/observations?type=GENERATION), one row per generation, "
            "dated by its startTime: model, usage and cost details, user, session, trace tags, metadata.",
            fetch=lambda client, start, end: client.iter_generations(start, end),
        ),
    ),
    conformed=("request_lines",),
    emulator="emulator.plugins.langfuse",
)

__all__ = ["SOURCE", "LangfuseClient"]
