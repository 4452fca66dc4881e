"""Fixtures for the Streamlit app tests: a small serving copy (its tables as the dbt contract declares
them, its rows chosen by hand) and clean Streamlit caches.

The seeded rows (list costs are hand-chosen decimals; dates are UTC days):

usage (fct_usage_cost_daily)
  day         provider   account    model_raw                          list_cost_usd
  2025-01-05  openai     proj_a     gpt-4o                             10.000000000000
  2025-01-10  anthropic  wrkspc_1   claude-sonnet-4                     7.500000000000
  2025-01-20  openai     proj_a     gpt-4o                              4.125000000000
  2025-02-03  openai     proj_a     gpt-4o                             12.340000000000
  2025-02-03  openai     proj_a     gpt-4o-mini                         0.015000000000
  2025-02-05  openai     proj_a     ft:gpt-4o-2024-08-06:acme::abc123   NULL (unpriced)
  2025-02-10  anthropic  wrkspc_1   claude-sonnet-4                    20.005000000000
  2025-02-12  anthropic  wrkspc_1   claude-mystery-9                    NULL (unpriced)
  2025-02-14  anthropic  wrkspc_1   claude-haiku-4-5                    3.200000000000

Data spans 2025-01-05..2025-02-14, so the default range is the last 30 days, 2025-01-16..2025-02-14.

request logs (fct_request_cost_daily; list / reported cost in USD, '-' = NULL)
  day         source   provider   model_id          team      feature  user     status  req  unpriced  list   reported
  2025-01-10  litellm  anthropic  claude-sonnet-4   search    answers  u_alice  success  40     0      2.000  2.000
  2025-02-03  litellm  openai     gpt-4o            search    answers  u_alice  success 100     0      6.000  6.100
  2025-02-03  litellm  openai     gpt-4o            search    rerank   u_bob    success  50     0      3.000  3.000
  2025-02-03  litellm  openai     gpt-4o-mini       support   triage   u_carol  success  20     0      0.015  0.020
  2025-02-10  otel     anthropic  claude-sonnet-4   support   triage   u_carol  success  80     0      8.000  -
  2025-02-10  otel     anthropic  claude-sonnet-4   (none)    (none)   (none)   error     5     0      0.500  -
  2025-02-12  jsonl    anthropic  claude-mystery-9  research  (none)   u_dave   success   3     3      -      0.030
  2025-02-14  litellm  anthropic  claude-haiku-4-5  search    answers  u_bob    success  30     0      1.200  1.205

  In the default range (the January row is out): teams search 6 + 3 + 1.2 = 10.200 (180 requests),
  support 0.015 + 8 = 8.015 (100), (none) 0.500 (5), research unpriced (3, all unpriced); total 18.715,
  288 requests. Gateway drift (priced rows with a reported cost): litellm gpt-4o 9.000 vs 9.100 (+0.100,
  1.1%: beyond tolerance), litellm gpt-4o-mini 0.015 vs 0.020 (+33% but only $0.005: within),
  litellm claude-haiku-4-5 1.200 vs 1.205 (within); otel reports no cost, jsonl's row is unpriced.

request tags (fct_request_tag_cost_daily)
  day         tag_key  tag_value  source   provider   model_id          req  unpriced  list   reported
  2025-01-10  env      prod       litellm  anthropic  claude-sonnet-4    40     0      2.000  2.000
  2025-02-03  env      prod       litellm  openai     gpt-4o            120     0      7.000  7.080
  2025-02-03  env      staging    litellm  openai     gpt-4o             30     0      2.000  2.020
  2025-02-10  env      prod       otel     anthropic  claude-sonnet-4    80     0      8.000  -
  2025-02-10  project  apollo     otel     anthropic  claude-sonnet-4    50     0      5.000  -
  2025-02-12  project  apollo     jsonl    anthropic  claude-mystery-9    3     3      -      0.030

coverage (mart_request_coverage_daily): one row per provider-day of usage or requests, as the dbt
model computes it from the two tables above (see COVERAGE). In the default range: openai usage 16.480,
explained 9.015 (54.7%), gap 7.465; anthropic usage 23.205, explained 9.700 (41.8%), gap 13.505.

price book (dim_price, PRICES; mart_price_changes, PRICE_CHANGES): gpt-4o input 5.00 → 2.50 and output
15.00 → 10.00 on 2024-10-01 (batch input 1.25), gpt-4o-mini input 0.15 → 0.10 on 2025-02-10 (the one change
in the default range), claude-sonnet-4 unchanged, claude-haiku-4-5 from 2025-02-20 only.

``token_serving_db`` adds TOKEN_USAGE: priced token usage (usage types *_tokens, prices per 1M tokens) with
cache reads and a batch tier, for the Prices and models page; the base rows' usage types ('input',
'output') are not token usage types, so the other pages' numbers are those above.

what-if (mart_whatif_reprice): whatif_seed.py's rows, in every serving copy built here (worked out there).

``hostile_serving_db`` adds one unpriced usage row (and its reconciliation row) on 2025-02-13 whose
provider, account name and model name are Markdown: the app must show them as text. On the same day
and provider it adds request rows (7 priced requests, list 0.700, reported 0.800; 2 unpriced), a tag and
their coverage row, whose team, feature, user, model, tag key and tag value are Markdown too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import streamlit as st
import yaml
from showback_seed import add_hostile_showback_rows
from whatif_seed import add_hostile_whatif_rows, add_whatif_rows

from orchestration import alerts
from orchestration.publish import publish_info_columns

D = Decimal

MARTS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"
SERVED = (
    "fct_usage_cost_daily",
    "fct_billed_cost_daily",
    "fct_cost_reconciliation_daily",
    "fct_request_cost_daily",
    "fct_request_cost_team_daily",  # fct_request_cost_daily's rows rolled up, as the dbt model does
    "fct_request_tag_cost_daily",
    "mart_request_coverage_daily",
    "mart_request_cost_local_daily",  # empty here (every view in UTC days); test_filters.py fills it
    "dim_price",
    "mart_price_changes",
    # showback and chargeback: empty here; tests/apps/showback_seed.py fills them
    "fct_allocated_cost_daily",
    "mart_allocation_coverage_daily",
    "mart_showback_monthly",
    "mart_unit_economics_monthly",
    # what-if: whatif_seed.py's rows, in every serving copy
    "mart_whatif_reprice",
    # budgets and anomalies: BUDGETS, ANOMALIES below
    "mart_budget_status",
    "mart_budget_daily",
    "mart_cost_anomalies",
    # OpenRouter's BYOK rows: empty here; test_reconciliation.py adds OpenRouter and fills it
    "fct_openrouter_byok_daily",
)


def serving_ddl() -> str:
    """The serving copy's tables as the dbt contracts declare them (enforced on the marts; one yml per
    mart or several in _marts__models.yml), so these tests fail when the app reads a column the marts do
    not have; publish_info as orchestration/publish.py makes it."""
    models = {
        m["name"]: m
        for contract in sorted(MARTS_DIR.glob("_*.yml"))
        for m in (yaml.safe_load(contract.read_text()) or {}).get("models", [])
    }
    statements = ["create schema marts"]
    for name in SERVED:
        columns = ", ".join(f"{c['name']} {c['data_type']}" for c in models[name]["columns"])
        statements.append(f"create table marts.{name} ({columns})")
    statements.append(f"create table marts.publish_info ({publish_info_columns()})")
    statements.append(f"create table marts.{alerts.TABLE} ({alerts.LOG_COLUMNS})")
    return ";\n".join(statements) + ";"


# (day, provider, account, model_raw, model_id, usage_type, quantity, list_cost_usd)
USAGE = [
    ("2025-01-05", "openai", "proj_a", "gpt-4o", "gpt-4o", "input", 4_000_000, D("10.000000000000")),
    (
        "2025-01-10",
        "anthropic",
        "wrkspc_1",
        "claude-sonnet-4",
        "claude-sonnet-4",
        "input",
        2_500_000,
        D("7.500000000000"),
    ),
    ("2025-01-20", "openai", "proj_a", "gpt-4o", "gpt-4o", "output", 412_500, D("4.125000000000")),
    ("2025-02-03", "openai", "proj_a", "gpt-4o", "gpt-4o", "input", 4_936_000, D("12.340000000000")),
    ("2025-02-03", "openai", "proj_a", "gpt-4o-mini", "gpt-4o-mini", "input", 100_000, D("0.015000000000")),
    ("2025-02-05", "openai", "proj_a", "ft:gpt-4o-2024-08-06:acme::abc123", None, "input", 50_000, None),
    (
        "2025-02-10",
        "anthropic",
        "wrkspc_1",
        "claude-sonnet-4",
        "claude-sonnet-4",
        "input",
        6_668_333,
        D("20.005000000000"),
    ),
    ("2025-02-12", "anthropic", "wrkspc_1", "claude-mystery-9", None, "input", 1_000, None),
    (
        "2025-02-14",
        "anthropic",
        "wrkspc_1",
        "claude-haiku-4-5",
        "claude-haiku-4-5",
        "output",
        640_000,
        D("3.200000000000"),
    ),
]

# (day, provider, account, line_item, model_id, billed_cost_usd)
BILLED = [
    ("2025-01-05", "openai", "proj_a", "gpt-4o, input", "gpt-4o", D("10.000000000000")),
    (
        "2025-01-10",
        "anthropic",
        "wrkspc_1",
        "Claude Sonnet 4 Usage - Input Tokens",
        "claude-sonnet-4",
        D("7.500000000000"),
    ),
    ("2025-01-20", "openai", "proj_a", "gpt-4o, output", "gpt-4o", D("4.125000000000")),
    ("2025-02-03", "openai", "proj_a", "gpt-4o, input", "gpt-4o", D("12.360000000000")),
    ("2025-02-03", "openai", "proj_a", "gpt-4o-mini, input", "gpt-4o-mini", D("0.015000000000")),
    (
        "2025-02-10",
        "anthropic",
        "wrkspc_1",
        "Claude Sonnet 4 Usage - Input Tokens",
        "claude-sonnet-4",
        D("20.005000000000"),
    ),
    (
        "2025-02-14",
        "anthropic",
        "wrkspc_1",
        "Claude Haiku 4.5 Usage - Output Tokens",
        "claude-haiku-4-5",
        D("3.200000000000"),
    ),
]

# (day, provider, account, computed, billed, variance, variance_pct, unpriced_quantity, status)
RECONCILIATION = [
    ("2025-01-05", "openai", "proj_a", "Search", D("10"), D("10"), D("0"), 0.0, 0, "matched"),
    ("2025-01-10", "anthropic", "wrkspc_1", "Product", D("7.5"), D("7.5"), D("0"), 0.0, 0, "matched"),
    ("2025-01-20", "openai", "proj_a", "Search", D("4.125"), D("4.125"), D("0"), 0.0, 0, "matched"),
    ("2025-02-03", "openai", "proj_a", "Search", D("12.355"), D("12.375"), D("-0.020"), -0.0016, 0, "variance"),
    ("2025-02-05", "openai", "proj_a", "Search", D("0"), None, None, None, 50_000, "unpriced_usage"),
    ("2025-02-10", "anthropic", "wrkspc_1", "Product", D("20.005"), D("20.005"), D("0"), 0.0, 0, "matched"),
    ("2025-02-12", "anthropic", "wrkspc_1", "Product", D("0"), None, None, None, 1_000, "unpriced_usage"),
    ("2025-02-14", "anthropic", "wrkspc_1", "Product", D("3.2"), D("3.2"), D("0"), 0.0, 0, "matched"),
]
# likely_cause and unpriced_models of the rows that are not matched (the tolerance is the default $0.01 everywhere)
RECONCILIATION_CAUSES = {
    "2025-02-03": ("price_differs", None),
    "2025-02-05": ("unpriced_model", "ft:gpt-4o-2024-08-06:acme::abc123"),
    "2025-02-12": ("tier_not_priced", "claude-mystery-9"),
}

# fmt: off
# dim_price: (provider, model_id, usage_type, service_tier, prompt_tokens_gt, unit, price, from, to, conf)
PRICES = [
    ("openai", "gpt-4o", "input_tokens", "standard", 0, "per_1m_tokens", D("5.00"), "2024-05-13", "2024-10-01", "A"),
    ("openai", "gpt-4o", "input_tokens", "standard", 0, "per_1m_tokens", D("2.50"), "2024-10-01", None, "A"),
    ("openai", "gpt-4o", "output_tokens", "standard", 0, "per_1m_tokens", D("15.00"), "2024-05-13", "2024-10-01", "A"),
    ("openai", "gpt-4o", "output_tokens", "standard", 0, "per_1m_tokens", D("10.00"), "2024-10-01", None, "A"),
    ("openai", "gpt-4o", "input_tokens", "batch", 0, "per_1m_tokens", D("1.25"), "2024-10-01", None, "B"),
    ("openai", "gpt-4o-mini", "input_tokens", "standard", 0, "per_1m_tokens", D("0.15"), "2024-07-18", "2025-02-10", "A"),
    ("openai", "gpt-4o-mini", "input_tokens", "standard", 0, "per_1m_tokens", D("0.10"), "2025-02-10", None, "C"),
    ("anthropic", "claude-sonnet-4", "input_tokens", "standard", 0, "per_1m_tokens", D("3.00"), "2024-06-01", None, "A"),
    ("anthropic", "claude-sonnet-4", "cache_read_tokens", "standard", 0, "per_1m_tokens", D("0.30"), "2024-06-01", None, "A"),
    ("anthropic", "claude-sonnet-4", "input_tokens", "standard", 200_000, "per_1m_tokens", D("6.00"), "2024-06-01", None, "A"),
    ("anthropic", "claude-sonnet-4", "output_tokens", "standard", 0, "per_1m_tokens", D("15.00"), "2024-06-01", None, "A"),
    # starts after the data's last day: not a model of the default range
    ("anthropic", "claude-haiku-4-5", "output_tokens", "standard", 0, "per_1m_tokens", D("5.00"), "2025-02-20", None, "A"),
    # a provider-wide price ('*'): not a model
    ("anthropic", "*", "web_search_requests", "standard", 0, "per_1k_requests", D("10.00"), "2024-01-01", None, "A"),
]

# mart_price_changes: (change_date, provider, model_id, usage_type, service_tier, direction, old, new, pct,
#  affected quantity, affected spend, at old price, impact, previous_effective_from)
PRICE_CHANGES = [
    ("2024-10-01", "openai", "gpt-4o", "input_tokens", "standard", "decrease", D("5.00"), D("2.50"), D("-50"),
     0, D("0"), D("0"), D("0"), "2024-05-13"),
    ("2024-10-01", "openai", "gpt-4o", "output_tokens", "standard", "decrease", D("15.00"), D("10.00"),
     D("-33.333333"), 0, D("0"), D("0"), D("0"), "2024-05-13"),
    # in the default range: 2,000,000 tokens at 0.10 = 0.20 against 0.30 at 0.15 → impact -0.10
    ("2025-02-10", "openai", "gpt-4o-mini", "input_tokens", "standard", "decrease", D("0.15"), D("0.10"),
     D("-33.333333"), 2_000_000, D("0.20"), D("0.30"), D("-0.10"), "2024-07-18"),
]

# Token usage for the Prices and models page (``token_serving_db`` adds it; the other tests do not see it):
# (day, provider, account, model, service tier, usage type, tokens, list price per 1M tokens or None = unpriced)
TOKEN_USAGE = [
    ("2025-02-11", "openai", "proj_a", "gpt-4.1", "standard", "input_tokens", 2_000_000, D("2.00")),  # 4.00
    ("2025-02-11", "openai", "proj_a", "gpt-4.1", "standard", "cache_read_tokens", 1_000_000, D("0.50")),  # 0.50
    ("2025-02-11", "openai", "proj_a", "gpt-4.1", "standard", "output_tokens", 500_000, D("8.00")),  # 4.00
    ("2025-02-11", "openai", "proj_a", "gpt-4.1", "batch", "input_tokens", 1_000_000, D("1.00")),  # 1.00
    ("2025-02-11", "openai", "proj_a", "gpt-4.1", "batch", "output_tokens", 250_000, D("4.00")),  # 1.00
    ("2025-02-11", "anthropic", "wrkspc_1", "claude-sonnet-4", "standard", "input_tokens", 1_000_000, D("3.00")),
    ("2025-02-11", "anthropic", "wrkspc_1", "claude-sonnet-4", "standard", "cache_read_tokens", 3_000_000, D("0.30")),
    ("2025-02-11", "anthropic", "wrkspc_1", "claude-sonnet-4", "standard", "cache_write_tokens", 1_000_000, D("3.75")),
    ("2025-02-11", "anthropic", "wrkspc_1", "claude-sonnet-4", "standard", "output_tokens", 200_000, D("15.00")),
    # a cache read on a day without uncached input: not valued in the savings
    ("2025-02-13", "anthropic", "wrkspc_1", "claude-sonnet-4", "standard", "cache_read_tokens", 1_000_000, D("0.30")),
    ("2025-02-11", "openai", "proj_a", "gpt-mystery", "standard", "input_tokens", 100_000, None),
]

# (day, source, provider, model_id, team, feature, user_id, status, requests, unpriced, list, reported)
REQUESTS = [
    ("2025-01-10", "litellm", "anthropic", "claude-sonnet-4", "search", "answers", "u_alice", "success", 40, 0, D("2.000"), D("2.000")),
    ("2025-02-03", "litellm", "openai", "gpt-4o", "search", "answers", "u_alice", "success", 100, 0, D("6.000"), D("6.100")),
    ("2025-02-03", "litellm", "openai", "gpt-4o", "search", "rerank", "u_bob", "success", 50, 0, D("3.000"), D("3.000")),
    ("2025-02-03", "litellm", "openai", "gpt-4o-mini", "support", "triage", "u_carol", "success", 20, 0, D("0.015"), D("0.020")),
    ("2025-02-10", "otel", "anthropic", "claude-sonnet-4", "support", "triage", "u_carol", "success", 80, 0, D("8.000"), None),
    ("2025-02-10", "otel", "anthropic", "claude-sonnet-4", "(none)", "(none)", "(none)", "error", 5, 0, D("0.500"), None),
    ("2025-02-12", "jsonl", "anthropic", "claude-mystery-9", "research", "(none)", "u_dave", "success", 3, 3, None, D("0.030")),
    ("2025-02-14", "litellm", "anthropic", "claude-haiku-4-5", "search", "answers", "u_bob", "success", 30, 0, D("1.200"), D("1.205")),
]

# (day, tag_key, tag_value, source, provider, model_id, requests, unpriced, list, reported)
REQUEST_TAGS = [
    ("2025-01-10", "env", "prod", "litellm", "anthropic", "claude-sonnet-4", 40, 0, D("2.000"), D("2.000")),
    ("2025-02-03", "env", "prod", "litellm", "openai", "gpt-4o", 120, 0, D("7.000"), D("7.080")),
    ("2025-02-03", "env", "staging", "litellm", "openai", "gpt-4o", 30, 0, D("2.000"), D("2.020")),
    ("2025-02-10", "env", "prod", "otel", "anthropic", "claude-sonnet-4", 80, 0, D("8.000"), None),
    ("2025-02-10", "project", "apollo", "otel", "anthropic", "claude-sonnet-4", 50, 0, D("5.000"), None),
    ("2025-02-12", "project", "apollo", "jsonl", "anthropic", "claude-mystery-9", 3, 3, None, D("0.030")),
]

# (day, provider, usage_cost, request_cost, gap, explained_share, reported, reported_minus_list, spend,
#  requests, unpriced_requests, unpriced_usage_lines, is_covered_by_billing): USAGE's list cost per
# provider-day against REQUESTS' (request cost 0 where no priced request was logged).
COVERAGE = [
    ("2025-01-05", "openai", D("10.000"), D("0"), D("10.000"), D("0"), None, None, D("10.000"), 0, 0, 0, True),
    ("2025-01-10", "anthropic", D("7.500"), D("2.000"), D("5.500"), D("0.266667"), D("2.000"), D("0"), D("7.500"), 40, 0, 0, True),
    ("2025-01-20", "openai", D("4.125"), D("0"), D("4.125"), D("0"), None, None, D("4.125"), 0, 0, 0, True),
    ("2025-02-03", "openai", D("12.355"), D("9.015"), D("3.340"), D("0.729664"), D("9.120"), D("0.105"), D("12.355"), 170, 0, 0, True),
    ("2025-02-05", "openai", None, D("0"), None, None, None, None, None, 0, 0, 1, True),
    ("2025-02-10", "anthropic", D("20.005"), D("8.500"), D("11.505"), D("0.424894"), None, None, D("20.005"), 85, 0, 0, True),
    ("2025-02-12", "anthropic", None, D("0"), None, None, D("0.030"), D("0.030"), None, 3, 3, 1, True),
    ("2025-02-14", "anthropic", D("3.200"), D("1.200"), D("2.000"), D("0.375000"), D("1.205"), D("0.005"), D("3.200"), 30, 0, 0, True),
]
# fmt: on

# billed lines that are not token usage (tool calls), per reconciliation day
OTHER_BILLED = {"2025-02-03": D("0.50")}

PUBLISHED_AT = datetime(2025, 2, 15, 6, 0)

# Names from the data that try to become Markdown. The model closes the backticks the app used to
# wrap names in; the provider also tries Streamlit's directives (coloured text, icons).
HOSTILE_MODEL = "gpt-zz` **INJECTED** [click here](https://evil.example/)"
HOSTILE_PROVIDER = "acme` **INJECTED** :red[RED] :material/warning: [x](https://evil.example/p) <b>B</b>"
HOSTILE_ACCOUNT = "Ops` **INJECTED** [x](https://evil.example/a) # heading"
HOSTILE_TEAM = "Growth` **INJECTED** [team](https://evil.example/t) :blue[BLUE]"
HOSTILE_FEATURE = "# INJECTED feature [f](https://evil.example/f)"
HOSTILE_USER = "_INJECTED_ user <b>B</b> www.evil.example"
HOSTILE_TAG_KEY = "**INJECTED** key [k](https://evil.example/k)"
HOSTILE_TAG_VALUE = ":red[INJECTED] value :material/warning:"
HOSTILE_SCENARIO = "**INJECTED** scenario [s](https://evil.example/s)"

# fmt: off
# On 2025-02-13, the day of the hostile unpriced usage row (so the provider's usage cost is NULL there).
HOSTILE_REQUESTS = [
    ("2025-02-13", "jsonl", HOSTILE_PROVIDER, HOSTILE_MODEL, HOSTILE_TEAM, HOSTILE_FEATURE, HOSTILE_USER, "success", 7, 0, D("0.700"), D("0.800")),
    ("2025-02-13", "jsonl", HOSTILE_PROVIDER, HOSTILE_MODEL, HOSTILE_TEAM, HOSTILE_FEATURE, HOSTILE_USER, "error", 2, 2, None, None),
]
HOSTILE_REQUEST_TAGS = [
    ("2025-02-13", HOSTILE_TAG_KEY, HOSTILE_TAG_VALUE, "jsonl", HOSTILE_PROVIDER, HOSTILE_MODEL, 9, 2, D("0.700"), D("0.800")),
]
HOSTILE_COVERAGE = [
    ("2025-02-13", HOSTILE_PROVIDER, None, D("0.700"), None, None, D("0.800"), D("0.100"), None, 9, 2, 1, True),
]
# The hostile model in the price book (its price halved on 2025-02-13) and priced token usage of it that day.
HOSTILE_PRICES = [
    (HOSTILE_PROVIDER, HOSTILE_MODEL, "input_tokens", "standard", 0, "per_1m_tokens", D("1.00"), "2025-01-01", "2025-02-13", "C"),
    (HOSTILE_PROVIDER, HOSTILE_MODEL, "input_tokens", "standard", 0, "per_1m_tokens", D("0.50"), "2025-02-13", None, "C"),
]
HOSTILE_PRICE_CHANGES = [
    ("2025-02-13", HOSTILE_PROVIDER, HOSTILE_MODEL, "input_tokens", "standard", "decrease", D("1.00"), D("0.50"),
     D("-50"), 1_000_000, D("0.50"), D("1.00"), D("-0.50"), "2025-01-01"),
]
HOSTILE_TOKEN_USAGE = [
    ("2025-02-13", HOSTILE_PROVIDER, "acct_evil", HOSTILE_MODEL, "standard", "input_tokens", 1_000_000, D("0.50")),
]
# fmt: on


def build_serving_db(path: Path, *, publish_info: bool = True) -> Path:
    """Write the seeded serving copy to ``path``."""
    account_names = {"proj_a": "Search team", "wrkspc_1": "Default workspace"}
    with duckdb.connect(str(path)) as conn:
        conn.execute(serving_ddl())
        conn.executemany(
            "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, account_name, api_key_id, "
            "model_raw, model_id, service_tier, context_tier, usage_type, unit, quantity, unit_price_usd, "
            "list_cost_usd, effective_cost_usd, contracted_cost_usd, price_effective_from, price_source, "
            "price_confidence, is_priced) "
            "values (?, ?, ?, ?, ?, ?, ?, 'default', 'standard', ?, 'tokens', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    date.fromisoformat(day),
                    provider,
                    account,
                    account_names[account],
                    f"key_{provider}",
                    model_raw,
                    model_id,
                    usage_type,
                    quantity,
                    None if cost is None else cost / quantity,  # unit price per token
                    cost,
                    cost,
                    cost,  # no contract: contracted = list
                    None if cost is None else date(2024, 1, 1),
                    None if cost is None else "pricing_seeds/price_book.csv",
                    None if cost is None else "high",
                    cost is not None,
                ]
                for day, provider, account, model_raw, model_id, usage_type, quantity, cost in USAGE
            ],
        )
        conn.executemany(
            "insert into marts.fct_billed_cost_daily (usage_date, provider, account_id, line_item, model_id, "
            "billed_cost_usd, currency, line_type) values (?, ?, ?, ?, ?, ?, 'USD', 'usage')",
            [[date.fromisoformat(row[0]), *row[1:]] for row in BILLED],
        )
        conn.executemany(
            "insert into marts.fct_cost_reconciliation_daily (usage_date, provider, account_id, account_name, "
            "computed_cost_usd, billed_usage_usd, variance_usd, variance_pct, unpriced_quantity, status, has_usage, "
            "has_billed, billed_cost_usd) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?)",
            # billed = billed usage, except on the variance day: $0.50 of tool calls beside the tokens
            [
                [
                    date.fromisoformat(row[0]),
                    *row[1:],
                    row[5] is not None,
                    None if row[5] is None else row[5] + OTHER_BILLED.get(row[0], 0),
                ]
                for row in RECONCILIATION
            ],
        )
        conn.execute("update marts.fct_cost_reconciliation_daily set tolerance_usd = 0.01")
        conn.executemany(
            "update marts.fct_cost_reconciliation_daily set likely_cause = ?, unpriced_models = ? where usage_date = ?",
            [[cause, models, date.fromisoformat(day)] for day, (cause, models) in RECONCILIATION_CAUSES.items()],
        )
        _insert_requests(conn, REQUESTS, REQUEST_TAGS, COVERAGE)
        _insert_prices(conn, PRICES, PRICE_CHANGES)
        _insert_budgets(conn, BUDGETS, ANOMALIES, ALERTS)
        _insert_budget_days(conn, BUDGET_DAYS)
        if publish_info:
            conn.execute(
                "insert into marts.publish_info (published_at, run_id, data_start, data_end, quality_warnings) "
                "values (?, 'run-test-1', ?, ?, 0)",
                [PUBLISHED_AT, date(2025, 1, 5), date(2025, 2, 15)],
            )
        else:
            conn.execute("drop table marts.publish_info")
    return add_whatif_rows(path)


def _insert_requests(conn: duckdb.DuckDBPyConnection, requests: list, tags: list, coverage: list) -> None:
    """Rows of the request marts, the team roll-up summed from the daily rows (tokens are not read by the app:
    left NULL)."""
    conn.executemany(
        "insert into marts.fct_request_cost_daily (usage_date, source, provider, model_id, team, feature, user_id, "
        "status, requests, unpriced_requests, list_cost_usd, reported_cost_usd) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[date.fromisoformat(row[0]), *row[1:]] for row in requests],
    )
    days = sorted({date.fromisoformat(row[0]) for row in requests})
    conn.execute("delete from marts.fct_request_cost_team_daily where usage_date in (select unnest(?::date[]))", [days])
    conn.execute(
        "insert into marts.fct_request_cost_team_daily (usage_date, source, provider, model_id, team, status, "
        "requests, unpriced_requests, list_cost_usd, reported_cost_usd) "
        "select usage_date, source, provider, model_id, team, status, sum(requests), sum(unpriced_requests), "
        "sum(list_cost_usd), sum(reported_cost_usd) from marts.fct_request_cost_daily "
        "where usage_date in (select unnest(?::date[])) group by all",
        [days],
    )
    conn.executemany(
        "insert into marts.fct_request_tag_cost_daily (usage_date, tag_key, tag_value, source, provider, model_id, "
        "requests, unpriced_requests, list_cost_usd, reported_cost_usd) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[date.fromisoformat(row[0]), *row[1:]] for row in tags],
    )
    conn.executemany(
        "insert into marts.mart_request_coverage_daily (usage_date, provider, usage_cost_usd, request_cost_usd, "
        "gap_usd, explained_share, reported_cost_usd, reported_minus_list_usd, spend_usd, requests, "
        "unpriced_requests, unpriced_usage_lines, is_covered_by_billing) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[date.fromisoformat(row[0]), *row[1:]] for row in coverage],
    )


def add_hostile_rows(path: Path) -> Path:
    """Add an unpriced usage row (and its reconciliation row) with Markdown in every name, and request rows,
    a tag and a coverage row on the same day whose team, feature, user, model and tag are Markdown too; the
    hostile model's prices, a price change and priced token usage of it that day; and the showback rows of
    ``showback_seed.add_hostile_showback_rows``."""
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, account_name, "
            "api_key_id, model_raw, model_id, usage_type, unit, quantity, is_priced) "
            "values (?, ?, 'acct_evil', ?, 'key_evil', ?, null, 'input', 'tokens', 2000, false)",
            [date(2025, 2, 13), HOSTILE_PROVIDER, HOSTILE_ACCOUNT, HOSTILE_MODEL],
        )
        conn.execute(
            "insert into marts.fct_cost_reconciliation_daily (usage_date, provider, account_id, account_name, "
            "computed_cost_usd, billed_usage_usd, variance_usd, variance_pct, unpriced_quantity, status, has_usage, "
            "has_billed) values (?, ?, 'acct_evil', ?, 0, null, null, null, 2000, 'unpriced_usage', true, false)",
            [date(2025, 2, 13), HOSTILE_PROVIDER, HOSTILE_ACCOUNT],
        )
        _insert_requests(conn, HOSTILE_REQUESTS, HOSTILE_REQUEST_TAGS, HOSTILE_COVERAGE)
        _insert_prices(conn, HOSTILE_PRICES, HOSTILE_PRICE_CHANGES)
        _insert_token_usage(conn, HOSTILE_TOKEN_USAGE)
        _insert_budgets(conn, HOSTILE_BUDGETS, HOSTILE_ANOMALIES, HOSTILE_ALERTS)
        _insert_budget_days(conn, HOSTILE_BUDGET_DAYS)
    names = {"team": HOSTILE_TEAM, "feature": HOSTILE_FEATURE, "provider": HOSTILE_PROVIDER, "model": HOSTILE_MODEL}
    add_hostile_whatif_rows(path, {**names, "scenario": HOSTILE_SCENARIO})
    return add_hostile_showback_rows(path, {**names, "tag_value": HOSTILE_TAG_VALUE})


def _insert_prices(conn: duckdb.DuckDBPyConnection, prices: list, changes: list) -> None:
    """Rows of dim_price and mart_price_changes (changes are of base-tier token prices)."""
    conn.executemany(
        "insert into marts.dim_price (provider, model_id, usage_type, service_tier, prompt_tokens_gt, unit, "
        "unit_price_usd, effective_from, effective_to, price_conf, currency, sources) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', 'test')",
        [[*row[:7], date.fromisoformat(row[7]), row[8] and date.fromisoformat(row[8]), row[9]] for row in prices],
    )
    conn.executemany(
        "insert into marts.mart_price_changes (change_date, provider, model_id, usage_type, service_tier, "
        "change_direction, old_unit_price_usd, new_unit_price_usd, price_change_pct, affected_quantity_30d, "
        "affected_spend_30d_usd, at_old_price_30d_usd, impact_30d_usd, previous_effective_from, unit, "
        "prompt_tokens_gt, is_future, sources) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'per_1m_tokens', 0, false, 'test')",
        [[date.fromisoformat(row[0]), *row[1:13], date.fromisoformat(row[13])] for row in changes],
    )


def _insert_token_usage(conn: duckdb.DuckDBPyConnection, rows: list) -> None:
    """Usage rows priced per 1M tokens (list cost = tokens x price / 1,000,000, exact), as ``TOKEN_USAGE``."""
    conn.executemany(
        "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, api_key_id, model_raw, "
        "model_id, service_tier, context_tier, inference_geo, usage_type, unit, quantity, unit_price_usd, "
        "list_cost_usd, contracted_cost_usd, effective_cost_usd, is_priced) "
        "values (?, ?, ?, 'key_tokens', ?, ?, ?, 'all', 'global', ?, 'per_1m_tokens', ?, ?, ?, ?, ?, ?)",
        [
            [date.fromisoformat(day), provider, account, model, model, tier, usage_type, tokens, price]
            + [None if price is None else tokens * price / 1_000_000] * 3
            + [price is not None]
            for day, provider, account, model, tier, usage_type, tokens, price in rows
        ],
    )


def add_token_rows(path: Path) -> Path:
    """Add ``TOKEN_USAGE``."""
    with duckdb.connect(str(path)) as conn:
        _insert_token_usage(conn, TOKEN_USAGE)
    return path


@pytest.fixture(autouse=True)
def clear_streamlit_caches() -> Iterator[None]:
    """``st.cache_data`` / ``st.cache_resource`` are process-global: keep tests independent."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, bytes]]:
    """``st.download_button`` calls, ``key -> (file_name, data)`` of the buttons drawn (the real button still runs)."""
    seen: dict[str, tuple[str, bytes]] = {}
    real = st.download_button

    def spy(label, data, file_name=None, **kwargs):
        seen[kwargs["key"]] = (file_name, data)
        return real(label, data, file_name=file_name, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return seen


@pytest.fixture
def finops_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty FINOPS_HOME (no serving copy yet)."""
    home = tmp_path / "finops_home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("FINOPS_HOME", str(home))
    return home


@pytest.fixture
def make_serving_db() -> Callable[..., Path]:
    """``build_serving_db`` for tests that need a variant (tests do not import conftest)."""
    return build_serving_db


@pytest.fixture
def serving_db(finops_home: Path) -> Path:
    """FINOPS_HOME with the seeded ``serving.duckdb``; returns the file's path."""
    return build_serving_db(finops_home / "serving.duckdb")


@pytest.fixture
def hostile_serving_db(finops_home: Path) -> Path:
    """``serving_db`` plus the hostile row of ``add_hostile_rows``; returns the file's path."""
    return add_hostile_rows(build_serving_db(finops_home / "serving.duckdb"))


@pytest.fixture
def token_serving_db(finops_home: Path) -> Path:
    """``serving_db`` plus ``TOKEN_USAGE``; returns the file's path."""
    return add_token_rows(build_serving_db(finops_home / "serving.duckdb"))


@pytest.fixture
def hostile_names() -> dict[str, str]:
    """The names ``hostile_serving_db`` seeds (tests do not import conftest)."""
    return {
        "model": HOSTILE_MODEL,
        "provider": HOSTILE_PROVIDER,
        "account": HOSTILE_ACCOUNT,
        "team": HOSTILE_TEAM,
        "feature": HOSTILE_FEATURE,
        "user": HOSTILE_USER,
        "tag_key": HOSTILE_TAG_KEY,
        "tag_value": HOSTILE_TAG_VALUE,
    }


# --- budgets, alerts and anomalies (the Budgets and alerts page, the Overview's open anomalies) ---------------
# fmt: off
# (budget_id, scope, scope_type, scope_value, period_start, period_end, budget, actual, forecast, pct_used,
#  threshold crossed, breach date, status, forecast_method); as of 2025-02-14, monthly. Actuals are the seeded
# usage (USAGE): org February 12.34 + 0.015 + 20.005 + 3.20 = 35.56 (reaches 30 on 02-10: 12.355 + 20.005 =
# 32.36), org January 10 + 7.5 + 4.125 = 21.625; anthropic February 20.005 + 3.20 = 23.205 (+ 2.795 forecast = 26).
BUDGETS = [
    ("anthropic-monthly", "provider=anthropic", "provider", "anthropic", "2025-02-01", "2025-02-28", D("25"),
     D("23.205"), D("26.000"), D("0.928200"), D("0.8"), "2025-02-20", "at_risk", "holt_winters_weekly_damped"),
    ("org-monthly", "org", "org", None, "2025-02-01", "2025-02-28", D("30"), D("35.560"), D("44.000"),
     D("1.185333"), D("1.0"), "2025-02-10", "over", "holt_winters_weekly_damped"),
    ("org-monthly", "org", "org", None, "2025-01-01", "2025-01-31", D("30"), D("21.625"), D("21.625"),
     D("0.720833"), None, None, "ok", "none"),
]
# (usage_date, scope, scope_type, scope_value, actual, expected, score, severity, is_anomaly, driver_type,
#  driver_value, driver_delta_usd, explained_share)
ANOMALIES = [
    ("2025-01-20", "org", "org", None, D("4.125"), D("4.000"), D("0.4"), "none", False, None, None, None, None),
    ("2025-02-03", "org", "org", None, D("12.355"), D("5.000"), D("4.2"), "warning", True, "model", "gpt-4o",
     D("7.000"), D("0.951700")),
    ("2025-02-10", "org", "org", None, D("20.005"), D("6.000"), D("9.5"), "critical", True, "provider", "anthropic",
     D("14.005"), D("1.000000")),
    ("2025-02-10", "provider=anthropic", "provider", "anthropic", D("20.005"), D("7.000"), D("8.1"), "critical",
     True, "model", "claude-sonnet-4", D("13.005"), D("1.000000")),
    ("2025-02-14", "org", "org", None, D("3.200"), D("4.000"), D("0.8"), "none", False, None, None, None, None),
]
# (alert_key, kind, severity, title, first_seen_at, status, attempts, sent_at)
ALERTS = [
    ("budget_threshold|org-monthly|2025-02-01|1.0", "budget_threshold", "critical", "org-monthly crossed 100%",
     "2025-02-11 06:00:00", "logged", 0, None),
    ("anomaly|org|2025-02-10", "anomaly", "critical", "org spend 20.01 vs 6.00 expected", "2025-02-11 06:00:05",
     "sent", 1, "2025-02-11 06:00:06"),
]
HOSTILE_BUDGETS = [
    (HOSTILE_TEAM, f"team={HOSTILE_TEAM}", "team", HOSTILE_TEAM, "2025-02-01", "2025-02-28", D("1"), D("0.700"),
     D("0.900"), D("0.700000"), None, None, "ok", "mean_of_days_so_far"),
]
HOSTILE_ANOMALIES = [
    ("2025-02-13", f"provider={HOSTILE_PROVIDER}", "provider", HOSTILE_PROVIDER, D("0.500"), D("0.010"), D("12.0"),
     "critical", True, "model", HOSTILE_MODEL, D("0.490"), D("1.000000")),
]
HOSTILE_ALERTS = [
    (f"anomaly|provider={HOSTILE_PROVIDER}|2025-02-13", "anomaly", "critical", f"{HOSTILE_PROVIDER} spiked",
     "2025-02-14 06:00:00", "failed", 3, None),
]
# fmt: on


def _insert_budgets(conn: duckdb.DuckDBPyConnection, budgets: list, anomalies: list, alert_rows: list) -> None:
    """Rows of mart_budget_status (all as of 2025-02-14, monthly), mart_cost_anomalies and alert_log."""
    conn.executemany(
        "insert into marts.mart_budget_status (budget_id, scope, scope_type, scope_value, period_start, period_end, "
        "budget_usd, actual_usd, forecast_usd, pct_used, highest_threshold_crossed, projected_breach_date, status, "
        "forecast_method, period, as_of_date) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'month', ?)",
        [[*row[:4], date.fromisoformat(row[4]), date.fromisoformat(row[5]), *row[6:11],
          row[11] and date.fromisoformat(row[11]), *row[12:], date(2025, 2, 14)] for row in budgets],
    )  # fmt: skip
    conn.executemany(
        "insert into marts.mart_cost_anomalies (usage_date, scope, scope_type, scope_value, actual_usd, expected_usd, "
        "score, severity, is_anomaly, driver_type, driver_value, driver_delta_usd, explained_share) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[date.fromisoformat(row[0]), *row[1:]] for row in anomalies],
    )
    conn.executemany(
        f"insert into marts.{alerts.TABLE} (alert_key, kind, severity, title, body, facts, first_seen_at, status, "
        "attempts, sent_at) values (?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)",
        [[key, kind, severity, title, title, datetime.fromisoformat(seen), status, attempts,
          sent and datetime.fromisoformat(sent)] for key, kind, severity, title, seen, status, attempts, sent in alert_rows],
    )  # fmt: skip


# mart_budget_daily, one entry per period of BUDGETS / HOSTILE_BUDGETS: (budget_id, period_start, period_end,
# as_of_date, budget, actual by day, forecast by day); a day up to as_of_date without an entry is a $0 actual, a
# later one without a forecast has none. The forecast days of February sum to BUDGETS' forecast - actual:
# anthropic 6 x 0.30 (02-15..02-20: running 23.205 + 1.80 = 25.005 >= 25 on 02-20, the breach date) + 7 x 0.12
# (02-21..02-27) + 0.155 (02-28) = 2.795 -> 26.000; org 13 x 0.60 (02-15..02-27) + 0.64 (02-28) = 8.44 -> 44.00.
_FEB = "2025-02-{:02d}".format
BUDGET_DAYS = [
    ("anthropic-monthly", "2025-02-01", "2025-02-28", "2025-02-14", D("25"),
     {"2025-02-10": D("20.005"), "2025-02-14": D("3.200")},
     {_FEB(d): D("0.30") if d <= 20 else D("0.12") if d < 28 else D("0.155") for d in range(15, 29)}),
    ("org-monthly", "2025-02-01", "2025-02-28", "2025-02-14", D("30"),
     {"2025-02-03": D("12.355"), "2025-02-10": D("20.005"), "2025-02-14": D("3.200")},
     {_FEB(d): D("0.60") if d < 28 else D("0.64") for d in range(15, 29)}),
    ("org-monthly", "2025-01-01", "2025-01-31", "2025-01-31", D("30"),
     {"2025-01-05": D("10"), "2025-01-10": D("7.5"), "2025-01-20": D("4.125")}, {}),
]  # fmt: skip
HOSTILE_BUDGET_DAYS = [
    (
        HOSTILE_TEAM,
        "2025-02-01",
        "2025-02-28",
        "2025-02-14",
        D("1"),
        {"2025-02-13": D("0.700")},
        {"2025-02-15": D("0.200")},
    ),
]


def _insert_budget_days(conn: duckdb.DuckDBPyConnection, periods: list) -> None:
    """Rows of mart_budget_daily: every day of each period, running totals as the dbt model computes them."""
    rows = []
    for budget_id, start, end, as_of, budget, actuals, forecasts in periods:
        first, last, as_of_date = date.fromisoformat(start), date.fromisoformat(end), date.fromisoformat(as_of)
        day, running = first, D(0)
        while day <= last:
            is_actual = day <= as_of_date
            actual = actuals.get(day.isoformat(), D(0)) if is_actual else None
            forecast = None if is_actual else forecasts.get(day.isoformat())
            running += actual if is_actual else (forecast or D(0))
            rows.append(
                [
                    budget_id,
                    first,
                    last,
                    as_of_date,
                    day,
                    is_actual,
                    budget,
                    actual,
                    running if is_actual else None,
                    forecast,
                    running,
                ]
            )
            day += timedelta(days=1)
    conn.executemany(
        "insert into marts.mart_budget_daily (budget_id, period_start, period_end, as_of_date, usage_date, is_actual, "
        "budget_usd, actual_usd, cumulative_actual_usd, forecast_usd, cumulative_projected_usd) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
