"""Allocation of the provider ledger to teams (issue 10 items 1 and 2): a small Anthropic ledger, two request-log
lines and an ownership section in finops.yaml, built through dbt; every team's showback worked out by hand.

Prices (pricing_seeds/price_book.csv, standard tier, input tokens): claude-opus-4-6 $5 / 1M, claude-haiku-4-5
$1 / 1M. Every ledger line below is input tokens only, so its cost is tokens x price / 1,000,000.

2026-03-10 (ledger $22.50):
    wrkspc_search key_s   1,000,000 opus = $5.00   direct: account owned by search
    wrkspc_bots   key_bot   200,000 opus = $1.00   direct: the key rule (support until 03-15) beats the account's
    wrkspc_bots   key_x     400,000 opus = $2.00   direct: the account rule (platform)
    wrkspc_shared key_sh  2,000,000 opus = $10.00  proportional to the day's opus requests: tag project=search-v2
                                                   150,000 x $5 = $0.75 (search), team "platform" 50,000 x $5 =
                                                   $0.25 (platform): 3:1 -> search $7.50, platform $2.50 (each
                                                   prompt under 200k: the long-context tier does not apply)
    wrkspc_tools  key_t   1,000,000 haiku = $1.00  even across platform, search, support: 0.333333333333 each,
                                                   the 10^-12 residue to the first (platform, by name):
                                                   platform 0.333333333334
    wrkspc_misc   key_m     600,000 opus = $3.00   fixed 60/40: search $1.80, platform $1.20
    wrkspc_orphan key_o     100,000 opus = $0.50   no rule: unallocated
    wrkspc_orphan key_o   an unknown model        unpriced: unallocated with a NULL cost
  search   5.00 + 7.50 + 0.333333333333 + 1.80 = 14.633333333333
  platform 2.00 + 2.50 + 0.333333333334 + 1.20 =  6.033333333334
  support  1.00 + 0.333333333333               =  1.333333333333
  unallocated                                   =  0.50
  sum: 14.633333333333 + 6.033333333334 + 1.333333333333 + 0.50 = 22.50 = the ledger, exactly
2026-03-20 (ledger $2.00):
    wrkspc_bots   key_bot   200,000 opus = $1.00   direct: the key moved to platform on 03-15
    wrkspc_shared key_sh    200,000 opus = $1.00   proportional, but no request that day: unallocated, with a note
"""

import json
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from dbt_inprocess import require_success, run_dbt

from connectors.anthropic.tables import ANTHROPIC_MESSAGES_USAGE
from connectors.jsonl_requests.tables import JSONL_REQUESTS
from orchestration.config import load_config, write_config_tables
from orchestration.loader import ensure_raw_tables, land, land_file

pytestmark = pytest.mark.slow

D = Decimal
DAY1, DAY2 = date(2026, 3, 10), date(2026, 3, 20)
OPUS, HAIKU = "claude-opus-4-6", "claude-haiku-4-5-20251001"

FINOPS_YAML = """\
ownership:
  teams:
    - {name: search, cost_center: CC-1}
    - {name: platform, cost_center: CC-2}
    - {name: support}
  owners:
    - {provider: anthropic, account: wrkspc_search, team: search, feature: ranking}
    - {provider: anthropic, account: wrkspc_bots, team: platform}
    - {provider: anthropic, account: wrkspc_bots, api_key: key_bot, team: support, to: 2026-03-15}
    - {provider: anthropic, account: wrkspc_bots, api_key: key_bot, team: platform, from: 2026-03-15}
  request_rules:
    - when: {tag: {project: search-v2}}
      team: search
      feature: ranking
  shared:
    - {provider: anthropic, account: wrkspc_shared, method: proportional}
    - {account: wrkspc_tools, model: claude-haiku-*, method: even, teams: [search, support, platform]}
    - {provider: anthropic, account: wrkspc_misc, method: fixed, shares: {search: 60, platform: 40}}
"""


