"""`dbt build` of dbt_project/ on a small hand-written raw landing, with every dollar computed by hand.

One build per session (module fixture, ~30 s): raw tables are created from the landing contract
(connectors.registry.RAW_TABLES), a few rows are inserted, dbt runs in-process (seeds, models, contracts, unit and
data tests), and the marts are checked against amounts worked out below from the price book:

    cost = quantity x unit price / 1,000,000 (tokens) or / 1,000 (web searches)
"""

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt

from connectors.registry import RAW_TABLES
from connectors.schema import METADATA_COLUMNS
from orchestration.config import load_config, write_config_tables

pytestmark = pytest.mark.slow

D = Decimal

OPENAI_USAGE = [
    # proj_main, 2024-10-15: the `gpt-4o` alias (-> gpt-4o-2024-08-06 from 2024-10-02), 1,000,000 input incl.
    # 400,000 cached: 600,000 x $2.50 = $1.50, 400,000 x $1.25 = $0.50, output 100,000 x $10 = $1.00 -> $3.00
    dict(
        bucket_start="2024-10-15",
        project_id="proj_main",
        api_key_id="key_1",
        user_id="user_1",
        model="gpt-4o",
        batch=False,
        service_tier="default",
        input_tokens=1_000_000,
        input_cached_tokens=400_000,
        input_cache_write_tokens=0,
        output_tokens=100_000,
    ),
    # batch on the snapshot: 2,000,000 x ($2.50 x 0.5) = $2.50, 1,000,000 x ($10 x 0.5) = $5.00 -> $7.50
    dict(
        bucket_start="2024-10-15",
        project_id="proj_main",
        api_key_id="key_2",
        user_id="user_1",
        model="gpt-4o-2024-08-06",
        batch=True,
        service_tier=None,
        input_tokens=2_000_000,
        input_cached_tokens=0,
        input_cache_write_tokens=0,
        output_tokens=1_000_000,
    ),
    # proj_lab, 2024-10-15: 100,000 x $2.50 = $0.25, plus a model the price book does not know
    dict(
        bucket_start="2024-10-15",
        project_id="proj_lab",
        api_key_id="key_3",
        user_id="user_2",
        model="gpt-4o-2024-08-06",
        batch=False,
        service_tier="default",
        input_tokens=100_000,
        input_cached_tokens=0,
        input_cache_write_tokens=0,
        output_tokens=0,
    ),
    dict(
        bucket_start="2024-10-15",
        project_id="proj_lab",
        api_key_id="key_3",
        user_id="user_2",
        model="mystery-model-9000",
        batch=False,
        service_tier="default",
        input_tokens=1_000_000,
        input_cached_tokens=0,
        input_cache_write_tokens=0,
        output_tokens=1_000,
    ),
    # o3 the day before the 80% cut: 1,000,000 x $10 = $10.00, 500,000 x $40 = $20.00 -> $30.00
    dict(
        bucket_start="2025-06-09",
        project_id="proj_main",
        api_key_id="key_1",
        user_id="user_1",
        model="o3-2025-04-16",
        batch=False,
        service_tier="default",
        input_tokens=1_000_000,
        input_cached_tokens=0,
        input_cache_write_tokens=0,
        output_tokens=500_000,
    ),
    # ... and on the day of the cut: 1,000,000 x $2 = $2.00, 500,000 x $8 = $4.00 -> $6.00
    dict(
        bucket_start="2025-06-10",
        project_id="proj_main",
        api_key_id="key_1",
        user_id="user_1",
        model="o3",
        batch=False,
        service_tier="auto",
        input_tokens=1_000_000,
        input_cached_tokens=0,
        input_cache_write_tokens=0,
        output_tokens=500_000,
    ),
]

