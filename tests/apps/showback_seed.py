"""Rows of the allocation, showback and unit-economics marts for the Showback and Chargeback page tests, added to
conftest.py's seeded serving copy (whose ledger they split: the same days, accounts, models and list costs).

finops.yaml as these rows assume it: team search (cost center CC-100) owns openai proj_a (direct, feature
answers; gpt-4o-mini under feature rerank); anthropic wrkspc_1 is shared: proportionally to the requests
(support/triage, and search/answers for claude-haiku-4-5), evenly to research (no cost center), and on
2025-02-10 4.001 that no rule covers stays unallocated. The two unpriced ledger rows are unallocated, cost NULL.

fct_allocated_cost_daily
  day         team           feature  provider   model              method        cost
  2025-01-05  search         answers  openai     gpt-4o             direct        10.000
  2025-01-10  support        triage   anthropic  claude-sonnet-4    proportional   7.500
  2025-01-20  search         answers  openai     gpt-4o             direct         4.125
  2025-02-03  search         answers  openai     gpt-4o             direct        12.340
  2025-02-03  search         rerank   openai     gpt-4o-mini        direct         0.015
  2025-02-05  (unallocated)  (none)   openai     ft:gpt-4o-...      unallocated   NULL (unpriced)
  2025-02-10  support        triage   anthropic  claude-sonnet-4    proportional  12.003
  2025-02-10  research       (none)   anthropic  claude-sonnet-4    even           4.001
  2025-02-10  (unallocated)  (none)   anthropic  claude-sonnet-4    unallocated    4.001
  2025-02-12  (unallocated)  (none)   anthropic  claude-mystery-9   unallocated   NULL (unpriced)
  2025-02-14  search         answers  anthropic  claude-haiku-4-5   proportional   3.200

mart_allocation_coverage_daily: the same per day and provider (ledger = the day's priced list cost).
mart_showback_monthly: the same per month, team, cost center, provider and model (January 21.625, February
35.56 in 6 priced lines plus 2 unpriced rows). mart_unit_economics_monthly: UNIT_ECONOMICS, worked out there.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

D = Decimal
FT = "ft:gpt-4o-2024-08-06:acme::abc123"
UNPRICED = "usage without a price"

# fmt: off
# (day, team, feature, provider, account, model, rule, cost center, method, note, cost)
ALLOCATED = [
    ("2025-01-05", "search", "answers", "openai", "proj_a", "gpt-4o", "owners[0]", "CC-100", "direct", None, D("10.000")),
    ("2025-01-10", "support", "triage", "anthropic", "wrkspc_1", "claude-sonnet-4", "shared[0]", "CC-200", "proportional", None, D("7.500")),
    ("2025-01-20", "search", "answers", "openai", "proj_a", "gpt-4o", "owners[0]", "CC-100", "direct", None, D("4.125")),
    ("2025-02-03", "search", "answers", "openai", "proj_a", "gpt-4o", "owners[0]", "CC-100", "direct", None, D("12.340")),
    ("2025-02-03", "search", "rerank", "openai", "proj_a", "gpt-4o-mini", "owners[0]", "CC-100", "direct", None, D("0.015")),
    ("2025-02-05", "(unallocated)", "(none)", "openai", "proj_a", FT, "(none)", None, "unallocated", UNPRICED, None),
    ("2025-02-10", "support", "triage", "anthropic", "wrkspc_1", "claude-sonnet-4", "shared[0]", "CC-200", "proportional", None, D("12.003")),
    ("2025-02-10", "research", "(none)", "anthropic", "wrkspc_1", "claude-sonnet-4", "shared[1]", None, "even", None, D("4.001")),
    ("2025-02-10", "(unallocated)", "(none)", "anthropic", "wrkspc_1", "claude-sonnet-4", "(none)", None, "unallocated", "no rule covers it", D("4.001")),
    ("2025-02-12", "(unallocated)", "(none)", "anthropic", "wrkspc_1", "claude-mystery-9", "(none)", None, "unallocated", UNPRICED, None),
    ("2025-02-14", "search", "answers", "anthropic", "wrkspc_1", "claude-haiku-4-5", "shared[0]", "CC-100", "proportional", None, D("3.200")),
]

# (day, provider, ledger, direct, proportional, even, fixed_share, unallocated, tag coverage, allocated share)
COVERAGE = [
    ("2025-01-05", "openai", D("10"), D("10"), D("0"), D("0"), D("0"), D("0"), D("0"), D("1")),
    ("2025-01-10", "anthropic", D("7.5"), D("0"), D("7.5"), D("0"), D("0"), D("0"), D("1"), D("1")),
    ("2025-01-20", "openai", D("4.125"), D("4.125"), D("0"), D("0"), D("0"), D("0"), D("0"), D("1")),
    ("2025-02-03", "openai", D("12.355"), D("12.355"), D("0"), D("0"), D("0"), D("0"), D("0"), D("1")),
    ("2025-02-05", "openai", D("0"), D("0"), D("0"), D("0"), D("0"), D("0"), None, None),
    # 12.003 / 20.005 = 0.6; (20.005 - 4.001) / 20.005 = 0.8
    ("2025-02-10", "anthropic", D("20.005"), D("0"), D("12.003"), D("4.001"), D("0"), D("4.001"), D("0.6"), D("0.8")),
    ("2025-02-12", "anthropic", D("0"), D("0"), D("0"), D("0"), D("0"), D("0"), None, None),
    ("2025-02-14", "anthropic", D("3.2"), D("0"), D("3.2"), D("0"), D("0"), D("0"), D("1"), D("1")),
]

# (month, team, cost center, provider, model, basis, cost, direct, shared, unallocated, has unpriced usage)
SHOWBACK = [
    ("2025-01-01", "search", "CC-100", "openai", "gpt-4o", "direct", D("14.125"), D("14.125"), D("0"), D("0"), False),
    ("2025-01-01", "support", "CC-200", "anthropic", "claude-sonnet-4", "proportional", D("7.5"), D("0"), D("7.5"), D("0"), False),
    ("2025-02-01", "search", "CC-100", "openai", "gpt-4o", "direct", D("12.34"), D("12.34"), D("0"), D("0"), False),
    ("2025-02-01", "search", "CC-100", "openai", "gpt-4o-mini", "direct", D("0.015"), D("0.015"), D("0"), D("0"), False),
    ("2025-02-01", "search", "CC-100", "anthropic", "claude-haiku-4-5", "proportional", D("3.2"), D("0"), D("3.2"), D("0"), False),
    ("2025-02-01", "support", "CC-200", "anthropic", "claude-sonnet-4", "proportional", D("12.003"), D("0"), D("12.003"), D("0"), False),
    ("2025-02-01", "research", "(none)", "anthropic", "claude-sonnet-4", "even", D("4.001"), D("0"), D("4.001"), D("0"), False),
    ("2025-02-01", "(unallocated)", "(unallocated)", "anthropic", "claude-sonnet-4", "unallocated", D("4.001"), D("0"), D("0"), D("4.001"), False),
    ("2025-02-01", "(unallocated)", "(unallocated)", "openai", FT, "unallocated", None, None, None, None, True),
    ("2025-02-01", "(unallocated)", "(unallocated)", "anthropic", "claude-mystery-9", "unallocated", None, None, None, None, True),
]

# (month, team, showback, usage cost, coverage, tokens, per 1K tokens, cache hit rate, savings, batch share,
#  requests, active users, request cost, per request, per active user)
UNIT_ECONOMICS = [
    # February, everyone: 35.56 x 1000 / 10,000,000 = 0.003556 per 1K; 18.715 / 288 = 0.0649826388... per request;
    # 18.715 / 4 users = 4.67875 per user
    ("2025-02-01", "(all)", D("35.56"), D("35.56"), D("1"), 10_000_000, D("0.003556"), D("0.25"), D("1.35"), D("0.1"),
     288, 4, D("18.715"), D("0.064982638889"), D("4.67875")),
    # February, search: 12.355 of its 15.555 is direct-owned usage (0.794278); 12.355 x 1000 / 5,036,000 =
    # 0.0024533359...; 10.20 / 180 requests = 0.0566666...; 10.20 / 2 users = 5.10
    ("2025-02-01", "search", D("15.555"), D("12.355"), D("0.794278"), 5_036_000, D("0.002453335981"), D("0"), None,
     D("0"), 180, 2, D("10.2"), D("0.056666666667"), D("5.1")),
    # January, search: 14.125 x 1000 / 4,412,500 = 0.0032011331...; no request logs
    ("2025-01-01", "search", D("14.125"), D("14.125"), D("1"), 4_412_500, D("0.003201133144"), D("0"), None, D("0"),
     0, 0, None, None, None),
]
# fmt: on


def add_showback_rows(path: Path) -> Path:
    """Add ``ALLOCATED``, ``COVERAGE``, ``SHOWBACK`` and ``UNIT_ECONOMICS`` to the serving copy at ``path``."""
    with duckdb.connect(str(path)) as conn:
        conn.executemany(
            "insert into marts.fct_allocated_cost_daily (usage_date, team, feature, provider, account_id, model_id, "
            "rule_id, cost_center, allocation_method, allocation_note, allocated_cost_usd, "
            "allocated_effective_cost_usd, is_priced) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[date.fromisoformat(row[0]), *row[1:], row[-1], row[-1] is not None] for row in ALLOCATED],
        )
        conn.executemany(
            "insert into marts.mart_allocation_coverage_daily (usage_date, provider, ledger_cost_usd, direct_usd, "
            "proportional_usd, even_usd, fixed_share_usd, unallocated_usd, tag_coverage_share, allocated_share) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[date.fromisoformat(row[0]), *row[1:]] for row in COVERAGE],
        )
        conn.executemany(
            "insert into marts.mart_showback_monthly (month, team, cost_center, provider, model_id, allocation_basis, "
            "cost_usd, direct_cost_usd, shared_cost_usd, unallocated_cost_usd, has_unpriced_usage, "
            "effective_cost_usd, tokens, requests) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
            [[date.fromisoformat(row[0]), *row[1:], row[6]] for row in SHOWBACK],
        )
        conn.executemany(
            "insert into marts.mart_unit_economics_monthly (month, team, showback_cost_usd, usage_cost_usd, "
            "usage_coverage_share, tokens, cost_per_1k_tokens, cache_hit_rate, cache_savings_usd, batch_share, "
            "requests, active_users, request_cost_usd, cost_per_request, cost_per_active_user) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[date.fromisoformat(row[0]), *row[1:]] for row in UNIT_ECONOMICS],
        )
    return path


def add_hostile_showback_rows(path: Path, names: dict[str, str]) -> Path:
    """One allocated, showback, coverage and unit-economics row on 2025-02-13 whose team, feature, provider, model
    and cost center are conftest.py's Markdown names (``names``: team, feature, provider, model, tag_value as the
    cost center): $0.70 owned directly. ``hostile_serving_db`` adds it, so test_data_as_text.py checks both pages."""
    team, feature, provider, model = names["team"], names["feature"], names["provider"], names["model"]
    cost_center, cost = names["tag_value"], D("0.70")
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "insert into marts.fct_allocated_cost_daily (usage_date, team, feature, provider, account_id, model_id, "
            "rule_id, cost_center, allocation_method, allocated_cost_usd, allocated_effective_cost_usd, is_priced) "
            "values ('2025-02-13', ?, ?, ?, 'acct_evil', ?, 'owners[0]', ?, 'direct', ?, ?, true)",
            [team, feature, provider, model, cost_center, cost, cost],
        )
        conn.execute(
            "insert into marts.mart_allocation_coverage_daily (usage_date, provider, ledger_cost_usd, direct_usd, "
            "proportional_usd, even_usd, fixed_share_usd, unallocated_usd, tag_coverage_share, allocated_share) "
            "values ('2025-02-13', ?, ?, ?, 0, 0, 0, 0, 0, 1)",
            [provider, cost, cost],
        )
        conn.execute(
            "insert into marts.mart_showback_monthly (month, team, cost_center, provider, model_id, allocation_basis, "
            "cost_usd, effective_cost_usd, direct_cost_usd, shared_cost_usd, unallocated_cost_usd, tokens, requests, "
            "has_unpriced_usage) values ('2025-02-01', ?, ?, ?, ?, 'direct', ?, ?, ?, 0, 0, 0, 0, false)",
            [team, cost_center, provider, model, cost, cost, cost],
        )
        conn.execute(
            "insert into marts.mart_unit_economics_monthly (month, team, showback_cost_usd, requests, active_users) "
            "values ('2025-02-01', ?, ?, 0, 0)",
            [team, cost],
        )
    return path