def usage(day: date, workspace: str, key: str, model: str, tokens: int) -> dict:
    row = dict.fromkeys(ANTHROPIC_MESSAGES_USAGE.column_names)
    start = datetime(day.year, day.month, day.day)
    row |= {
        "bucket_start": start,
        "bucket_end": start.replace(hour=23, minute=59),
        "workspace_id": workspace,
        "api_key_id": key,
        "model": model,
        "service_tier": "standard",
        "context_window": "0-200k",
        "uncached_input_tokens": tokens,
    }
    return {**row, "_raw": {"model": model}}


LEDGER = [
    usage(DAY1, "wrkspc_search", "key_s", OPUS, 1_000_000),
    usage(DAY1, "wrkspc_bots", "key_bot", OPUS, 200_000),
    usage(DAY1, "wrkspc_bots", "key_x", OPUS, 400_000),
    usage(DAY1, "wrkspc_shared", "key_sh", OPUS, 2_000_000),
    usage(DAY1, "wrkspc_tools", "key_t", HAIKU, 1_000_000),
    usage(DAY1, "wrkspc_misc", "key_m", OPUS, 600_000),
    usage(DAY1, "wrkspc_orphan", "key_o", OPUS, 100_000),
    usage(DAY1, "wrkspc_orphan", "key_o", "mystery-model-9000", 100_000),
    usage(DAY2, "wrkspc_bots", "key_bot", OPUS, 200_000),
    usage(DAY2, "wrkspc_shared", "key_sh", OPUS, 200_000),
]


def request(request_id: str, tokens: int, team: str | None, tags: dict | None) -> dict:
    row = dict.fromkeys(JSONL_REQUESTS.column_names)
    return row | {
        "request_id": request_id,
        "requested_at": datetime(2026, 3, 10, 12, 0),
        "provider": "anthropic",
        "model": OPUS,
        "service_tier": "standard",
        "status": "success",
        "input_tokens": tokens,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "cache_write_1h_tokens": 0,
        "output_tokens": 0,
        "reasoning_tokens": 0,
        "team": team,
        "tags": json.dumps(tags) if tags else None,
    }


REQUESTS = [
    request("r1", 150_000, "Search", {"project": "search-v2"}),  # the rule wins over the raw "Search"
    request("r2", 50_000, "platform", None),  # no rule: the log's own team, a declared one
]


def build_warehouse(home, *select: str):
    """Land the ledger, the requests and finops.yaml under ``home`` and ``dbt build`` ``select`` (no unit tests)."""
    from orchestration.defs.transform.project import vars_arg

    (home / "finops.yaml").write_text(FINOPS_YAML)
    path = home / "warehouse.duckdb"
    with duckdb.connect(str(path)) as conn:
        ensure_raw_tables(conn)
        write_config_tables(conn, load_config(home / "finops.yaml"))
        land(conn, ANTHROPIC_MESSAGES_USAGE, LEDGER, run_id="run-1", window=(DAY1, date(2026, 3, 21)))
        land_file(conn, JSONL_REQUESTS, REQUESTS, path="requests.jsonl", digest="d1", run_id="run-1")
    selection = ["--select", *select, "--exclude", "test_type:unit", "--indirect-selection", "cautious"]
    require_success(run_dbt(home, ["build", *vars_arg(), *selection]))
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    # the allocation's descendants, and the daily request roll-ups the monthly marts among them read
    return build_warehouse(
        tmp_path_factory.mktemp("finops_home"),
        "+fct_allocated_cost_daily+",
        "int_requests_attributed_daily",
        "int_request_users_daily",
    )