ANTHROPIC_USAGE = [
    # wrkspc_eng, Sonnet 4.5 under 200k: 1,000,000 x $3 = $3.00; cache read 2,000,000 x $0.30 = $0.60;
    # 5-minute writes 1,000,000 x $3.75 = $3.75; 1-hour writes 1,000,000 x $6 = $6.00;
    # output 200,000 x $15 = $3.00; 100 searches x $10 / 1k = $1.00 -> $17.35
    dict(
        bucket_start="2025-10-01",
        workspace_id="wrkspc_eng",
        api_key_id="apikey_a",
        model="claude-sonnet-4-5-20250929",
        service_tier="standard",
        context_window="0-200k",
        uncached_input_tokens=1_000_000,
        cache_read_input_tokens=2_000_000,
        cache_creation_5m_input_tokens=1_000_000,
        cache_creation_1h_input_tokens=1_000_000,
        output_tokens=200_000,
        web_search_requests=100,
    ),
    # ... over 200k, every component at the tier rate: 500,000 x $6 = $3.00; 1,000,000 x $0.60 = $0.60;
    # 100,000 x $7.50 = $0.75; output 100,000 x $22.50 = $2.25 -> $6.60
    dict(
        bucket_start="2025-10-01",
        workspace_id="wrkspc_eng",
        api_key_id="apikey_a",
        model="claude-sonnet-4-5-20250929",
        service_tier="standard",
        context_window="200k-1M",
        uncached_input_tokens=500_000,
        cache_read_input_tokens=1_000_000,
        cache_creation_5m_input_tokens=100_000,
        cache_creation_1h_input_tokens=0,
        output_tokens=100_000,
        web_search_requests=0,
    ),
    # the default workspace (null), Console usage (null key), alias `claude-haiku-4-5`, batch (x 0.5):
    # 1,000,000 x $0.50 = $0.50, 1,000,000 x $2.50 = $2.50 -> $3.00
    dict(
        bucket_start="2025-10-20",
        workspace_id=None,
        api_key_id=None,
        model="claude-haiku-4-5",
        service_tier="batch",
        context_window="0-200k",
        uncached_input_tokens=1_000_000,
        output_tokens=1_000_000,
    ),
    # a workspace missing from the workspace list, never billed: 1,000,000 x $15 = $15.00
    dict(
        bucket_start="2025-10-01",
        workspace_id="wrkspc_gone",
        api_key_id="apikey_b",
        model="claude-sonnet-4-5-20250929",
        service_tier="standard",
        context_window="0-200k",
        output_tokens=1_000_000,
    ),
]

OPENAI_COSTS = [
    # proj_main 2024-10-15 = $3.00 + $7.50 = $10.50 (matched)
    ("2024-10-15", "proj_main", "gpt-4o-2024-08-06, input", "1.50"),
    ("2024-10-15", "proj_main", "gpt-4o-2024-08-06, cached input", "0.50"),
    ("2024-10-15", "proj_main", "gpt-4o-2024-08-06, output", "1.00"),
    ("2024-10-15", "proj_main", "gpt-4o-2024-08-06, input (batch)", "2.50"),
    ("2024-10-15", "proj_main", "gpt-4o-2024-08-06, output (batch)", "5.00"),
    # proj_lab: $0.25 priced + the unknown model's bill (unpriced_usage)
    ("2024-10-15", "proj_lab", "gpt-4o-2024-08-06, input", "0.25"),
    ("2024-10-15", "proj_lab", "mystery-model-9000, input", "4.00"),
    # o3: $30.00 (matched), then $6.04 billed for $6.00 of usage (variance) + $0.04 of images (not token
    # usage: reported apart, never variance)
    ("2025-06-09", "proj_main", "o3-2025-04-16, input", "10.00"),
    ("2025-06-09", "proj_main", "o3-2025-04-16, output", "20.00"),
    ("2025-06-10", "proj_main", "o3, input", "2.00"),
    ("2025-06-10", "proj_main", "o3, output", "4.04"),
    ("2025-06-10", "proj_main", "Image models", "0.04"),
    # a bill without usage
    ("2025-06-11", "proj_main", "File search", "0.10"),
]

