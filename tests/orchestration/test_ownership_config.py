"""finops.yaml section ownership: teams, owners (effective-dated), request rules and shared-spend rules, validated
with line numbers and written to schema config as the tables dbt allocates from."""

from datetime import date
from decimal import Decimal as D

import duckdb
import pytest

from orchestration.config import ConfigError, ensure_config_tables, load_config, write_config_tables
from orchestration.ownership import model_like

GOOD = """\
ownership:
  teams:
    - {name: search, cost_center: CC-1}
    - {name: platform}
  owners:
    - {provider: openai, account: proj_a, team: search, feature: ranking}
    - {provider: openai, account: proj_a, api_key: key_1, team: search, to: 2026-03-16}
    - {provider: openai, account: proj_a, api_key: key_1, team: platform, from: 2026-03-16}
  request_rules:
    - when: {tag: {project: search-v2}}
      team: search
      feature: ranking
    - when: {user: u-7}
      team: platform
  shared:
    - {provider: openai, account: proj_shared, method: proportional}
    - {model: gpt-4o_*, method: even, teams: [search, platform]}
    - {provider: anthropic, method: fixed, shares: {search: 62.5, platform: 37.5}}
"""


def write(tmp_path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def test_a_good_section_becomes_the_tables_dbt_reads(tmp_path):
    conn = duckdb.connect()
    write_config_tables(conn, load_config(write(tmp_path, GOOD)))
    assert conn.execute("select * from config.ownership_teams").fetchall() == [("search", "CC-1"), ("platform", None)]
    owners = conn.execute("select * from config.ownership_owners order by priority").fetchall()
    assert owners == [
        ("owners[1]", 1, "openai", "proj_a", None, "search", "ranking", None, None),
        ("owners[2]", 2, "openai", "proj_a", "key_1", "search", None, None, date(2026, 3, 16)),  # to: exclusive
        ("owners[3]", 3, "openai", "proj_a", "key_1", "platform", None, date(2026, 3, 16), None),
    ]
    rules = conn.execute("select * from config.ownership_request_rules order by priority").fetchall()
    assert rules == [
        ("request_rules[1]", 1, "tag", "project", "search-v2", "search", "ranking"),
        ("request_rules[2]", 2, "user", None, "u-7", "platform", None),
    ]
    shared = conn.execute("select * from config.ownership_shared order by priority").fetchall()
    # the glob gpt-4o_* as LIKE: '_' is literal (escaped), '*' is '%'
    assert shared == [
        ("shared[1]", 1, "openai", "proj_shared", None, "proportional"),
        ("shared[2]", 2, None, None, "gpt-4o\\_%", "even"),
        ("shared[3]", 3, "anthropic", None, None, "fixed"),
    ]
    shares = conn.execute("select * from config.ownership_shared_shares order by rule_id, team").fetchall()
    # 62.5 + 37.5 = 100, kept exact
    assert shares == [
        ("shared[2]", "platform", D(1)),
        ("shared[2]", "search", D(1)),
        ("shared[3]", "platform", D("37.5")),
        ("shared[3]", "search", D("62.5")),
    ]


def test_no_section_means_no_teams_and_empty_tables():
    conn = duckdb.connect()
    ensure_config_tables(conn)
    for table in ("teams", "owners", "request_rules", "shared", "shared_shares"):
        assert conn.execute(f"select count(*) from config.ownership_{table}").fetchall() == [(0,)]


def test_the_like_pattern_matches_what_the_glob_says():
    conn = duckdb.connect()
    pattern = model_like("claude-?-haiku*")
    hits = [
        name
        for name in ("claude-3-haiku-20240307", "claude-3-5-haiku", "claude-x-haiku", "claude-3-sonnet")
        if conn.execute("select ? like ? escape '\\'", [name, pattern]).fetchall()[0][0]
    ]
    assert hits == ["claude-3-haiku-20240307", "claude-x-haiku"]


TEAMS = "ownership:\n  teams:\n    - {name: search}\n    - {name: platform}\n"


@pytest.mark.parametrize(
    "text, sentence",
    [
        (
            TEAMS + "  owners:\n    - {provider: openai, account: p, team: serch}\n",
            "finops.yaml line 6: ownership.owners[1].team 'serch' is not a declared team; add it under ownership.teams (declared: platform, search).",
        ),
        (
            TEAMS + "  shared:\n    - {method: fixed, shares: {search: 60, platform: 30}}\n",
            "finops.yaml line 6: ownership.shared[1].shares sum to 90, not 100; make the percentages add up to 100.",
        ),
        (
            TEAMS + "  owners:\n"
            "    - {provider: openai, account: p, api_key: k, team: search, to: 2026-03-16}\n"
            "    - {provider: openai, account: p, api_key: k, team: platform, from: 2026-03-15}\n",
            "finops.yaml line 7: ownership.owners[2] gives key 'k' of openai account 'p' to 'platform' while line 6 "
            "gives it to 'search' over overlapping dates; end one rule (to) where the other starts (from).",
        ),
        (
            TEAMS + "  owners:\n    - {provider: openai, account: p, team: search, from: 2026-02-30}\n",
            "finops.yaml line 6: ownership.owners[1].from must be a date, not '2026-02-30'; write it as YYYY-MM-DD, e.g. 2026-01-01.",
        ),
        (
            TEAMS + "  owners:\n    - {provider: openai, account: p, team: search, from: 2026-03-01, to: 2026-03-01}\n",
            "finops.yaml line 6: ownership.owners[1].to (2026-03-01) is not after its from (2026-03-01); make to later than from (to is exclusive).",
        ),
        (
            TEAMS + "  owners:\n    - provider: openai\n      acount: p\n",
            "finops.yaml line 7: unknown key 'acount' in ownership.owners[1]; use one of account, api_key, feature, from, provider, team, to.",
        ),
        (
            "ownership:\n  teams:\n    - {name: Search}\n",
            "finops.yaml line 3: ownership.teams[1].name 'Search' is not a valid name; use only a-z, 0-9, '_' and '-'.",
        ),
        (
            TEAMS + "  shared:\n    - {method: even}\n",
            "finops.yaml line 6: ownership.shared[1] (even) has no teams; list the teams to split among.",
        ),
        (
            TEAMS + "  shared:\n    - {method: round_robin}\n",
            "finops.yaml line 6: ownership.shared[1].method 'round_robin' is not a method; use one of proportional, even, fixed.",
        ),
        (
            TEAMS + "  request_rules:\n    - when: {user: u-1, team: x}\n      team: search\n",
            "finops.yaml line 6: ownership.request_rules[1].when must have exactly one condition; split the rule in two (the first match wins).",
        ),
        (
            TEAMS + "  request_rules:\n    - when: {project: x}\n      team: search\n",
            "finops.yaml line 6: unknown key 'project' in ownership.request_rules[1].when; use one of api_key_alias, feature, tag, team, user.",
        ),
    ],
)
def test_each_mistake_is_one_sentence_with_its_line(tmp_path, text, sentence):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == sentence


def test_the_example_file_declares_a_key_that_moves_teams():
    from orchestration.settings import REPO_ROOT

    ownership = load_config(REPO_ROOT / "finops.example.yaml")["ownership"]
    moved = [(o.team, o.valid_from, o.valid_to) for o in ownership.owners if o.api_key == "apikey_support_bot"]
    assert moved == [("support", None, date(2026, 3, 1)), ("platform", date(2026, 3, 1), None)]
    assert [s.method for s in ownership.shared] == ["proportional", "even", "fixed"]