def query(path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_each_teams_showback_is_the_hand_computation(warehouse):
    rows = query(
        warehouse,
        "select usage_date, team, sum(allocated_cost_usd) from marts.fct_allocated_cost_daily "
        "group by all order by 1, 2",
    )
    assert rows == [
        (DAY1, "(unallocated)", D("0.50")),  # the orphan's priced $0.50; its unpriced row adds NULL, not $0
        (DAY1, "platform", D("6.033333333334")),
        (DAY1, "search", D("14.633333333333")),
        (DAY1, "support", D("1.333333333333")),
        (DAY2, "(unallocated)", D("1.00")),
        (DAY2, "platform", D("1.00")),
    ]


def test_allocated_plus_unallocated_is_the_ledger_every_day(warehouse):
    ledger = query(
        warehouse,
        "select usage_date, sum(list_cost_usd) from marts.fct_usage_cost_daily where is_priced group by 1 order by 1",
    )
    allocated = query(
        warehouse,
        "select usage_date, sum(allocated_cost_usd) from marts.fct_allocated_cost_daily group by 1 order by 1",
    )
    assert ledger == allocated == [(DAY1, D("22.50")), (DAY2, D("2.00"))]


def test_each_row_says_its_method_rule_and_why(warehouse):
    rows = query(
        warehouse,
        "select usage_date, account_id, team, feature, allocation_method, rule_id, allocation_note, "
        "allocated_cost_usd, cost_center from marts.fct_allocated_cost_daily order by 1, 2, 3, 8",
    )
    no_rule = "no owner or shared rule covers it"
    assert rows == [
        (DAY1, "wrkspc_bots", "platform", "(none)", "direct", "owners[2]", None, D("2.00"), "CC-2"),
        (DAY1, "wrkspc_bots", "support", "(none)", "direct", "owners[3]", None, D("1.00"), None),
        (DAY1, "wrkspc_misc", "platform", "(none)", "fixed_share", "shared[3]", None, D("1.20"), "CC-2"),
        (DAY1, "wrkspc_misc", "search", "(none)", "fixed_share", "shared[3]", None, D("1.80"), "CC-1"),
        (DAY1, "wrkspc_orphan", "(unallocated)", "(none)", "unallocated", "(none)", no_rule, D("0.50"), None),
        (
            DAY1,
            "wrkspc_orphan",
            "(unallocated)",
            "(none)",
            "unallocated",
            "(none)",
            "unpriced usage: its cost is unknown",
            None,
            None,
        ),
        (DAY1, "wrkspc_search", "search", "ranking", "direct", "owners[1]", None, D("5.00"), "CC-1"),
        (DAY1, "wrkspc_shared", "platform", "(none)", "proportional", "shared[1]", None, D("2.50"), "CC-2"),
        (DAY1, "wrkspc_shared", "search", "ranking", "proportional", "shared[1]", None, D("7.50"), "CC-1"),
        (DAY1, "wrkspc_tools", "platform", "(none)", "even", "shared[2]", None, D("0.333333333334"), "CC-2"),
        (DAY1, "wrkspc_tools", "search", "(none)", "even", "shared[2]", None, D("0.333333333333"), "CC-1"),
        (DAY1, "wrkspc_tools", "support", "(none)", "even", "shared[2]", None, D("0.333333333333"), None),
        (DAY2, "wrkspc_bots", "platform", "(none)", "direct", "owners[4]", None, D("1.00"), "CC-2"),
        (
            DAY2,
            "wrkspc_shared",
            "(unallocated)",
            "(none)",
            "unallocated",
            "shared[1]",
            "proportional: no priced request that day for this model",
            D("1.00"),
            None,
        ),
    ]


def test_dim_team_has_the_declared_teams_and_unallocated(warehouse):
    assert query(warehouse, "select team, cost_center, is_cost_owner from marts.dim_team order by 1") == [
        ("(unallocated)", None, False),
        ("platform", "CC-2", True),
        ("search", "CC-1", True),
        ("support", None, True),
    ]


def test_tag_coverage_is_the_share_allocated_through_requests(warehouse):
    rows = query(
        warehouse,
        "select usage_date, ledger_cost_usd, direct_usd, proportional_usd, even_usd, fixed_share_usd, "
        "unallocated_usd, tag_coverage_share, allocated_share from marts.mart_allocation_coverage_daily order by 1",
    )
    assert rows == [
        # direct 5 + 1 + 2 = 8; proportional 10; even 1; fixed 3; unallocated 0.50: 22.50
        # tag coverage 10 / 22.50 = 0.4444...; allocated (22.50 - 0.50) / 22.50 = 0.97777... -> 0.977778
        (DAY1, D("22.5"), D(8), D(10), D(1), D(3), D("0.5"), D("0.444444"), D("0.977778")),
        # direct 1 (the moved key); the shared account's $1 has no requests that day: 1 / 2 allocated
        (DAY2, D(2), D(1), D(0), D(0), D(0), D(1), D(0), D("0.5")),
    ]


def attributed(path) -> list[tuple]:
    """(request, day, team, attributed_by, the build that wrote the row) of int_requests_attributed."""
    return query(
        path,
        "select request_id, usage_date, team, attributed_by, built_at from intermediate.int_requests_attributed "
        "order by request_id",
    )


def rolled_up(path) -> list[tuple]:
    """(day, team, requests, the build that wrote the row) of int_requests_attributed_daily, with the day's users
    (int_request_users_daily) beside them."""
    return query(
        path,
        "select d.usage_date, d.team, d.requests, d.built_at, list(u.user_id order by u.user_id) "
        "from intermediate.int_requests_attributed_daily as d "
        "left join intermediate.int_request_users_daily as u on d.usage_date = u.usage_date and d.team = u.team "
        "group by all order by 1, 2",
    )


ROLL_UPS = ("+int_requests_attributed_daily", "+int_request_users_daily")


def test_attribution_rebuilds_only_the_new_day_unless_the_request_rules_change(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = build_warehouse(home, *ROLL_UPS)
    first = attributed(path)
    first_daily = rolled_up(path)
    assert [row[:4] for row in first] == [
        ("r1", DAY1, "search", "request_rule"),  # tag project=search-v2
        ("r2", DAY1, "platform", "request_team"),
    ]

    def rebuild():
        from orchestration.defs.transform.project import vars_arg

        selection = ["--select", *ROLL_UPS, "--exclude", "test_type:unit"]
        require_success(run_dbt(home, ["build", *vars_arg(), *selection, "--indirect-selection", "cautious"]))

    # a new day's file: only that day is attributed again; the 10th keeps the rows its first build wrote
    new_day = request("r3", 10_000, "support", None) | {"requested_at": datetime(2026, 3, 11, 9, 0), "user_id": "u7"}
    with duckdb.connect(str(path)) as conn:
        land_file(conn, JSONL_REQUESTS, [new_day], path="requests-2.jsonl", digest="d2", run_id="run-2")
    rebuild()
    second = attributed(path)
    assert second[:2] == first
    assert second[2][:4] == ("r3", date(2026, 3, 11), "support", "request_team")
    assert second[2][4] > first[0][4]
    # the roll-ups likewise: the 10th's rows as they were, the 11th's from this build
    second_daily = rolled_up(path)
    assert second_daily[:2] == first_daily
    assert second_daily[2] == (date(2026, 3, 11), "support", 1, second[2][4], ["u7"])

    # the rule now gives the tagged request to platform: every day is attributed again, with no new request
    (home / "finops.yaml").write_text(
        FINOPS_YAML.replace("      team: search\n      feature: ranking", "      team: platform")
    )
    with duckdb.connect(str(path)) as conn:
        write_config_tables(conn, load_config(home / "finops.yaml"))
    rebuild()
    third = attributed(path)
    assert [row[:4] for row in third] == [
        ("r1", DAY1, "platform", "request_rule"),
        ("r2", DAY1, "platform", "request_team"),
        ("r3", date(2026, 3, 11), "support", "request_team"),
    ]
    assert len({row[4] for row in third}) == 1 and third[0][4] > second[2][4]
    # and so are the roll-ups: the 10th's two requests are both platform's now, every row from this build
    third_daily = rolled_up(path)
    assert [row[:3] for row in third_daily] == [(DAY1, "platform", 2), (date(2026, 3, 11), "support", 1)]
    assert {row[3] for row in third_daily} == {third[0][4]}
    assert [row[4] for row in third_daily] == [[None], ["u7"]]  # the 10th's requests name no user
