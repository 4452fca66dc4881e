"""finops.yaml section contracts: validated with line numbers, written to three config tables for dbt."""

from datetime import date
from decimal import Decimal as D

import duckdb
import pytest

from orchestration.config import ConfigError, ensure_config_tables, load_config, write_config_tables
from orchestration.contracts import globs_intersect

GOOD = """\
contracts:
  - name: openai-enterprise-2026
    provider: openai
    start: 2026-01-01
    end: 2027-01-01
    discounts:
      - discount_pct: 10
      - models: ["gpt-5*", "O3"]
        discount_pct: 20.125
    commitment_usd: 120000
    prepaid:
      - purchased_on: 2026-01-01
        credit_usd: 50000
        paid_usd: 45000
        expires: 2027-01-01
      - purchased_on: 2026-07-01
        credit_usd: 1000.50
  - name: anthropic-credits
    provider: anthropic
    start: 2026-03-01
"""


def write(tmp_path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def test_a_good_file_becomes_rows_of_the_three_tables(tmp_path):
    conn = duckdb.connect()
    write_config_tables(conn, load_config(write(tmp_path, GOOD)))
    # specificity: '*' = 0; 'gpt-5*' = 5 literal characters; exact 'o3' (lower-cased) = 1000 + 2 = 1002
    assert conn.execute("select * from config.contract_discounts order by specificity").fetchall() == [
        ("openai-enterprise-2026", "openai", "*", D(10), date(2026, 1, 1), date(2027, 1, 1), 0),
        ("openai-enterprise-2026", "openai", "gpt-5*", D("20.125"), date(2026, 1, 1), date(2027, 1, 1), 5),
        ("openai-enterprise-2026", "openai", "o3", D("20.125"), date(2026, 1, 1), date(2027, 1, 1), 1002),
    ]
    # paid_usd defaults to credit_usd (1000.50); no expires = NULL
    assert conn.execute("select * from config.contract_prepaid order by credit_number").fetchall() == [
        ("openai-enterprise-2026", "openai", 1, date(2026, 1, 1), D(50000), D(45000), date(2027, 1, 1)),
        ("openai-enterprise-2026", "openai", 2, date(2026, 7, 1), D("1000.5"), D("1000.5"), None),
    ]
    assert conn.execute("select * from config.contract_commitments").fetchall() == [
        ("openai-enterprise-2026", "openai", date(2026, 1, 1), date(2027, 1, 1), D(120000)),
    ]


def test_without_the_section_the_tables_exist_and_are_empty():
    conn = duckdb.connect()
    ensure_config_tables(conn)
    for table in ("contract_discounts", "contract_prepaid", "contract_commitments"):
        assert conn.execute(f"select count(*) from config.{table}").fetchall() == [(0,)]


def contract(*lines: str, name: str = "c1", provider: str = "openai", start: str = "2026-01-01") -> str:
    body = "".join(f"    {line}\n" for line in lines)
    return f"  - name: {name}\n    provider: {provider}\n    start: {start}\n{body}"


@pytest.mark.parametrize(
    "text, sentence",
    [
        (
            "contracts:\n" + contract("discount: 10"),
            "finops.yaml line 5: unknown key 'discount' in contracts[0]; use one of commitment_usd, discounts, end, "
            "name, prepaid, provider, start.",
        ),
        (
            "contracts:\n" + contract("discounts:", "  - discount_pct: 100.5"),
            "finops.yaml line 6: contract 'c1'.discounts[0].discount_pct is 100.5, above 100; give a number of at most 100.",
        ),
        (
            "contracts:\n" + contract("discounts:", "  - discount_pct: 1.0000001"),
            "finops.yaml line 6: contract 'c1'.discounts[0].discount_pct has more than 6 decimal places; round it to 6.",
        ),
        (
            "contracts:\n" + contract(start="01/02/2026"),
            "finops.yaml line 4: contract 'c1'.start must be a date, not '01/02/2026'; write it as YYYY-MM-DD, e.g. 2026-01-01.",
        ),
        (
            "contracts:\n" + contract("end: 2026-01-01"),
            "finops.yaml line 5: contract 'c1'.end is not after its start; give a later date (exclusive).",
        ),
        (
            "contracts:\n" + contract() + contract(),
            "finops.yaml line 5: contract name 'c1' is given twice; give each contract its own name.",
        ),
        (
            "contracts:\n"
            + contract("end: 2026-07-01", "discounts: [{discount_pct: 5}]")
            + contract("discounts: [{discount_pct: 7}]", name="c2", start="2026-06-01"),
            "finops.yaml line 7: contracts 'c1' [2026-01-01, 2026-07-01) and 'c2' [2026-06-01, open) of provider openai "
            "overlap in time and both set discounts; end one before the other starts, or keep the discounts in one of them.",
        ),
        (
            "contracts:\n" + contract("prepaid:", "  - {purchased_on: 2026-01-01, credit_usd: 100, paid_usd: 120}"),
            "finops.yaml line 6: contract 'c1'.prepaid[0].paid_usd (120) is more than credit_usd (100); a credit never "
            "costs more than its value: check both numbers.",
        ),
        (
            "contracts:\n"
            + contract(
                "discounts:", "  - {models: ['gpt-*'], discount_pct: 5}", "  - {models: ['*mini'], discount_pct: 6}"
            ),
            "finops.yaml line 7: contract 'c1': discounts for 'gpt-*' and '*mini' can apply to the same model and "
            "neither is more specific; make one pattern more specific or merge them.",
        ),
        (
            "contracts:\n" + contract("commitment_usd: 1000"),
            "finops.yaml line 5: contract 'c1' commits spend but has no end; give the contract an end date.",
        ),
        (
            "contracts:\n  - name: c1\n    start: 2026-01-01\n",
            "finops.yaml line 2: contract 'c1' has no provider; add provider, as in finops.example.yaml.",
        ),
    ],
)
def test_each_mistake_is_one_sentence_with_its_line(tmp_path, text, sentence):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == sentence


def test_contracts_apart_in_time_or_without_discounts_may_share_a_provider(tmp_path):
    text = (
        "contracts:\n"
        + contract("end: 2026-07-01", "discounts: [{discount_pct: 5}]")
        + contract("discounts: [{discount_pct: 7}]", name="c2", start="2026-07-01")  # starts as c1 ends
        + contract("prepaid: [{purchased_on: 2026-02-01, credit_usd: 10}]", name="c3", start="2026-02-01")
    )
    assert [c.name for c in load_config(write(tmp_path, text))["contracts"]] == ["c1", "c2", "c3"]


def test_an_unknown_provider_is_allowed_with_a_warning(tmp_path):
    config = load_config(write(tmp_path, "contracts:\n" + contract(provider="opnai")))
    (warning,) = config.warnings
    assert warning.startswith("finops.yaml line 3: provider 'opnai' of contract 'c1' is not one this warehouse")


@pytest.mark.parametrize(
    "a, b, both",
    [
        ("gpt-*", "*-mini", True),  # gpt-5-mini
        ("gpt-5*", "o3*", False),
        ("gpt-5", "gpt-5*", True),
        ("gpt-4o", "gpt-5", False),
        ("*", "anything", True),
        ("a*b", "a*c", False),
    ],
)
def test_globs_intersect(a, b, both):
    assert globs_intersect(a, b) is both
    assert globs_intersect(b, a) is both


def test_the_example_file_shows_a_contract():
    from orchestration.settings import REPO_ROOT

    (shown,) = load_config(REPO_ROOT / "finops.example.yaml")["contracts"]
    assert (shown.provider, shown.commitment_usd, shown.prepaid[0].paid_usd) == ("openai", D(120000), D(45000))
    assert [(d.model_pattern, d.discount_pct) for d in shown.discounts] == [("*", 10), ("gpt-5*", 20), ("o3", 20)]