ANTHROPIC_COSTS = [
    # (day, workspace, description, token_type, service_tier, context_window, model, cents)
    # wrkspc_eng 2025-10-01 = 1,735 + 660 cents = $23.95 (matched)
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - Input Tokens",
        "uncached_input_tokens",
        "standard",
        "0-200k",
        "300",
    ),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - Cache Read Input Tokens",
        "cache_read_input_tokens",
        "standard",
        "0-200k",
        "60",
    ),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - 5m Cache Write Input Tokens",
        "cache_creation.ephemeral_5m_input_tokens",
        "standard",
        "0-200k",
        "375",
    ),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - 1h Cache Write Input Tokens",
        "cache_creation.ephemeral_1h_input_tokens",
        "standard",
        "0-200k",
        "600",
    ),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - Output Tokens",
        "output_tokens",
        "standard",
        "0-200k",
        "300",
    ),
    ("2025-10-01", "wrkspc_eng", "Web Search Usage", None, None, None, "100"),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - Input Tokens (Long Context)",
        "uncached_input_tokens",
        "standard",
        "200k-1M",
        "300",
    ),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - Cache Read Input Tokens (Long Context)",
        "cache_read_input_tokens",
        "standard",
        "200k-1M",
        "60",
    ),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - 5m Cache Write Input Tokens (Long Context)",
        "cache_creation.ephemeral_5m_input_tokens",
        "standard",
        "200k-1M",
        "74.99999",
    ),
    (
        "2025-10-01",
        "wrkspc_eng",
        "Claude Sonnet 4.5 Usage - Output Tokens (Long Context)",
        "output_tokens",
        "standard",
        "200k-1M",
        "225.00001",
    ),
    # the default workspace (null) 2025-10-20: 50 + 250 cents = $3.00 (matched)
    (
        "2025-10-20",
        None,
        "Claude Haiku 4.5 Usage - Input Tokens (Batch)",
        "uncached_input_tokens",
        "batch",
        "0-200k",
        "50",
    ),
    ("2025-10-20", None, "Claude Haiku 4.5 Usage - Output Tokens (Batch)", "output_tokens", "batch", "0-200k", "250"),
]


# The other OpenAI usage endpoints, all in project proj_tools (no bill: its reconciliation rows are usage_only):
# (table, day, fields). Costs worked out by hand in test_other_usage_is_priced_in_its_own_unit.
OPENAI_OTHER_USAGE = [
    ("embeddings", "2026-02-01", dict(model="text-embedding-3-small", input_tokens=1_000_000, num_model_requests=9)),
    ("moderations", "2026-02-01", dict(model="omni-moderation-latest", input_tokens=500_000, num_model_requests=4)),
    ("images", "2026-02-01", dict(model="dall-e-2", size="512x512", images=10, num_model_requests=10)),
    ("images", "2026-02-01", dict(model="dall-e-3", size="1024x1024", images=4, num_model_requests=4)),
    ("audio_speeches", "2026-02-01", dict(model="tts-1", characters=45_000, num_model_requests=3)),
    ("audio_transcriptions", "2026-02-01", dict(model="whisper-1", seconds=600, num_model_requests=2)),
    ("vector_stores", "2026-02-01", dict(usage_bytes=3 * 2**30)),
    ("code_interpreter_sessions", "2025-06-01", dict(num_sessions=5)),
    ("code_interpreter_sessions", "2026-07-01", dict(num_sessions=5)),
    ("file_search_calls", "2026-02-01", dict(num_requests=2_000)),
    ("web_search_calls", "2026-02-01", dict(model="gpt-5-2025-08-07", num_requests=1_500, num_model_requests=1_500)),
    ("web_search_calls", "2025-06-01", dict(model="gpt-5-2025-08-07", num_requests=100, num_model_requests=100)),
]


def _ts(day: str) -> datetime:
    return datetime.fromisoformat(day)


