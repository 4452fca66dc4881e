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

``hostile_serving_db`` adds one unpriced usage row (and its reconciliation row) on 2025-02-13 whose
provider, account name and model name are Markdown: the app must show them as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import streamlit as st
import yaml

from orchestration.publish import publish_info_columns

D = Decimal

MARTS_CONTRACT = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_marts__models.yml"
SERVED = ("fct_usage_cost_daily", "fct_billed_cost_daily", "fct_cost_reconciliation_daily")


def serving_ddl() -> str:
    """The serving copy's tables as the dbt contract declares them (enforced on the marts), so these tests
    fail when the app reads a column the marts do not have; publish_info as orchestration/publish.py makes it."""
    models = {m["name"]: m for m in yaml.safe_load(MARTS_CONTRACT.read_text())["models"]}
    statements = ["create schema marts"]
    for name in SERVED:
        columns = ", ".join(f"{c['name']} {c['data_type']}" for c in models[name]["columns"])
        statements.append(f"create table marts.{name} ({columns})")
    statements.append(f"create table marts.publish_info ({publish_info_columns()})")
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

PUBLISHED_AT = datetime(2025, 2, 15, 6, 0)

# Names from the data that try to become Markdown. The model closes the backticks the app used to
# wrap names in; the provider also tries Streamlit's directives (coloured text, icons).
HOSTILE_MODEL = "gpt-zz` **INJECTED** [click here](https://evil.example/)"
HOSTILE_PROVIDER = "acme` **INJECTED** :red[RED] :material/warning: [x](https://evil.example/p) <b>B</b>"
HOSTILE_ACCOUNT = "Ops` **INJECTED** [x](https://evil.example/a) # heading"


def build_serving_db(path: Path, *, publish_info: bool = True) -> Path:
    """Write the seeded serving copy to ``path``."""
    account_names = {"proj_a": "Search team", "wrkspc_1": "Default workspace"}
    with duckdb.connect(str(path)) as conn:
        conn.execute(serving_ddl())
        conn.executemany(
            "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, account_name, api_key_id, "
            "model_raw, model_id, service_tier, context_tier, usage_type, unit, quantity, unit_price_usd, "
            "list_cost_usd, effective_cost_usd, price_effective_from, price_source, price_confidence, is_priced) "
            "values (?, ?, ?, ?, ?, ?, ?, 'default', 'standard', ?, 'tokens', ?, ?, ?, ?, ?, ?, ?, ?)",
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
            "billed_cost_usd, currency) values (?, ?, ?, ?, ?, ?, 'USD')",
            [[date.fromisoformat(row[0]), *row[1:]] for row in BILLED],
        )
        conn.executemany(
            "insert into marts.fct_cost_reconciliation_daily (usage_date, provider, account_id, account_name, "
            "computed_cost_usd, billed_cost_usd, variance_usd, variance_pct, unpriced_quantity, status, has_usage, "
            "has_billed) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?)",
            [[date.fromisoformat(row[0]), *row[1:], row[5] is not None] for row in RECONCILIATION],
        )
        if publish_info:
            conn.execute(
                "insert into marts.publish_info (published_at, run_id, data_start, data_end, quality_warnings) "
                "values (?, 'run-test-1', ?, ?, 0)",
                [PUBLISHED_AT, date(2025, 1, 5), date(2025, 2, 15)],
            )
        else:
            conn.execute("drop table marts.publish_info")
    return path


def add_hostile_rows(path: Path) -> Path:
    """Add an unpriced usage row (and its reconciliation row) with Markdown in every name."""
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "insert into marts.fct_usage_cost_daily (usage_date, provider, account_id, account_name, "
            "api_key_id, model_raw, model_id, usage_type, unit, quantity, is_priced) "
            "values (?, ?, 'acct_evil', ?, 'key_evil', ?, null, 'input', 'tokens', 2000, false)",
            [date(2025, 2, 13), HOSTILE_PROVIDER, HOSTILE_ACCOUNT, HOSTILE_MODEL],
        )
        conn.execute(
            "insert into marts.fct_cost_reconciliation_daily (usage_date, provider, account_id, account_name, "
            "computed_cost_usd, billed_cost_usd, variance_usd, variance_pct, unpriced_quantity, status, has_usage, "
            "has_billed) values (?, ?, 'acct_evil', ?, 0, null, null, null, 2000, 'unpriced_usage', true, false)",
            [date(2025, 2, 13), HOSTILE_PROVIDER, HOSTILE_ACCOUNT],
        )
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
def hostile_names() -> dict[str, str]:
    """The names ``hostile_serving_db`` seeds (tests do not import conftest)."""
    return {"model": HOSTILE_MODEL, "provider": HOSTILE_PROVIDER, "account": HOSTILE_ACCOUNT}
