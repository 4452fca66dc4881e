"""The raw tables of the OpenRouter source (its part of the landing contract, see connectors/schema.py).

Units (provider-apis.md section 6, from OpenRouter's OpenAPI spec): ``usage`` and ``byok_usage_inference``
are USD; ``/models`` prices are USD per unit (per token for ``prompt`` / ``completion``, per request, per
image, per web search), sent as decimal strings and landed exactly.
"""

from __future__ import annotations

from connectors.schema import BUCKET_COLUMNS, RawTable

OPENROUTER_ACTIVITY = RawTable(
    source="openrouter",
    endpoint="activity",
    columns=BUCKET_COLUMNS  # the row's UTC `date`, as [midnight, next midnight)
    + (
        ("model", "VARCHAR"),  # slug, e.g. openai/gpt-4.1 (the id of /models)
        ("model_permaslug", "VARCHAR"),  # dated, e.g. openai/gpt-4.1-2025-04-14
        ("endpoint_id", "VARCHAR"),
        ("provider_name", "VARCHAR"),  # who served it: OpenAI, Together, ...
        ("workspace_id", "VARCHAR"),  # only with group_by=workspace; null otherwise
        ("usage", "DECIMAL(38,18)"),  # USD of OpenRouter credits spent (incl. its fee on BYOK requests)
        ("byok_usage_inference", "DECIMAL(38,18)"),  # USD billed on the caller's own provider key (BYOK)
        ("requests", "BIGINT"),
        ("prompt_tokens", "BIGINT"),
        ("completion_tokens", "BIGINT"),
        ("reasoning_tokens", "BIGINT"),
    ),
    # OpenRouter documents one row per (date, model, endpoint[, workspace]) with `usage` and
    # `byok_usage_inference` side by side in it (provider-apis.md §6.1): no money column is part of the key.
    key=("bucket_start", "model", "endpoint_id", "workspace_id"),
    # USD spent: OpenRouter's activity reports spend, never credits (provider-apis.md §6.1)
    non_negative=(
        "usage",
        "byok_usage_inference",
        "requests",
        "prompt_tokens",
        "completion_tokens",
        "reasoning_tokens",
    ),
)

# The documented keys of /models `pricing` (PublicPricing), each landed as pricing_<key>.
PRICING_KEYS: tuple[str, ...] = (
    "prompt",
    "completion",
    "request",
    "image",
    "image_token",
    "image_output",
    "audio",
    "audio_output",
    "input_audio_cache",
    "input_cache_read",
    "input_cache_write",
    "input_cache_write_1h",
    "internal_reasoning",
    "web_search",
)

OPENROUTER_MODELS = RawTable(
    source="openrouter",
    endpoint="models",
    columns=(
        ("id", "VARCHAR"),  # the slug activity rows name
        ("canonical_slug", "VARCHAR"),
        ("name", "VARCHAR"),
        ("created", "TIMESTAMP"),  # unix seconds in the reply
        ("context_length", "BIGINT"),
        ("expiration_date", "VARCHAR"),
        *((f"pricing_{key}", "DECIMAL(38,18)") for key in PRICING_KEYS),
        ("pricing_discount", "DECIMAL(38,18)"),
    ),
    partitioned=False,
    partition_column=None,
    key=("id",),
)

OPENROUTER_CREDITS = RawTable(
    source="openrouter",
    endpoint="credits",
    columns=(
        ("total_credits", "DECIMAL(38,18)"),  # USD of credits ever bought
        ("total_usage", "DECIMAL(38,18)"),  # USD of credits ever used
    ),
    partitioned=False,
    partition_column=None,
    key=("total_credits", "total_usage"),  # one row: the account's balance
)