def _insert(conn, table_name: str, rows: list[dict]) -> None:
    table = RAW_TABLES[table_name]
    names = [name for name, _ in table.columns + METADATA_COLUMNS]
    loaded_at = datetime(2026, 11, 27, 6, 0)
    values = []
    for row in rows:
        row = dict(row)
        if table.partitioned:
            start = _ts(row["bucket_start"])
            row.update(bucket_start=start, bucket_end=start.replace(hour=23, minute=59), _partition_date=start.date())
        row.update(
            _source=table.source,
            _loaded_at=loaded_at,
            _run_id="test-run",
            _raw=json.dumps({k: v for k, v in row.items() if not k.startswith("_")}, default=str),
        )
        values.append([row.get(name) for name in names])
    placeholders = ", ".join("?" for _ in names)
    conn.executemany(f"insert into {table.qualified_name} ({', '.join(names)}) values ({placeholders})", values)


# finops.yaml of this warehouse: OpenAI's tolerance is 1% of its billed usage (at least the default $0.01), so
# the $0.04 o3 difference on $6.04 of 2025-06-10 is matched; Anthropic keeps the default $0.01.
FINOPS_YAML = """\
reconciliation:
  providers:
    openai:
      relative_pct: 1
"""


def _create_raw_landing(path: Path) -> None:
    (path.parent / "finops.yaml").write_text(FINOPS_YAML)
    with duckdb.connect(str(path)) as conn:
        write_config_tables(conn, load_config(path.parent / "finops.yaml"))  # as the dbt asset does before dbt
        conn.execute("create schema raw")
        for table in RAW_TABLES.values():
            columns = ", ".join(f"{name} {type_}" for name, type_ in table.columns + table.metadata_columns)
            conn.execute(f"create table {table.qualified_name} ({columns})")
        _insert(conn, "openai_completions_usage", OPENAI_USAGE)
        _insert(conn, "anthropic_messages_usage", ANTHROPIC_USAGE)
        for endpoint, day, fields in OPENAI_OTHER_USAGE:
            _insert(conn, f"openai_{endpoint}_usage", [dict(bucket_start=day, project_id="proj_tools", **fields)])
        _insert(
            conn,
            "openai_costs",
            [
                dict(
                    bucket_start=day,
                    project_id=project,
                    api_key_id=None,
                    line_item=line,
                    amount_value=D(amount),
                    amount_currency="usd",
                )
                for day, project, line, amount in OPENAI_COSTS
            ],
        )
        _insert(
            conn,
            "anthropic_cost_report",
            [
                dict(
                    bucket_start=day,
                    workspace_id=ws,
                    description=desc,
                    token_type=token_type,
                    service_tier=tier,
                    context_window=window,
                    cost_type="web_search" if token_type is None else "tokens",
                    model=None
                    if token_type is None
                    else ("claude-haiku-4-5" if "Haiku" in desc else "claude-sonnet-4-5-20250929"),
                    amount_cents=D(cents),
                    currency="USD",
                )
                for day, ws, desc, token_type, tier, window, cents in ANTHROPIC_COSTS
            ],
        )
        _insert(
            conn,
            "openai_projects",
            [
                dict(id="proj_main", name="Main app", status="active", created_at=datetime(2024, 1, 2)),
                dict(id="proj_tools", name="Assistants", status="active", created_at=datetime(2025, 1, 2)),
                dict(
                    id="proj_lab",
                    name="Research lab",
                    status="archived",
                    created_at=datetime(2024, 3, 4),
                    archived_at=datetime(2025, 1, 1),
                ),
            ],
        )
        _insert(
            conn, "anthropic_workspaces", [dict(id="wrkspc_eng", name="Engineering", created_at=datetime(2024, 10, 30))]
        )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    from orchestration.defs.transform.project import vars_arg

    home = tmp_path_factory.mktemp("finops_home")
    _create_raw_landing(home / "warehouse.duckdb")
    # the conformed models of the registered sources, as finops passes them on every dbt command
    result = run_dbt(home, ["build", *vars_arg()])
    require_success(result)
    return home / "warehouse.duckdb"


def query(path: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql, list(params)).fetchall()


def usage_costs(path: Path, where: str, params=()) -> dict:
    rows = query(
        path,
        "select usage_type, model_id, list_cost_usd, price_source from marts.fct_usage_cost_daily "
        f"where {where} order by usage_type",
        params,
    )
    return {usage_type: (model_id, cost, source) for usage_type, model_id, cost, source in rows}


