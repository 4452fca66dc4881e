"""The Claude Code usage report through the connector, the landing and dbt: one day of records shaped as
Anthropic documents them, worked out by hand (123456 cents = $1234.56), into stg_anthropic__claude_code_usage
(per model), stg_anthropic__claude_code_activity (per actor-day) and fct_claude_code_usage_daily; and an
estimate in another currency than USD stops the build instead of being summed as dollars."""

import json
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
import responses
from dbt_inprocess import require_success, run_dbt, vars_with

from connectors.anthropic import AnthropicAdminClient
from connectors.anthropic.tables import ANTHROPIC_CLAUDE_CODE_USAGE, ANTHROPIC_USERS
from orchestration.loader import ensure_raw_tables, land
from orchestration.quality import dbt_tests

pytestmark = pytest.mark.slow

D = Decimal
BASE = "https://api.anthropic.test"
DAY, NEXT_DAY = date(2025, 8, 8), date(2025, 8, 9)
SONNET, HAIKU = "claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"


def model(name: str, cents, tokens: tuple[int, int, int, int], currency: str = "USD") -> dict:
    keys = ("input", "output", "cache_read", "cache_creation")
    return {
        "model": name,
        "tokens": dict(zip(keys, tokens, strict=True)),
        "estimated_cost": {"amount": cents, "currency": currency},
    }


def record(actor: dict, models: list, *, sessions: int, lines=(0, 0), commits=0, prs=0, tools=None, **fields):
    return {
        "actor": actor,
        "core_metrics": {
            "commits_by_claude_code": commits,
            "lines_of_code": {"added": lines[0], "removed": lines[1]},
            "num_sessions": sessions,
            "pull_requests_by_claude_code": prs,
        },
        "customer_type": "api",
        "date": "2025-08-08T00:00:00Z",
        "model_breakdown": models,
        "organization_id": "12345678-1234-5678-1234-567812345678",
        "subscription_type": None,
        "tool_actions": tools if tools is not None else {},
        **fields,
    }


DANA = {"type": "user_actor", "email_address": "dana@example.com"}
GRACE = {"type": "user_actor", "email_address": "grace@example.com"}
CI = {"type": "api_actor", "api_key_name": "ci-runner"}
RECORDS = [
    # Dana, local, in VS Code: Sonnet 123456 cents = $1234.56, Haiku 42 cents
    record(
        DANA,
        [model(SONNET, 123456, (1000, 200, 3000, 400)), model(HAIKU, 42, (100, 20, 300, 40))],
        sessions=4,
        lines=(300, 100),
        commits=2,
        prs=1,
        tools={"edit_tool": {"accepted": 10, "rejected": 1}, "write_tool": {"accepted": 5, "rejected": 0}},
        terminal_type="vscode",
        is_remote=False,
    ),
    # Dana, local, in iTerm: a second record of the same actor-day (summed), half a cent of Haiku
    record(
        DANA,
        [model(HAIKU, 0.5, (10, 2, 30, 4))],
        sessions=1,
        lines=(20, 5),
        tools={"edit_tool": {"accepted": 2, "rejected": 1}},
        terminal_type="iTerm.app",
        is_remote=False,
    ),
    # Dana, remote: reported apart
    record(DANA, [model(SONNET, 100, (50, 5, 0, 0))], sessions=1, terminal_type="web", is_remote=True),
    # a CI key that opened sessions but called no model: zero tokens, $0; no is_remote (older reports)
    record(CI, [], sessions=2, terminal_type="tmux"),
    # a Team seat, not a member of the Console organisation; the older `date` format
    {
        **record(GRACE, [model(SONNET, 250, (70, 7, 0, 0))], sessions=1, terminal_type="vscode"),
        "customer_type": "subscription",
        "subscription_type": "team",
        "date": "2025-08-08",
    },
]


def pulled(records: list[dict]) -> list[dict]:
    """The raw rows the connector makes of one day's report (two pages)."""
    with responses.RequestsMock() as mock:
        path = f"{BASE}/v1/organizations/usage_report/claude_code"
        mock.get(path, json={"data": records[:2], "has_more": True, "next_page": "page_2"})
        mock.get(path, json={"data": records[2:], "has_more": False, "next_page": None})
        with AnthropicAdminClient("sk-ant-admin01-test-dbt", BASE) as client:
            return list(client.iter_claude_code_usage(DAY, NEXT_DAY))


def build(home, records: list[dict], select: list[str]):
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        ensure_raw_tables(conn)
        land(conn, ANTHROPIC_CLAUDE_CODE_USAGE, pulled(records), run_id="run-1", window=(DAY, NEXT_DAY))
        users = [
            {"id": "user_dana", "name": "Dana Whitfield", "email": "Dana@Example.com", "role": "admin", "_raw": {}},
        ]
        land(conn, ANTHROPIC_USERS, users, run_id="run-1", loaded_at=datetime(2025, 8, 9, 6, 0))
    return run_dbt(home, ["build", *vars_with(), "--select", *select])


