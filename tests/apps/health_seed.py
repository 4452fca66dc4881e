"""Rows of ``marts.quality_results`` for the Data health page tests, added to conftest.py's seeded serving copy.

The table as the quality gate writes it (orchestration/quality/results.py) and publish carries it into the serving
copy: one row per check x scope per run, append-only. Two runs, written by hand:

run-a, 2025-02-14 06:00 (blocked: two blocking failures), partitions 02-12 and 02-13
  raw   openai/completions_usage      unique_natural_key    error    02-12 passed (100 rows), 02-13 FAILED (2 of 120)
  raw   anthropic/messages_usage      no_negative_quantity  error    02-12 passed, 02-13 passed
  raw   anthropic/cost_report         unique_natural_key    error    02-12 FAILED (1 of 40)
  raw   openai/completions_usage      freshness             warning  whole table passed
  raw   anthropic/messages_usage      freshness             warning  whole table passed
  mart  marts/fct_usage_cost_daily    usage_has_price       warning  02-12 FAILED (1 of 3), 02-13 passed
  -> 6 checks: 3 passed, 1 warning, 2 blocking

run-b, 2025-02-15 05:50 (published with warnings), partitions 02-13 and 02-14
  raw   openai/completions_usage      unique_natural_key    error    02-13 passed (118), 02-14 passed (110)
  raw   anthropic/messages_usage      no_negative_quantity  error    02-13 passed (55), 02-14 passed (60)
  raw   openai/completions_usage      volume                warning  02-13 passed, 02-14 FAILED (1,204 vs 115)
  raw   openai/completions_usage      freshness             warning  whole table FAILED (1 day late)
  raw   anthropic/messages_usage      freshness             warning  whole table passed
  mart  marts/fct_usage_cost_daily    usage_has_price       warning  02-13..02-14 (one window) FAILED (2 of 7)
  mart  marts/fct_usage_cost_daily    unique_natural_key    error    whole table passed (9 rows)
  raw   litellm/spend_logs            unique_natural_key    error    02-14 passed (30); litellm is not a provider
  -> 8 checks: 5 passed, 3 warnings, 0 blocking

``add_blocked_run`` adds run-c (2025-02-16 05:50): openai unique_natural_key FAILED on 02-14 (3 of 110).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

COLUMNS = (
    "checked_at timestamp, run_id varchar, layer varchar, asset varchar, check_name varchar, severity varchar, "
    "status varchar, partition_start date, partition_end date, rows_checked bigint, unexpected_count bigint, "
    "observed_value varchar, sample varchar, description varchar"
)
OPENAI = "openai/completions_usage"
ANTHROPIC = "anthropic/messages_usage"
COST_REPORT = "anthropic/cost_report"
USAGE_MART = "marts/fct_usage_cost_daily"
LITELLM = "litellm/spend_logs"
DUPLICATE_SAMPLE = '[{"bucket_start": "2025-02-13", "model": "gpt-4o", "project_id": "proj_a"}]'

# fmt: off
# (checked_at, run_id, layer, asset, check_name, severity, status, partition_start, partition_end, rows_checked,
#  unexpected_count, observed_value, sample)
RESULTS = [
    ("2025-02-14 06:00:01", "run-a", "raw", OPENAI, "unique_natural_key", "error", "passed", "2025-02-12", "2025-02-13", 100, 0, "0 duplicate keys", "[]"),
    ("2025-02-14 06:00:02", "run-a", "raw", OPENAI, "unique_natural_key", "error", "failed", "2025-02-13", "2025-02-14", 120, 2, "2 duplicate keys", DUPLICATE_SAMPLE),
    ("2025-02-14 06:00:03", "run-a", "raw", ANTHROPIC, "no_negative_quantity", "error", "passed", "2025-02-12", "2025-02-13", 50, 0, "0 negative", "[]"),
    ("2025-02-14 06:00:04", "run-a", "raw", ANTHROPIC, "no_negative_quantity", "error", "passed", "2025-02-13", "2025-02-14", 55, 0, "0 negative", "[]"),
    ("2025-02-14 06:00:05", "run-a", "raw", COST_REPORT, "unique_natural_key", "error", "failed", "2025-02-12", "2025-02-13", 40, 1, "1 duplicate key", '[{"line_item_id": "li_7"}]'),
    ("2025-02-14 06:00:06", "run-a", "raw", OPENAI, "freshness", "warning", "passed", None, None, None, None, "newest day 2025-02-13, on time", None),
    ("2025-02-14 06:00:07", "run-a", "raw", ANTHROPIC, "freshness", "warning", "passed", None, None, None, None, "newest day 2025-02-13, on time", None),
    ("2025-02-14 06:00:08", "run-a", "mart", USAGE_MART, "usage_has_price", "warning", "failed", "2025-02-12", "2025-02-13", 3, 1, "1 unpriced row", '["claude-mystery-9"]'),
    ("2025-02-14 06:00:09", "run-a", "mart", USAGE_MART, "usage_has_price", "warning", "passed", "2025-02-13", "2025-02-14", 4, 0, "0 unpriced rows", "[]"),
    ("2025-02-15 05:50:01", "run-b", "raw", OPENAI, "unique_natural_key", "error", "passed", "2025-02-13", "2025-02-14", 118, 0, "0 duplicate keys", "[]"),
    ("2025-02-15 05:50:02", "run-b", "raw", OPENAI, "unique_natural_key", "error", "passed", "2025-02-14", "2025-02-15", 110, 0, "0 duplicate keys", "[]"),
    ("2025-02-15 05:50:03", "run-b", "raw", ANTHROPIC, "no_negative_quantity", "error", "passed", "2025-02-13", "2025-02-14", 55, 0, "0 negative", "[]"),
    ("2025-02-15 05:50:04", "run-b", "raw", ANTHROPIC, "no_negative_quantity", "error", "passed", "2025-02-14", "2025-02-15", 60, 0, "0 negative", "[]"),
    ("2025-02-15 05:50:05", "run-b", "raw", OPENAI, "volume", "warning", "passed", "2025-02-13", "2025-02-14", 118, None, "118 rows vs median 115", None),
    ("2025-02-15 05:50:06", "run-b", "raw", OPENAI, "volume", "warning", "failed", "2025-02-14", "2025-02-15", 1204, None, "1,204 rows vs median 115", None),
    ("2025-02-15 05:50:07", "run-b", "raw", OPENAI, "freshness", "warning", "failed", None, None, None, None, "newest day 2025-02-13, 1 day late", None),
    ("2025-02-15 05:50:08", "run-b", "raw", ANTHROPIC, "freshness", "warning", "passed", None, None, None, None, "newest day 2025-02-14, on time", None),
    ("2025-02-15 05:50:09", "run-b", "mart", USAGE_MART, "usage_has_price", "warning", "failed", "2025-02-13", "2025-02-15", 7, 2, "2 unpriced rows", '["claude-mystery-9", "ft:gpt-4o"]'),
    ("2025-02-15 05:50:10", "run-b", "mart", USAGE_MART, "unique_natural_key", "error", "passed", None, None, 9, 0, "0 duplicate keys", "[]"),
    ("2025-02-15 05:50:11", "run-b", "raw", LITELLM, "unique_natural_key", "error", "passed", "2025-02-14", "2025-02-15", 30, 0, "0 duplicate keys", "[]"),
]
BLOCKED_RUN = [
    ("2025-02-16 05:50:01", "run-c", "raw", OPENAI, "unique_natural_key", "error", "failed", "2025-02-14", "2025-02-15", 110, 3, "3 duplicate keys", DUPLICATE_SAMPLE),
]
# fmt: on


def create_table(path: Path) -> Path:
    """An empty ``marts.quality_results`` in the serving copy at ``path``."""
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"create table marts.quality_results ({COLUMNS})")
    return path


def insert_results(path: Path, rows: list[tuple]) -> Path:
    """Append ``rows`` (``RESULTS``' shape) to ``marts.quality_results``; the description names the check."""
    with duckdb.connect(str(path)) as conn:
        conn.executemany(
            "insert into marts.quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    datetime.fromisoformat(row[0]),
                    *row[1:7],
                    row[7] and date.fromisoformat(row[7]),
                    row[8] and date.fromisoformat(row[8]),
                    *row[9:],
                    f"{row[4]} on {row[3]}",
                ]
                for row in rows
            ],
        )
    return path


