"""The raw table of Helicone request exports: the fields of Helicone's ``HeliconeRequest`` (Helicone/helicone
``packages/llm-mapper/types.ts``), as ``POST /v1/request/query-clickhouse`` returns them
(``valhalla/jawn/src/lib/stores/request/request.ts``), typed. Bodies are not kept.

Units, from Helicone's source:
* ``cost`` is USD: ClickHouse stores cost x ``COST_PRECISION_MULTIPLIER`` (1e9, ``packages/cost/costCalc.ts``)
  and the query returns ``cost / COST_PRECISION_MULTIPLIER as cost``. ``costUSD`` (optional, legacy) is USD too;
  it lands as ``cost_usd``.
* Token counts are DISJOINT as Helicone stores them: its OpenAI body processor stores ``prompt_tokens`` minus
  ``prompt_tokens_details.cached_tokens`` (and audio) with the cached part in ``prompt_cache_read_tokens``
  (``valhalla/jawn/src/lib/shared/bodyProcessors/openaiBodyProcessor.ts``); its Anthropic processor stores
  ``input_tokens`` (which excludes cache reads and writes) with ``cache_creation_input_tokens`` /
  ``cache_read_input_tokens`` apart (``anthropicBodyProcessor.ts``); and its cost function prices
  ``promptTokens`` as "the fresh, uncached tokens" plus each cache bucket on its own (``packages/cost/index.ts``
  ``costOfPrompt``).
"""

from connectors.schema import RawTable

# (column, its key in the export, DuckDB type)
HELICONE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("request_id", "request_id", "VARCHAR"),
    ("request_created_at", "request_created_at", "TIMESTAMP"),
    ("request_path", "request_path", "VARCHAR"),
    ("request_user_id", "request_user_id", "VARCHAR"),
    ("request_properties", "request_properties", "VARCHAR"),  # JSON object text: Helicone-Property-* headers
    ("request_model", "request_model", "VARCHAR"),
    ("model_override", "model_override", "VARCHAR"),
    ("model", "model", "VARCHAR"),
    ("response_model", "response_model", "VARCHAR"),
    ("helicone_user", "helicone_user", "VARCHAR"),
    ("provider", "provider", "VARCHAR"),
    ("response_id", "response_id", "VARCHAR"),
    ("response_created_at", "response_created_at", "TIMESTAMP"),
    ("response_status", "response_status", "BIGINT"),
    ("delay_ms", "delay_ms", "BIGINT"),
    ("time_to_first_token", "time_to_first_token", "BIGINT"),
    ("total_tokens", "total_tokens", "BIGINT"),
    ("prompt_tokens", "prompt_tokens", "BIGINT"),
    ("prompt_cache_write_tokens", "prompt_cache_write_tokens", "BIGINT"),
    ("prompt_cache_read_tokens", "prompt_cache_read_tokens", "BIGINT"),
    ("completion_tokens", "completion_tokens", "BIGINT"),
    ("prompt_audio_tokens", "prompt_audio_tokens", "BIGINT"),
    ("completion_audio_tokens", "completion_audio_tokens", "BIGINT"),
    ("reasoning_tokens", "reasoning_tokens", "BIGINT"),  # in the docs' example reply; absent from older exports
    ("cost", "cost", "DECIMAL(38,10)"),
    ("cost_usd", "costUSD", "DECIMAL(38,10)"),
    ("country_code", "country_code", "VARCHAR"),
    ("cache_enabled", "cache_enabled", "BOOLEAN"),
    ("cache_reference_id", "cache_reference_id", "VARCHAR"),
    ("target_url", "target_url", "VARCHAR"),
    ("prompt_id", "prompt_id", "VARCHAR"),
    ("prompt_version", "prompt_version", "VARCHAR"),
)

HELICONE_REQUESTS = RawTable(
    source="helicone",
    endpoint="requests",
    columns=tuple((name, sql_type) for name, _, sql_type in HELICONE_FIELDS),
    partition_column="request_created_at",
    from_files=True,
    key=("request_id",),
    unique_per_file=True,  # a request in two files is kept once by fct_request_cost
    # token counts and the request's cost (Helicone prices requests, it never credits them); not delay_ms or
    # time_to_first_token, which the export may fill with a sentinel
    non_negative=(
        "total_tokens",
        "prompt_tokens",
        "prompt_cache_write_tokens",
        "prompt_cache_read_tokens",
        "completion_tokens",
        "prompt_audio_tokens",
        "completion_audio_tokens",
        "reasoning_tokens",
        "cost",
        "cost_usd",
    ),
)