def test_openai_cached_tokens_come_out_of_input_and_the_alias_resolves(warehouse):
    got = usage_costs(warehouse, "usage_date = '2024-10-15' and api_key_id = 'key_1'")
    assert got == {
        "input_tokens": ("gpt-4o-2024-08-06", D("1.50"), "explicit"),
        "cache_read_tokens": ("gpt-4o-2024-08-06", D("0.50"), "explicit"),
        "output_tokens": ("gpt-4o-2024-08-06", D("1.00"), "explicit"),
    }
    (quantity,) = query(
        warehouse,
        "select quantity from marts.fct_usage_cost_daily where usage_date = '2024-10-15' "
        "and api_key_id = 'key_1' and usage_type = 'input_tokens'",
    )[0]
    assert quantity == 600_000


def test_batch_is_half_price_via_the_modifier(warehouse):
    got = usage_costs(warehouse, "api_key_id = 'key_2'")
    assert got == {
        "input_tokens": ("gpt-4o-2024-08-06", D("2.50"), "modifier"),
        "output_tokens": ("gpt-4o-2024-08-06", D("5.00"), "modifier"),
    }
    got = usage_costs(warehouse, "account_id = 'default'")
    assert got == {
        "input_tokens": ("claude-haiku-4-5-20251001", D("0.50"), "modifier"),
        "output_tokens": ("claude-haiku-4-5-20251001", D("2.50"), "modifier"),
    }


def test_the_o3_price_cut(warehouse):
    rows = query(
        warehouse,
        "select usage_date, usage_type, unit_price_usd, list_cost_usd from marts.fct_usage_cost_daily "
        "where model_id = 'o3-2025-04-16' order by 1, 2",
    )
    assert rows == [
        (date(2025, 6, 9), "input_tokens", D(10), D("10.00")),
        (date(2025, 6, 9), "output_tokens", D(40), D("20.00")),
        (date(2025, 6, 10), "input_tokens", D(2), D("2.00")),
        (date(2025, 6, 10), "output_tokens", D(8), D("4.00")),
    ]


def test_the_o3_cut_in_mart_price_changes(warehouse):
    # the cut took input 10 -> 2, cached input 2.50 -> 0.50 and output 40 -> 8; its first 30 days priced
    # 2025-06-10's usage: 1,000,000 input ($2.00; $10.00 at the old price), no cached input, and 500,000 output
    # ($4.00; $20.00 at the old price)
    rows = query(
        warehouse,
        "select usage_type, old_unit_price_usd, new_unit_price_usd, price_change_pct, affected_quantity_30d, "
        "affected_spend_30d_usd, at_old_price_30d_usd, impact_30d_usd from marts.mart_price_changes "
        "where model_id = 'o3-2025-04-16' and service_tier = 'standard' and change_date = '2025-06-10' order by 1",
    )
    assert rows == [
        ("cache_read_tokens", D("2.5"), D("0.5"), D(-80), 0, D(0), D(0), D(0)),
        ("input_tokens", D(10), D(2), D(-80), 1_000_000, D("2.00"), D("10.00"), D("-8.00")),
        ("output_tokens", D(40), D(8), D(-80), 500_000, D("4.00"), D("20.00"), D("-16.00")),
    ]


def test_anthropic_cache_writes_and_the_long_context_tier(warehouse):
    short = usage_costs(warehouse, "account_id = 'wrkspc_eng' and context_tier = '0-200k'")
    assert {k: v[1] for k, v in short.items()} == {
        "input_tokens": D("3.00"),
        "cache_read_tokens": D("0.60"),
        "cache_write_tokens": D("3.75"),
        "cache_write_1h_tokens": D("6.00"),
        "output_tokens": D("3.00"),
        "web_search_requests": D("1.00"),
    }
    long = usage_costs(warehouse, "account_id = 'wrkspc_eng' and context_tier = '200k-1M'")
    assert {k: v[1] for k, v in long.items()} == {
        "input_tokens": D("3.00"),
        "cache_read_tokens": D("0.60"),
        "cache_write_tokens": D("0.75"),
        "output_tokens": D("2.25"),
    }


