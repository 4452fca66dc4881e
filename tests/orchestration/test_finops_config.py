"""finops.yaml: validated with line numbers, numbers exact, optional, written to schema config for dbt."""

from decimal import Decimal as D

import duckdb
import pytest

from orchestration.config import (
    SECTIONS,
    ConfigError,
    Reader,
    Section,
    Tolerance,
    config_path,
    ensure_config_tables,
    load_config,
    register_section,
    write_config_tables,
)

GOOD = """\
# finops.yaml
reconciliation:
  tolerance:
    absolute_usd: 0.1
    relative_pct: 0.5
  providers:
    openai:
      relative_pct: 2.25
    anthropic: {absolute_usd: 0.000001}
"""


def write(tmp_path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def test_a_good_file_gives_exact_decimals_and_providers_inherit_the_default(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    recon = config.reconciliation
    # 0.1 as a float would be 0.1000000000000000055511151231257827...: read from the text it is exactly 0.1
    assert recon.tolerance == Tolerance(absolute_usd=D("0.1"), relative_pct=D("0.5"))
    assert str(recon.tolerance.absolute_usd) == "0.1"
    # openai sets only relative_pct: absolute_usd comes from the file's default (0.1), not the built-in 0.01
    assert recon.for_provider("openai") == Tolerance(absolute_usd=D("0.1"), relative_pct=D("2.25"))
    assert recon.for_provider("anthropic") == Tolerance(absolute_usd=D("0.000001"), relative_pct=D("0.5"))
    assert recon.for_provider("google") == recon.tolerance
    assert config.warnings == ()


def test_an_absent_file_is_todays_behaviour(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FINOPS_CONFIG", raising=False)
    assert config_path().name == "finops.yaml"
    config = load_config()
    assert config.path is None
    assert config.reconciliation.tolerance == Tolerance(absolute_usd=D("0.01"), relative_pct=D(0))
    assert config.reconciliation.providers == {}


def test_finops_config_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.yaml"
    path.write_text("reconciliation:\n  tolerance: {absolute_usd: 2}\n")
    monkeypatch.setenv("FINOPS_CONFIG", str(path))
    assert load_config().reconciliation.tolerance.absolute_usd == D(2)


def test_an_empty_file_is_the_defaults(tmp_path):
    assert load_config(write(tmp_path, "# nothing yet\n")).reconciliation.tolerance.absolute_usd == D("0.01")


@pytest.mark.parametrize(
    "text, sentence",
    [
        (
            "reconciliation:\n  tolerance:\n    absolute_usd: 0.01\n    relativ_pct: 1\n",
            "finops.yaml line 4: unknown key 'relativ_pct' in reconciliation.tolerance; use one of absolute_usd, relative_pct.",
        ),
        (
            "quotas:\n  - 1\n",
            "finops.yaml line 1: unknown key 'quotas' in the file; use one of budgets, contracts, openrouter, ownership, reconciliation, reporting, whatif.",
        ),
        (
            "reconciliation:\n  providers:\n    openai:\n      absolute_usd: -0.5\n",
            "finops.yaml line 4: reconciliation.providers.openai.absolute_usd is -0.5, below 0; give a number of at least 0.",
        ),
        (
            "reconciliation:\n  tolerance:\n    relative_pct: five\n",
            "finops.yaml line 3: reconciliation.tolerance.relative_pct must be a number, not 'five'; write a plain number such as 0.05.",
        ),
        (
            "reconciliation:\n  tolerance:\n    relative_pct: '5'\n",
            "finops.yaml line 3: reconciliation.tolerance.relative_pct must be a number, not '5'; write a plain number such as 0.05.",
        ),
        (
            "reconciliation:\n  tolerance:\n    relative_pct: 150\n",
            "finops.yaml line 3: reconciliation.tolerance.relative_pct is 150, above 100; give a number of at most 100.",
        ),
        (
            "reconciliation:\n  tolerance:\n    absolute_usd: 0.0000001\n",
            "finops.yaml line 3: reconciliation.tolerance.absolute_usd has more than 6 decimal places; round it to 6.",
        ),
        (
            "reconciliation:\n  tolerance: 0.05\n",
            "finops.yaml line 2: reconciliation.tolerance must be a mapping of keys to values, not '0.05'; indent the keys of reconciliation.tolerance under it, as in finops.example.yaml.",
        ),
        (
            "reconciliation:\n  providers:\n    '*': {absolute_usd: 1}\n",
            "finops.yaml line 3: '*' is not a provider; set the default under reconciliation.tolerance instead.",
        ),
        (
            "reconciliation:\n  tolerance: {absolute_usd: 1}\n  tolerance: {absolute_usd: 2}\n",
            "finops.yaml line 3: reconciliation.tolerance is given twice; keep one of them.",
        ),
        (
            "- reconciliation\n",
            "finops.yaml line 1: the file must be a mapping of sections, not a list; start with one of budgets, contracts, openrouter, ownership, reconciliation, reporting, whatif.",
        ),
    ],
)
def test_each_mistake_is_one_sentence_with_its_line(tmp_path, text, sentence):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == sentence


def test_broken_yaml_names_its_line(tmp_path):
    with pytest.raises(ConfigError, match=r"^finops.yaml line 4: .*; fix the YAML syntax there"):
        load_config(write(tmp_path, "reconciliation:\n  tolerance:\n   absolute_usd: 1\n  - x\n"))


def test_an_unknown_provider_is_allowed_with_a_warning(tmp_path):
    config = load_config(write(tmp_path, "reconciliation:\n  providers:\n    opnai: {absolute_usd: 1}\n"))
    assert config.reconciliation.for_provider("opnai").absolute_usd == D(1)
    (warning,) = config.warnings
    assert warning.startswith("finops.yaml line 3: provider 'opnai' is not one this warehouse prices or bills")
    assert "openai" in warning  # the known names are listed


def test_the_tables_dbt_reads_hold_the_exact_values(tmp_path):
    conn = duckdb.connect()
    ensure_config_tables(conn)  # no file yet: the default row only
    assert conn.execute("select * from config.reconciliation_tolerance").fetchall() == [("*", D("0.01"), D(0))]
    write_config_tables(conn, load_config(write(tmp_path, GOOD)))
    rows = conn.execute("select * from config.reconciliation_tolerance order by provider").fetchall()
    assert rows == [("*", D("0.1"), D("0.5")), ("anthropic", D("0.000001"), D("0.5")), ("openai", D("0.1"), D("2.25"))]
    ensure_config_tables(conn)  # an existing table is kept, not reset to the defaults
    assert len(conn.execute("select * from config.reconciliation_tolerance").fetchall()) == 3


def test_a_new_section_plugs_in_without_touching_the_loader(tmp_path):
    def parse(reader: Reader, node):
        items = reader.mapping(node, "quotas", ("monthly_usd",))
        return reader.decimal(items["monthly_usd"][1], "quotas.monthly_usd", minimum=D(0), places=2)

    register_section(Section(name="quotas", parse=parse, default=lambda: None))
    try:
        config = load_config(write(tmp_path, "quotas:\n  monthly_usd: 1500.50\n"))
        assert config["quotas"] == D("1500.50")
        assert config.reconciliation.tolerance.absolute_usd == D("0.01")
        with pytest.raises(ConfigError, match=r"^finops.yaml line 2: quotas.monthly_usd has more than 2 decimal"):
            load_config(write(tmp_path, "quotas:\n  monthly_usd: 1.005\n"))
    finally:
        del SECTIONS["quotas"]


def test_the_example_file_is_valid_and_says_what_it_shows():
    from orchestration.settings import REPO_ROOT

    config = load_config(REPO_ROOT / "finops.example.yaml")
    assert config.warnings == ()
    recon = config.reconciliation
    assert recon.tolerance == Tolerance(absolute_usd=D("0.01"), relative_pct=D(0))
    assert recon.for_provider("openai") == Tolerance(absolute_usd=D("0.01"), relative_pct=D("0.5"))
    assert recon.for_provider("aws_bedrock") == Tolerance(absolute_usd=D("0.05"), relative_pct=D(0))


def test_the_known_providers_are_those_the_marts_carry():
    from orchestration.config import known_providers

    # literal ('openai' as provider), from a case (google_vertex / google) and from the price book (mistral)
    marts = {"openai", "anthropic", "openrouter", "google", "google_vertex", "aws_bedrock", "azure_openai", "mistral"}
    assert marts <= known_providers()
    assert "standard" not in known_providers() and "usage" not in known_providers()