def query(home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("finops_home")
    result = build(home, RECORDS, ["+fct_claude_code_usage_daily"])
    require_success(result)
    return home


def test_tokens_and_the_estimate_per_model_in_exact_dollars(home):
    rows = query(
        home,
        "select actor, customer_type, is_remote, model_raw, input_tokens, output_tokens, cache_read_tokens, "
        "cache_creation_tokens, estimated_cost_cents, estimated_cost_usd "
        "from staging.stg_anthropic__claude_code_usage order by all",
    )
    assert rows == [
        # Haiku over Dana's two local records: 42 + 0.5 cents
        ("dana@example.com", "api", False, HAIKU, 110, 22, 330, 44, D("42.5"), D("0.425")),
        ("dana@example.com", "api", False, SONNET, 1000, 200, 3000, 400, D("123456"), D("1234.56")),
        ("dana@example.com", "api", True, SONNET, 50, 5, 0, 0, D("100"), D("1.00")),
        ("grace@example.com", "subscription", False, SONNET, 70, 7, 0, 0, D("250"), D("2.50")),
    ]
    (money_type,) = query(
        home,
        "select data_type from information_schema.columns where table_name = 'stg_anthropic__claude_code_usage' "
        "and column_name = 'estimated_cost_usd'",
    )
    assert money_type == ("DECIMAL(38,12)",)


def test_what_claude_code_produced_per_actor_day(home):
    rows = query(
        home,
        "select actor_type, actor, is_remote, terminal_types, report_records, num_sessions, lines_of_code_added, "
        "lines_of_code_removed, commits_by_claude_code, pull_requests_by_claude_code, tool_actions_accepted, "
        "tool_actions_rejected from staging.stg_anthropic__claude_code_activity order by all",
    )
    assert rows == [
        ("api_actor", "ci-runner", False, "tmux", 1, 2, 0, 0, 0, 0, 0, 0),
        ("user_actor", "dana@example.com", False, "iTerm.app, vscode", 2, 5, 320, 105, 2, 1, 17, 2),
        ("user_actor", "dana@example.com", True, "web", 1, 1, 0, 0, 0, 0, 0, 0),
        ("user_actor", "grace@example.com", False, "vscode", 1, 1, 0, 0, 0, 0, 0, 0),
    ]


def test_the_mart_answers_who_how_much_at_what_estimated_cost_and_what_it_produced(home):
    rows = query(
        home,
        "select usage_date, actor_type, actor, customer_type, is_remote, user_name, subscription_type, models, "
        "num_sessions, lines_of_code_added, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
        "estimated_cost_usd from marts.fct_claude_code_usage_daily order by all",
    )
    assert rows == [
        (DAY, "api_actor", "ci-runner", "api", False, None, None, None, 2, 0, 0, 0, 0, 0, D("0")),
        (
            DAY,
            "user_actor",
            "dana@example.com",
            "api",
            False,
            "Dana Whitfield",  # a member of the Anthropic organisation, matched by email whatever its case
            None,
            f"{HAIKU}, {SONNET}",
            5,
            320,
            1110,
            222,
            3330,
            444,
            D("1234.985"),  # (123456 + 42 + 0.5) cents
        ),
        (DAY, "user_actor", "dana@example.com", "api", True, "Dana Whitfield", None, SONNET, 1, 0, 50, 5, 0, 0, D("1")),
        (
            DAY,
            "user_actor",
            "grace@example.com",
            "subscription",
            False,
            None,
            "team",
            SONNET,
            1,
            0,
            70,
            7,
            0,
            0,
            D("2.5"),
        ),
    ]


def test_the_report_feeds_no_usage_or_billing(home):
    """The report is an attribution view: only its two staging models read it, and only the mart reads them
    (never a conformed model or a union, which would count the API usage twice)."""
    manifest = json.loads((home / "dbt_target" / "manifest.json").read_text())
    children = manifest["child_map"]
    models = lambda node: sorted(c.split(".")[-1] for c in children[node] if c.startswith("model."))  # noqa: E731
    assert models("source.ai_spend.anthropic.claude_code_usage") == [
        "stg_anthropic__claude_code_activity",
        "stg_anthropic__claude_code_usage",
    ]
    for staging in ("stg_anthropic__claude_code_activity", "stg_anthropic__claude_code_usage"):
        assert models(f"model.ai_spend.{staging}") == ["fct_claude_code_usage_daily"]
        assert "finops_conformed" not in manifest["nodes"][f"model.ai_spend.{staging}"]["config"]["meta"]
    assert models("model.ai_spend.fct_claude_code_usage_daily") == []


def test_an_estimate_in_another_currency_stops_the_build(tmp_path):
    euro = [record(DANA, [model(SONNET, 100, (1, 1, 0, 0), currency="EUR")], sessions=1, terminal_type="vscode")]
    result = build(tmp_path, euro, ["stg_anthropic__claude_code_usage"])
    assert not result.success
    failed = [r.node for r in result.result.results if str(r.status) == "fail"]
    assert [(n.test_metadata.name, n.attached_node) for n in failed] == [
        ("not_null_columns", "model.ai_spend.stg_anthropic__claude_code_usage")
    ]
    # one test covers the model's not-null columns; the Data health row says which of them held the null
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        outcomes = dbt_tests.record(conn, tmp_path / "dbt_target", run_id="run-1")
    (outcome,) = [o for o in outcomes if o.status == "failed"]
    assert (outcome.check_name, outcome.status, outcome.unexpected_count) == ("not_null_columns", "failed", 1)
    assert outcome.observed_value == "1 failing row: nulls in estimated_cost_usd (1)"
    assert outcome.description.startswith("usage_date, actor_type, actor, ") and outcome.description.endswith(
        "and estimated_cost_usd of stg_anthropic__claude_code_usage are never null"
    )