def test_unpriced_usage_is_flagged_with_null_cost(warehouse):
    rows = query(
        warehouse,
        "select usage_type, quantity, unit_price_usd, list_cost_usd, effective_cost_usd, is_priced, price_source "
        "from marts.fct_usage_cost_daily where model_id = 'mystery-model-9000' order by 1",
    )
    assert rows == [
        ("input_tokens", 1_000_000, None, None, None, False, "unpriced"),
        ("output_tokens", 1_000, None, None, None, False, "unpriced"),
    ]


def test_totals(warehouse):
    rows = dict(query(warehouse, "select provider, sum(list_cost_usd) from marts.fct_usage_cost_daily group by 1"))
    # openai: 3.00 + 7.50 + 0.25 + 30.00 + 6.00 + 21.385 (other usage); anthropic: 17.35 + 6.60 + 3.00 + 15.00
    assert rows == {"openai": D("68.135"), "anthropic": D("41.95")}
    billed = dict(query(warehouse, "select provider, sum(billed_cost_usd) from marts.fct_billed_cost_daily group by 1"))
    # openai: 10.50 + 4.25 + 30.00 + 6.08 + 0.10; anthropic: 2,395 + 300 cents
    assert billed == {"openai": D("50.93"), "anthropic": D("26.95")}


def test_other_usage_is_priced_in_its_own_unit(warehouse):
    rows = query(
        warehouse,
        "select usage_date, model_raw, usage_type, unit, quantity, unit_price_usd, list_cost_usd, is_priced "
        "from marts.fct_usage_cost_daily where account_id = 'proj_tools' order by 1, 3, 2",
    )
    # fmt: off
    assert rows == [
        # 5 sessions x $0.03
        (date(2025, 6, 1), "(none)", "code_interpreter_sessions", "per_session", 5, D("0.03"), D("0.15"), True),
        # web search before the first dated price in the book: unpriced, never $0
        (date(2025, 6, 1), "gpt-5-2025-08-07", "web_search_requests", "per_1k_requests", 100, None, None, False),
        # 2,000 calls x $2.50 / 1k
        (date(2026, 2, 1), "(none)", "file_search_calls", "per_1k_requests", 2000, D("2.5"), D("5.00"), True),
        # dall-e-3 prices depend on a quality the usage report does not give: unpriced
        (date(2026, 2, 1), "dall-e-3", "images_1024x1024", "per_image", 4, None, None, False),
        # 10 images x $0.018
        (date(2026, 2, 1), "dall-e-2", "images_512x512", "per_image", 10, D("0.018"), D("0.18"), True),
        # 1,000,000 tokens x $0.02 / 1M; moderation is free (priced at $0, not unpriced)
        (date(2026, 2, 1), "omni-moderation-latest", "input_tokens", "per_1m_tokens", 500000, D(0), D(0), True),
        (date(2026, 2, 1), "text-embedding-3-small", "input_tokens", "per_1m_tokens", 1000000, D("0.02"), D("0.02"), True),
        # 45,000 characters x $15 / 1M = $0.675
        (date(2026, 2, 1), "tts-1", "speech_characters", "per_1m_characters", 45000, D(15), D("0.675"), True),
        # 600 seconds x $0.0001 ($0.006 a minute)
        (date(2026, 2, 1), "whisper-1", "transcription_seconds", "per_second", 600, D("0.0001"), D("0.06"), True),
        # 3 x 2^30 bytes over one day = 3 GiB-days x $0.10
        (date(2026, 2, 1), "(none)", "vector_store_bytes", "per_gib_day", 3 * 2**30, D("0.1"), D("0.30"), True),
        # 1,500 calls x $10 / 1k
        (date(2026, 2, 1), "gpt-5-2025-08-07", "web_search_requests", "per_1k_requests", 1500, D(10), D("15.00"), True),
        # from 2026-03-31 sessions are billed by duration and memory, which usage does not carry: unpriced
        (date(2026, 7, 1), "(none)", "code_interpreter_sessions", "per_session", 5, None, None, False),
    ]
    # fmt: on


