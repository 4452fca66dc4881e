"""Rows for the TCO page tests, added to conftest.py's seeded serving copy: token usage (fct_usage_cost_daily) and
the TCO defaults (dim_tco_defaults, created from its dbt contract, which conftest's copy does not serve).

Token usage (usage types *_tokens, list price per 1M tokens; effective = list x 0.9 for gpt-4.1, = list otherwise):

  day         provider   model            usage type          tokens     list   effective
  2025-01-10  openai     gpt-4.1          output_tokens    1,000,000     8.00        7.20   (before the default range)
  2025-02-11  openai     gpt-4.1          input_tokens     3,000,000     6.00        5.40
  2025-02-11  openai     gpt-4.1          output_tokens      600,000     4.80        4.32
  2025-02-12  anthropic  claude-sonnet-4  cache_read_tokens 2,000,000    0.60        0.60
  2025-02-12  anthropic  claude-sonnet-4  input_tokens       400,000     1.20        1.20
  2025-02-12  anthropic  claude-sonnet-4  output_tokens      120,000     1.80        1.80
  2025-02-12  openai     gpt-mystery      output_tokens        7,200     (unpriced)

In the default range 2025-01-16..2025-02-14 (30 days): output 720,000, input 5,400,000, list 14.40, effective 13.32;
as a 730-hour month (x 730 / 720): output 730,000, input 5,475,000, list 14.60, effective 13.505; 7,200 tokens
unpriced. The base rows of conftest.py ('input' / 'output') are not token usage types: not in the mix.

Defaults: A100 SXM 80GB at $2.00 and H100 SXM 80GB at $4.00 per GPU-hour; throughput A100 8B 100 tokens/s on one
GPU, A100 70B 40 tokens/s on two, H100 8B 250 tokens/s on one; 730 hours, utilisation 0.5, peak factor 2,
engineering 10 h x $50, monitoring $10 per node.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "dbt_project" / "models" / "marts" / "_mart_tco_defaults.yml"
SEED = ROOT / "pricing_seeds" / "tco_defaults.csv"

# (day, provider, model, usage type, tokens, list price per 1M or None, effective share of list)
TOKENS = [
    ("2025-01-10", "openai", "gpt-4.1", "output_tokens", 1_000_000, D("8.00"), D("0.9")),
    ("2025-02-11", "openai", "gpt-4.1", "input_tokens", 3_000_000, D("2.00"), D("0.9")),
    ("2025-02-11", "openai", "gpt-4.1", "output_tokens", 600_000, D("8.00"), D("0.9")),
    ("2025-02-12", "anthropic", "claude-sonnet-4", "cache_read_tokens", 2_000_000, D("0.30"), D(1)),
    ("2025-02-12", "anthropic", "claude-sonnet-4", "input_tokens", 400_000, D("3.00"), D(1)),
    ("2025-02-12", "anthropic", "claude-sonnet-4", "output_tokens", 120_000, D("15.00"), D(1)),
    ("2025-02-12", "openai", "gpt-mystery", "output_tokens", 7_200, None, D(1)),
]

# (option_id, kind, gpu, offer, size_class, gpus_per_node, setting, value, unit, source_url, confidence)
DEFAULTS = [
    ("a100-test", "gpu_price", "A100 SXM 80GB", "Test cloud A", None, None, None, D("2.00"), "usd_per_gpu_hour",
     "https://example.test/a", "B"),
    ("h100-test", "gpu_price", "H100 SXM 80GB", "Test cloud H", None, None, None, D("4.00"), "usd_per_gpu_hour",
     "https://example.test/h", "C"),
    ("a100-8b", "throughput", "A100 SXM 80GB", None, "8B", 1, None, D(100), "output_tokens_per_second_per_node",
     "https://example.test/t", "A"),
    ("a100-70b", "throughput", "A100 SXM 80GB", None, "70B", 2, None, D(40), "output_tokens_per_second_per_node",
     "https://example.test/t", "A"),
    ("h100-8b", "throughput", "H100 SXM 80GB", None, "8B", 1, None, D(250), "output_tokens_per_second_per_node",
     "https://example.test/t", "A"),
    ("hours_per_month", "setting", None, None, None, None, "hours_per_month", D(730), "hours", None, "assumption"),
    ("utilisation", "setting", None, None, None, None, "utilisation", D("0.5"), "share", None, "assumption"),
    ("peak_factor", "setting", None, None, None, None, "peak_factor", D(2), "ratio", None, "assumption"),
    ("engineering_hours_per_month", "setting", None, None, None, None, "engineering_hours_per_month", D(10), "hours",
     None, "assumption"),
    ("engineering_rate_usd_per_hour", "setting", None, None, None, None, "engineering_rate_usd_per_hour", D(50),
     "usd_per_hour", "https://example.test/r", "C"),
    ("monitoring_usd_per_node_month", "setting", None, None, None, None, "monitoring_usd_per_node_month", D(10),
     "usd_per_node_month", "https://example.test/m", "C"),
]  # fmt: skip


def create_defaults_table(conn: duckdb.DuckDBPyConnection) -> None:
    """``marts.dim_tco_defaults`` as its dbt contract declares it."""
    (model,) = yaml.safe_load(CONTRACT.read_text())["models"]
    columns = ", ".join(f"{c['name']} {c['data_type']}" for c in model["columns"])
    conn.execute(f"create table marts.{model['name']} ({columns})")


def insert_defaults(conn: duckdb.DuckDBPyConnection, rows: list) -> None:
    conn.executemany(
        "insert into marts.dim_tco_defaults (option_id, kind, gpu, offer, size_class, gpus_per_node, setting, "
        "default_value, unit, source_url, confidence, as_of, notes) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test')",
        [[*row, date(2026, 12, 2)] for row in rows],
    )


def insert_published_seed(path: Path) -> Path:
    """Replace the test defaults with the rows of pricing_seeds/tco_defaults.csv, as dim_tco_defaults publishes them
    (empty cells NULL, value -> default_value)."""
    with duckdb.connect(str(path)) as conn:
        conn.execute("delete from marts.dim_tco_defaults")
        conn.execute(
            "insert into marts.dim_tco_defaults (option_id, kind, gpu, offer, size_class, reference_model, setting, "
            "unit, serving_stack, source_url, confidence, notes, gpus_per_node, default_value, as_of) "
            "select option_id, kind, gpu, offer, size_class, reference_model, setting, unit, serving_stack, "
            "source_url, confidence, notes, gpus_per_node, value, as_of "
            "from read_csv(?, header = true, all_varchar = true)",
            [str(SEED)],
        )
    return path


def add_tco_rows(path: Path, *, defaults: bool = True) -> Path:
    """Add ``TOKENS`` and (unless ``defaults`` is false) the ``dim_tco_defaults`` table with ``DEFAULTS``."""
    with duckdb.connect(str(path)) as conn:
        conn.executemany(
            "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, api_key_id, model_raw, "
            "model_id, service_tier, context_tier, inference_geo, usage_type, unit, quantity, unit_price_usd, "
            "list_cost_usd, contracted_cost_usd, effective_cost_usd, is_priced) "
            "values (?, ?, 'acct_tco', 'key_tco', ?, ?, 'standard', 'all', 'global', ?, 'per_1m_tokens', ?, ?, ?, ?, ?, ?)",
            [
                [date.fromisoformat(day), provider, model, None if price is None else model, usage_type, tokens, price]
                + [None if price is None else tokens * price / 1_000_000] * 2
                + [None if price is None else tokens * price / 1_000_000 * share, price is not None]
                for day, provider, model, usage_type, tokens, price, share in TOKENS
            ],
        )
        if defaults:
            create_defaults_table(conn)
            insert_defaults(conn, DEFAULTS)
    return path
