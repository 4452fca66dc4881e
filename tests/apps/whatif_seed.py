"""Rows of mart_whatif_reprice for the What-if page tests, added to conftest.py's seeded serving copy.

Two scenarios (money in USD, '-' = NULL, i.e. unpriced under the scenario):

  scenario       month    provider   model            repriced as       actual  scenario  savings  caveats
  all-batch      2024-12  openai     gpt-4o           gpt-4o           100.00     50.00    50.00   (out of the default range)
  all-batch      2025-01  openai     gpt-4o           gpt-4o            10.00      5.00     5.00
  all-batch      2025-01  anthropic  claude-sonnet-4  claude-sonnet-4    8.00      4.40     3.60   1 rows unpriced
  all-batch      2025-02  openai     gpt-4o           gpt-4o            12.00      6.00     6.00
  all-batch      2025-02  anthropic  claude-sonnet-4  claude-sonnet-4   20.00     11.00     9.00
  todays-prices  2025-02  openai     gpt-4o           gpt-4o            12.00      9.00     3.00
  todays-prices  2025-02  anthropic  claude-sonnet-4  claude-sonnet-4   20.00        -        -    no price for ...

The default range 2025-01-16..2025-02-14 overlaps January and February (whole months):
  all-batch: January 18.00 / 9.40 / 8.60, February 32.00 / 17.00 / 15.00; total 50.00 / 26.40 / 23.60;
  at 50% moved 11.80 (January 4.30, February 7.50).
  todays-prices: actual 32.00, under the scenario and savings unpriced (one model-month has no price).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

D = Decimal
NO_PRICE = "no price for claude-sonnet-4 output_tokens at standard tier: counterfactual and savings left NULL"
CACHE_WRITES = "cache writes kept as used (a higher hit rate may need fewer)"

# fmt: off
# (scenario, month, provider, model_id, target, price_date_rule, batch_share, actual, counterfactual, unpriced
#  actual rows, caveats)
WHATIF = [
    ("all-batch", "2024-12-01", "openai", "gpt-4o", "gpt-4o", "usage_date", D(1), D("100"), D("50"), 0, None),
    ("all-batch", "2025-01-01", "openai", "gpt-4o", "gpt-4o", "usage_date", D(1), D("10"), D("5"), 0, None),
    ("all-batch", "2025-01-01", "anthropic", "claude-sonnet-4", "claude-sonnet-4", "usage_date", D(1), D("8"),
     D("4.40"), 1, "1 rows of actual usage unpriced, left out"),
    ("all-batch", "2025-02-01", "openai", "gpt-4o", "gpt-4o", "usage_date", D(1), D("12"), D("6"), 0, None),
    ("all-batch", "2025-02-01", "anthropic", "claude-sonnet-4", "claude-sonnet-4", "usage_date", D(1), D("20"),
     D("11"), 0, None),
    ("todays-prices", "2025-02-01", "openai", "gpt-4o", "gpt-4o", "today", None, D("12"), D("9"), 0, None),
    ("todays-prices", "2025-02-01", "anthropic", "claude-sonnet-4", "claude-sonnet-4", "today", None, D("20"),
     None, 0, NO_PRICE),
]
# fmt: on


def insert_whatif_rows(conn: duckdb.DuckDBPyConnection, rows: list) -> None:
    """Rows of mart_whatif_reprice (savings = actual - counterfactual, NULL with it, as the mart's tests hold)."""
    conn.executemany(
        "insert into marts.mart_whatif_reprice (scenario, scope, provider, model_id, target_model_id, "
        "price_date_rule, batch_share, actual_cost_usd, counterfactual_cost_usd, savings_usd, fallback_quantity, "
        "unpriced_quantity, unpriced_actual_rows, caveats, month, price_date) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        [
            [
                scenario,
                f"{provider}/{model}",
                provider,
                model,
                target,
                rule,
                batch_share,
                actual,
                counterfactual,
                None if counterfactual is None else actual - counterfactual,
                1000 if counterfactual is None else 0,
                unpriced_rows,
                caveats,
                date.fromisoformat(month),
                date(2025, 2, 15) if rule == "today" else None,
            ]
            for scenario, month, provider, model, target, rule, batch_share, actual, counterfactual, unpriced_rows, caveats in rows
        ],
    )


def add_whatif_rows(path: Path) -> Path:
    """Add ``WHATIF``."""
    with duckdb.connect(str(path)) as conn:
        insert_whatif_rows(conn, WHATIF)
    return path


def add_hostile_whatif_rows(path: Path, names: dict[str, str]) -> Path:
    """A scenario whose name, provider, model and caveat are Markdown (scenario names are validated in finops.yaml,
    but the app treats every name as data), in February."""
    caveat = f"no price for {names['model']} output_tokens at standard tier"
    with duckdb.connect(str(path)) as conn:
        insert_whatif_rows(
            conn,
            [
                (
                    names["scenario"],
                    "2025-02-01",
                    names["provider"],
                    names["model"],
                    names["model"],
                    "usage_date",
                    None,
                    D("2"),
                    D("1"),
                    0,
                    caveat,
                ),
                (
                    names["scenario"],
                    "2025-02-01",
                    names["provider"],
                    "gpt-other",
                    names["model"],
                    "usage_date",
                    None,
                    D("3"),
                    None,
                    0,
                    caveat,
                ),
            ],
        )
    return path