def test_billed_costs_are_exact_dollars_with_models(warehouse):
    rows = query(
        warehouse,
        "select line_item, model_id, billed_cost_usd from marts.fct_billed_cost_daily "
        "where usage_date = '2025-10-01' and line_item like '%Long Context%' order by 1",
    )
    assert rows[0] == (
        "Claude Sonnet 4.5 Usage - 5m Cache Write Input Tokens (Long Context) | standard | 200k-1M"
        " | cache_creation.ephemeral_5m_input_tokens",
        "claude-sonnet-4-5-20250929",
        D("0.7499999"),  # 74.99999 cents
    )
    (o3,) = query(warehouse, "select model_id from marts.fct_billed_cost_daily where line_item = 'o3, output'")[0]
    assert o3 == "o3-2025-04-16"
    (images,) = query(warehouse, "select model_id from marts.fct_billed_cost_daily where line_item = 'Image models'")[0]
    assert images is None


def test_reconciliation_statuses(warehouse):
    rows = query(
        warehouse,
        "select usage_date, provider, account_id, status, computed_cost_usd, billed_usage_usd, variance_usd, "
        "variance_pct, billed_other_usage_usd, billed_cost_usd, unpriced_quantity, likely_cause, unpriced_cause, "
        "tolerance_usd, unpriced_billed_usd "
        "from marts.fct_cost_reconciliation_daily order by 1, 2, 3",
    )
    # (day, provider, account, status, computed, billed usage, variance, variance %, other billed, billed, unpriced,
    #  likely cause, unpriced cause, tolerance, billed for the unpriced models). OpenAI's tolerance is
    #  greatest($0.01, 1% of its compared billed usage) (FINOPS_YAML), Anthropic's the default $0.01.
    # fmt: off
    assert rows == [
        # unpriced AND priced usage: mystery-model-9000 leaves both sides, so gpt-4o's $0.25 is compared with its own
        # $0.25 line (variance 0, not -4.00); the $4.00 billed for the unknown model is reported beside it
        (
            date(2024, 10, 15), "openai", "proj_lab", "unpriced_usage", D("0.25"), D("4.25"), D(0), D(0), D(0),
            D("4.25"), 1_001_000, "unpriced_model", "unpriced_model", D("0.01"), D("4.00"),
        ),
        # 1% x 10.50 = 0.105 > 0.01
        (
            date(2024, 10, 15), "openai", "proj_main", "matched", D("10.50"), D("10.50"), D(0), D(0), D(0),
            D("10.50"), 0, None, None, D("0.105"), D(0),
        ),
        # proj_tools' other usage (no bill): usage_only; the web searches of 2025-06-01 predate their price
        (
            date(2025, 6, 1), "openai", "proj_tools", "usage_only", D("0.15"), D(0), D("0.15"), None, D(0), D(0),
            100, "not_billed", "usage_type_not_priced", D("0.01"), D(0),
        ),
        (
            date(2025, 6, 9), "openai", "proj_main", "matched", D("30.00"), D("30.00"), D(0), D(0), D(0),
            D("30.00"), 0, None, None, D("0.30"), D(0),
        ),
        # 6.00 - 6.04 = -0.04; -0.04 / 6.04 x 100 = -0.662251655...; with the default $0.01 this was a variance,
        # finops.yaml's 1% makes the tolerance 0.0604 >= 0.04: matched. The $0.04 of images is not variance.
        (
            date(2025, 6, 10), "openai", "proj_main", "matched", D("6.00"), D("6.04"), D("-0.04"), D("-0.662252"),
            D("0.04"), D("6.08"), 0, None, None, D("0.0604"), D(0),
        ),
        # a file-search bill without usage: nothing to compare, nothing unexplained
        (
            date(2025, 6, 11), "openai", "proj_main", "billed_only", D(0), D(0), D(0), None, D("0.10"), D("0.10"),
            0, "no_usage_reported", None, D("0.01"), D(0),
        ),
        (
            date(2025, 10, 1), "anthropic", "wrkspc_eng", "matched", D("23.95"), D("23.95"), D(0), D(0), D(0),
            D("23.95"), 0, None, None, D("0.01"), D(0),
        ),
        (
            date(2025, 10, 1), "anthropic", "wrkspc_gone", "usage_only", D("15.00"), D(0), D("15.00"), None, D(0),
            D(0), 0, "not_billed", None, D("0.01"), D(0),
        ),
        (
            date(2025, 10, 20), "anthropic", "default", "matched", D("3.00"), D("3.00"), D(0), D(0), D(0),
            D("3.00"), 0, None, None, D("0.01"), D(0),
        ),
        # dall-e-3 is in no price book row; the code-interpreter price ended 2026-03-31 (its usage type is in the book)
        (
            date(2026, 2, 1), "openai", "proj_tools", "usage_only", D("21.235"), D(0), D("21.235"), None, D(0),
            D(0), 4, "not_billed", "unpriced_model", D("0.01"), D(0),
        ),
        (
            date(2026, 7, 1), "openai", "proj_tools", "usage_only", D(0), D(0), D(0), None, D(0), D(0), 5,
            "not_billed", "usage_type_not_priced", D("0.01"), D(0),
        ),
    ]
    # fmt: on


