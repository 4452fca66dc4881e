"""OpenRouter source: daily activity (the last 30 completed UTC days only), the model list with its prices
(snapshotted every run into price history), and the credit balance (provider-apis.md section 6)."""

from connectors.openrouter.client import HINTS, HISTORY_DAYS, OpenRouterClient
from connectors.openrouter.tables import OPENROUTER_ACTIVITY, OPENROUTER_CREDITS, OPENROUTER_MODELS
from connectors.source import Feed, Source

# The upstream providers OpenRouter routes bring-your-own-key (BYOK) requests to, by the activity's
# `provider_name`, as the warehouse names them in its marts. A BYOK request runs on the caller's own key with
# that provider, which bills it there; finops.yaml `openrouter.byok_billed_by_upstream` lists those whose own
# billing this warehouse also loads, so that OpenRouter's `byok_usage_inference` is not counted a second time.
BYOK_UPSTREAM_PROVIDERS: dict[str, str] = {
    "OpenAI": "openai",
    "Anthropic": "anthropic",
    "Google Vertex": "google_vertex",
    "Google AI Studio": "google",
    "Amazon Bedrock": "aws_bedrock",
    "Azure": "azure_openai",
    "Mistral": "mistral",
    "xAI": "xai",
    "DeepSeek": "deepseek",
    "Cohere": "cohere",
}

SOURCE = Source(
    name="openrouter",
    # provider-apis.md §6.1: activity is reported per completed UTC day
    freshness_lag_days=1,
    title="OpenRouter",
    setting=HINTS,
    client=OpenRouterClient,
    feeds=(
        Feed(
            OPENROUTER_ACTIVITY,
            "OpenRouter activity: requests, tokens and USD spent per UTC day x model x provider endpoint; credits "
            "spent and bring-your-own-key spend apart.",
            fetch=lambda client, start, end: client.iter_activity(start, end),
        ),
        Feed(
            OPENROUTER_MODELS,
            "OpenRouter models and their prices now (USD per token, request, image, search); a dbt snapshot keeps "
            "every price change.",
            fetch=lambda client, start, end: client.iter_models(),
        ),
        Feed(
            OPENROUTER_CREDITS,
            "OpenRouter credits bought and used (USD) now; a dbt snapshot keeps the balance over time.",
            fetch=lambda client, start, end: client.iter_credits(),
        ),
    ),
    conformed=("usage_lines", "billed_lines", "price_lines"),
    emulator="emulator.plugins.openrouter",
    # A daily run re-pulls every day the API still has, so a schedule that runs at least once in 30 days
    # leaves no gap.
    revision_days=HISTORY_DAYS,
    history_days=HISTORY_DAYS,
)

__all__ = ["SOURCE", "OpenRouterClient"]