def add_quality_results(path: Path) -> Path:
    """The table with ``RESULTS``; publish_info names run-b, the run that published."""
    insert_results(create_table(path), RESULTS)
    with duckdb.connect(str(path)) as conn:
        conn.execute("update marts.publish_info set run_id = 'run-b', quality_warnings = 3")
    return path


def add_hostile_quality_results(path: Path, names: dict[str, str]) -> Path:
    """``RESULTS`` and a newer run whose asset (of the hostile provider's source), check, observed value, sample,
    description and run id are Markdown, failing a warning check on 2025-02-14 (the default range's last day)."""
    add_quality_results(path)
    provider, model = names["provider"], names["model"]
    row = ("2025-02-16 05:50:00", f"run {model}", "raw", f"{provider}/usage", f"check {model}", "warning", "failed",
           "2025-02-14", "2025-02-15", 5, 1, f"observed {model}", f'["{model}"]')  # fmt: skip
    insert_results(path, [row])
    with duckdb.connect(str(path)) as conn:
        conn.execute("update marts.quality_results set description = ? where run_id = ?", [f"about {model}", row[1]])
    return path


# ``marts.quarantine`` as the loader writes it (orchestration/quality/quarantine.py): two rows in the default range
# (openai on 02-14, anthropic on 02-13) and one before it (openai on 2025-01-10).
QUARANTINE_COLUMNS = (
    "landed_at timestamp, run_id varchar, raw_table varchar, asset varchar, source varchar, window_start date, "
    "window_end date, file varchar, partition_date date, natural_key varchar, reason varchar, row_json varchar"
)
# fmt: off
QUARANTINED = [
    ("2025-02-15 05:49:00", "run-b", "raw.openai_completions_usage", OPENAI, f"{OPENAI} 2025-02-13..2025-02-14", "2025-02-13", "2025-02-15", None, "2025-02-14", '{"model": "gpt-4o", "project_id": "proj_a"}', "output_tokens is negative (-642)", '{"model": "gpt-4o", "output_tokens": -642}'),
    ("2025-02-15 05:49:01", "run-b", "raw.anthropic_messages_usage", ANTHROPIC, f"{ANTHROPIC} 2025-02-13..2025-02-14", "2025-02-13", "2025-02-15", None, "2025-02-13", '{"model": "claude-x"}', "output_tokens is negative (-5)", '{"model": "claude-x", "output_tokens": -5}'),
    ("2025-01-11 05:49:00", "run-0", "raw.openai_completions_usage", OPENAI, f"{OPENAI} 2025-01-10..2025-01-10", "2025-01-10", "2025-01-11", None, "2025-01-10", '{"model": "gpt-4o"}', "input_tokens is negative (-1)", '{"model": "gpt-4o", "input_tokens": -1}'),
]
# fmt: on


def add_quarantine(path: Path) -> Path:
    """``marts.quarantine`` with ``QUARANTINED``."""
    with duckdb.connect(str(path)) as conn:
        conn.execute(f"create table marts.quarantine ({QUARANTINE_COLUMNS})")
        conn.executemany(
            "insert into marts.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    datetime.fromisoformat(r[0]),
                    *r[1:5],
                    *(date.fromisoformat(d) for d in r[5:7]),
                    r[7],
                    date.fromisoformat(r[8]),
                    *r[9:],
                ]  # fmt: skip
                for r in QUARANTINED
            ],
        )
    return path
