"""finops.yaml section budgets: validated with line numbers (one sentence each) and written to config.budgets and
config.budget_thresholds, the tables dbt reads."""

from decimal import Decimal as D

import duckdb
import pytest

from orchestration.config import ConfigError, ensure_config_tables, load_config, write_config_tables
from orchestration.settings import REPO_ROOT

GOOD = """\
ownership:
  teams:
    - {name: search}
budgets:
  - id: org-monthly
    scope: {org: true}
    period: month
    amount_usd: 5000
  - id: search-q
    scope: {team: search}
    period: quarter
    amount_usd: 1234.56
    thresholds: [0.5, 0.9, 1.2]
  - {id: gpt, scope: {model: gpt-4o}, period: month, amount_usd: 0.01}
"""


def write(tmp_path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def test_a_good_section_becomes_the_tables_dbt_reads(tmp_path):
    conn = duckdb.connect()
    write_config_tables(conn, load_config(write(tmp_path, GOOD)))
    assert conn.execute("select * from config.budgets").fetchall() == [
        ("org-monthly", "org", None, "month", D("5000")),
        ("search-q", "team", "search", "quarter", D("1234.56")),  # exact, never through float
        ("gpt", "model", "gpt-4o", "month", D("0.01")),
    ]
    assert conn.execute("select * from config.budget_thresholds").fetchall() == [
        ("org-monthly", D("0.8")),  # the default thresholds 0.8 and 1.0
        ("org-monthly", D("1.0")),
        ("search-q", D("0.5")),
        ("search-q", D("0.9")),
        ("search-q", D("1.2")),
        ("gpt", D("0.8")),
        ("gpt", D("1.0")),
    ]


def test_no_section_means_empty_tables():
    conn = duckdb.connect()
    ensure_config_tables(conn)
    assert conn.execute("select count(*) from config.budgets").fetchall() == [(0,)]
    assert conn.execute("select count(*) from config.budget_thresholds").fetchall() == [(0,)]


def test_a_team_scope_needs_no_ownership_section(tmp_path):
    text = "budgets:\n  - {id: b, scope: {team: anyone}, period: month, amount_usd: 1}\n"
    assert load_config(write(tmp_path, text))["budgets"][0].scope_value == "anyone"


BUDGET = "budgets:\n  - id: b\n    period: month\n"


@pytest.mark.parametrize(
    "text, sentence",
    [
        (
            BUDGET + "    scope: {tenant: x}\n    amount_usd: 1\n",
            "finops.yaml line 4: unknown key 'tenant' in budget 'b'.scope; "
            "use one of feature, model, org, project, provider, team.",
        ),
        (
            BUDGET + "    scope: {team: a, provider: openai}\n    amount_usd: 1\n",
            "finops.yaml line 4: budget 'b'.scope has 2 keys (team, provider); "
            "give exactly one of org, provider, team, project, feature, model.",
        ),
        (
            BUDGET + "    scope: {org: true}\n    amount_usd: 0\n",
            "finops.yaml line 5: budget 'b'.amount_usd is 0, not above 0; give an amount above 0.",
        ),
        (
            BUDGET + "    scope: {org: true}\n    amount_usd: -5\n",
            "finops.yaml line 5: budget 'b'.amount_usd is -5, not above 0; give an amount above 0.",
        ),
        (
            BUDGET + "    scope: {org: true}\n    amount_usd: 1\n    thresholds: [0.8, 0.5]\n",
            "finops.yaml line 6: budget 'b'.thresholds are not ascending (0.8 then 0.5); "
            "list each ratio once, smallest first.",
        ),
        (
            BUDGET + "    scope: {org: true}\n    amount_usd: 1\n"
            "  - {id: b, scope: {org: true}, period: quarter, amount_usd: 2}\n",
            "finops.yaml line 6: budget 'b' is given twice; give each budget a unique id.",
        ),
        (
            "ownership:\n  teams:\n    - {name: search}\n    - {name: platform}\n"
            + BUDGET
            + "    scope: {team: serch}\n    amount_usd: 1\n",
            "finops.yaml line 8: budget 'b'.scope.team 'serch' is not a declared team; "
            "add it under ownership.teams (declared: platform, search).",
        ),
        (
            # the team check reads ownership wherever it is in the file (here after budgets)
            BUDGET + "    scope: {team: serch}\n    amount_usd: 1\nownership:\n  teams:\n    - {name: search}\n",
            "finops.yaml line 4: budget 'b'.scope.team 'serch' is not a declared team; "
            "add it under ownership.teams (declared: search).",
        ),
        (
            BUDGET + "    scope: {org: true}\n    amount_usd: 1\n    period: week\n",
            "finops.yaml line 6: budgets[1].period is given twice; keep one of them.",
        ),
        (
            "budgets:\n  - {id: b, scope: {org: true}, period: week, amount_usd: 1}\n",
            "finops.yaml line 2: budget 'b'.period is 'week', not a period; use one of month, quarter.",
        ),
        (
            "budgets:\n  - {id: b, scope: {org: false}, period: month, amount_usd: 1}\n",
            "finops.yaml line 2: budget 'b'.scope.org must be true, not 'false'; write scope: {org: true}.",
        ),
    ],
)
def test_mistakes_are_one_sentence_with_the_line(tmp_path, text, sentence):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == sentence


def test_the_example_file_declares_what_it_shows():
    budgets = load_config(REPO_ROOT / "finops.example.yaml")["budgets"]
    assert [(b.budget_id, b.scope_type, b.scope_value, b.period, b.amount_usd, b.thresholds) for b in budgets] == [
        ("org-monthly", "org", None, "month", D(5000), (D("0.8"), D("1.0"))),
        ("search-quarterly", "team", "search", "quarter", D(12000), (D("0.5"), D("0.8"), D("1.0"))),
    ]
