"""The raw table of the plain JSONL request format (``finops.request.v1``, README "Request logs: the plain JSONL
format"). Columns are the format's fields, typed; two are renamed because they are SQL keywords:
``timestamp`` -> ``requested_at`` and ``user`` -> ``user_id``."""

from connectors.schema import RawTable

JSONL_REQUESTS = RawTable(
    source="jsonl_requests",
    endpoint="requests",
    columns=(
        ("request_id", "VARCHAR"),
        ("requested_at", "TIMESTAMP"),  # the line's `timestamp`, in UTC
        ("provider", "VARCHAR"),
        ("model", "VARCHAR"),
        ("service_tier", "VARCHAR"),
        ("status", "VARCHAR"),
        ("latency_ms", "BIGINT"),
        ("input_tokens", "BIGINT"),  # uncached input: the format's token counts are disjoint
        ("cache_read_tokens", "BIGINT"),
        ("cache_write_tokens", "BIGINT"),
        ("cache_write_1h_tokens", "BIGINT"),
        ("output_tokens", "BIGINT"),  # reasoning included
        ("reasoning_tokens", "BIGINT"),
        ("user_id", "VARCHAR"),  # the line's `user`
        ("team", "VARCHAR"),
        ("feature", "VARCHAR"),
        ("tags", "VARCHAR"),  # JSON object text, string -> string
        ("session_id", "VARCHAR"),
        ("cost_usd", "DECIMAL(38,10)"),
    ),
    partition_column="requested_at",
    from_files=True,
    key=("request_id",),
    unique_per_file=True,  # a request in two files is kept once by fct_request_cost
    non_negative=(
        "latency_ms",
        "input_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cache_write_1h_tokens",
        "output_tokens",
        "reasoning_tokens",
        "cost_usd",  # one request's cost: never a credit
    ),
)