def test_dim_account_names_every_account(warehouse):
    rows = query(
        warehouse, "select provider, account_id, account_name, status, is_listed from marts.dim_account order by 1, 2"
    )
    assert rows == [
        ("anthropic", "default", "Default workspace", "active", False),
        ("anthropic", "wrkspc_eng", "Engineering", "active", True),
        ("anthropic", "wrkspc_gone", "wrkspc_gone", "unlisted", False),
        ("openai", "proj_lab", "Research lab", "archived", True),
        ("openai", "proj_main", "Main app", "active", True),
        ("openai", "proj_tools", "Assistants", "active", True),
    ]
    names = query(
        warehouse, "select distinct account_name from marts.fct_usage_cost_daily where account_id = 'default'"
    )
    assert names == [("Default workspace",)]


def test_dim_price_and_dim_model(warehouse):
    rows = query(
        warehouse,
        "select effective_from, effective_to, unit_price_usd from marts.dim_price where model_id = 'o3-2025-04-16' "
        # OpenAI's own o3 (genai-prices also prices Azure's o3-2025-04-16, under provider azure_openai)
        "and provider = 'openai' and usage_type = 'output_tokens' and service_tier = 'standard' order by 1",
    )
    assert rows == [(date(2025, 4, 16), date(2025, 6, 10), D(40)), (date(2025, 6, 10), None, D(8))]
    rows = query(
        warehouse,
        "select model_id, has_price, first_price_date, last_price_date from marts.dim_model "
        "where provider = 'openai' and model_id in ('o3-2025-04-16', 'mystery-model-9000') order by 1",
    )
    assert rows == [
        ("mystery-model-9000", False, None, None),
        ("o3-2025-04-16", True, date(2025, 4, 16), date(2025, 6, 10)),
    ]


def test_money_columns_are_decimal(warehouse):
    rows = query(
        warehouse,
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts') and column_name like '%\\_usd' escape '\\' "
        "order by 1, 2, 3",
    )
    assert len(rows) >= 10
    wrong = [r for r in rows if not r[3].startswith("DECIMAL")]
    assert wrong == []
    money = {(t, c): ty for s, t, c, ty in rows if s == "marts"}
    for column in ("unit_price_usd", "list_cost_usd", "effective_cost_usd"):
        assert money[("fct_usage_cost_daily", column)] == "DECIMAL(38,12)"
    assert money[("fct_billed_cost_daily", "billed_cost_usd")] == "DECIMAL(38,12)"
    for column in ("computed_cost_usd", "billed_cost_usd", "variance_usd"):
        assert money[("fct_cost_reconciliation_daily", column)] == "DECIMAL(38,12)"
