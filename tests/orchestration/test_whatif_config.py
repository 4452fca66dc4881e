"""finops.yaml section whatif: scenarios validated with line numbers, written to config.whatif_scenarios."""

from datetime import date
from decimal import Decimal as D

import duckdb
import pytest

from orchestration.config import ConfigError, ensure_config_tables, load_config, write_config_tables
from orchestration.whatif import DEFAULT_ROUTING, DEFAULT_SCENARIOS, RoutingRule, Scenario, book_models

GOOD = """\
whatif:
  scenarios:
    - name: sonnet-to-haiku
      scope:
        provider: anthropic
        models: ["claude-sonnet-4*", "claude-3-7-sonnet*"]
      to_model: claude-haiku-4-5
      to_service_tier: batch
      price_date: 2026-06-01
      cache_hit_rate: 0.6
    - name: half_batch
      batch_share: 0.5
    - name: now
      price_date: today
"""


def write(tmp_path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def test_scenarios_become_rows_with_exact_rates(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.warnings == ()
    assert config["whatif"].scenarios[1] == Scenario(name="half_batch", batch_share=D("0.5"))
    conn = duckdb.connect()
    write_config_tables(conn, config)
    rows = conn.execute("select * from config.whatif_scenarios order by scenario").fetchall()
    assert rows == [
        ("half_batch", None, None, None, None, "usage_date", None, None, D("0.5")),
        ("now", None, None, None, None, "today", None, None, None),
        (
            "sonnet-to-haiku",
            "anthropic",
            "claude-sonnet-4*|claude-3-7-sonnet*",
            "claude-haiku-4-5",
            "batch",
            "fixed",
            date(2026, 6, 1),
            D("0.6"),
            None,
        ),
    ]
    # the rates are DECIMAL in the table dbt reads
    types = dict(conn.execute("select column_name, column_type from (describe config.whatif_scenarios)").fetchall())
    assert types["cache_hit_rate"] == types["batch_share"] == "DECIMAL(5,4)"


def test_without_a_file_the_built_in_scenarios_apply(tmp_path):
    conn = duckdb.connect()
    ensure_config_tables(conn)
    rows = conn.execute("select scenario, price_date_rule, batch_share from config.whatif_scenarios").fetchall()
    assert rows == [("all-batch", "usage_date", D(1)), ("todays-prices", "today", None)]
    assert load_config(write(tmp_path, "whatif:\n"))["whatif"].scenarios == DEFAULT_SCENARIOS


@pytest.mark.parametrize(
    "text, sentence",
    [
        (
            "whatif:\n  scenarios:\n    - name: a\n      batch_shar: 0.5\n",
            "finops.yaml line 4: unknown key 'batch_shar' in whatif scenario 1; use one of batch_share, "
            "cache_hit_rate, name, price_date, scope, to_model, to_service_tier.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      cache_hit_rate: 1.5\n",
            "finops.yaml line 4: whatif scenario 'a'.cache_hit_rate is 1.5, above 1; give a number of at most 1.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      batch_share: 0.12345\n",
            "finops.yaml line 4: whatif scenario 'a'.batch_share has more than 4 decimal places; round it to 4.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      price_date: 2026-02-30\n",
            "finops.yaml line 4: whatif scenario 'a'.price_date is '2026-02-30', not a date; write usage_date, "
            "today or a date as YYYY-MM-DD.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      batch_share: 1\n    - name: a\n      batch_share: 0.5\n",
            "finops.yaml line 5: whatif scenario 'a' is given twice; give each a unique name.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: Big Name\n      batch_share: 1\n",
            "finops.yaml line 3: whatif scenario 1.name is 'Big Name', not a valid value; use lower-case letters, "
            "digits, - and _.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      scope: {provider: openai}\n",
            "finops.yaml line 3: whatif scenario 'a' changes nothing; give at least one of to_model, "
            "to_service_tier, price_date, cache_hit_rate, batch_share.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      to_model: gpt-4o-mini\n",
            "finops.yaml line 4: whatif scenario 'a' has to_model but no scope.provider; name the provider the "
            "model belongs to.",
        ),
        (
            "whatif:\n  scenarios:\n    - to_service_tier: batch\n",
            "finops.yaml line 3: whatif scenario 1 has no name; give it a unique name such as sonnet-to-haiku.",
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      scope: {models: claude*}\n      batch_share: 1\n",
            "finops.yaml line 4: whatif scenario 'a'.scope.models must be a list of model globs, not 'claude*'; "
            'write ["claude-sonnet-4*"].',
        ),
        (
            "whatif:\n  scenarios:\n    - name: a\n      to_service_tier: batch\n      batch_share: 0.5\n",
            "finops.yaml line 5: whatif scenario 'a' has both to_service_tier and batch_share; use "
            "to_service_tier to move all traffic, batch_share to move a share of standard traffic to batch.",
        ),
    ],
)
def test_each_mistake_is_one_sentence_with_its_line(tmp_path, text, sentence):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == sentence


def test_an_unknown_tier_lists_the_tiers_the_book_knows(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "whatif:\n  scenarios:\n    - name: a\n      to_service_tier: bulk\n"))
    assert str(caught.value) == (
        "finops.yaml line 4: whatif scenario 'a'.to_service_tier is 'bulk', not a tier the price book knows; "
        "use one of batch, fast, flex, off_peak, priority, standard."
    )


def test_a_target_model_outside_the_book_is_allowed_with_a_warning(tmp_path):
    text = "whatif:\n  scenarios:\n    - name: a\n      scope: {provider: openai}\n      to_model: gpt-9\n"
    config = load_config(write(tmp_path, text))
    (warning,) = config.warnings
    assert warning == (
        "finops.yaml line 5: model 'gpt-9' is not in the price book of openai (nor an alias); the scenario's "
        "counterfactual will be unpriced."
    )


def test_the_example_file_shows_each_change():
    from orchestration.settings import REPO_ROOT

    config = load_config(REPO_ROOT / "finops.example.yaml")
    assert config.warnings == ()
    names = {s.name: s for s in config["whatif"].scenarios}
    assert names["sonnet-to-haiku"].to_model == "claude-haiku-4-5" and names["sonnet-to-haiku"].price_date == "today"
    assert names["cache-60"].cache_hit_rate == D("0.6") and names["half-batch"].batch_share == D("0.5")
    assert names["all-flex"].to_service_tier == "flex"


# --- routing rules (whatif.routing -> config.whatif_routing) -----------------------------------------

ROUTING = """\
whatif:
  routing:
    - name: sonnet-simple
      simple: {max_input_tokens: 2_000, max_output_tokens: 500}
      scope: {provider: anthropic, models: ["claude-sonnet-4*", "claude-3-7-sonnet*"]}
      to_model: claude-haiku-4-5
    - name: mini
      simple: {max_output_tokens: 100}
      scope: {provider: openai}
      to_model: gpt-4.1-mini
"""


def test_routing_rules_become_rows(tmp_path):
    config = load_config(write(tmp_path, ROUTING))
    assert config.warnings == ()
    # scenarios absent: the built-ins still apply
    assert config["whatif"].scenarios == DEFAULT_SCENARIOS
    assert config["whatif"].routing[1] == RoutingRule(
        name="mini", provider="openai", to_model="gpt-4.1-mini", max_input_tokens=1000, max_output_tokens=100
    )
    conn = duckdb.connect()
    write_config_tables(conn, config)
    rows = conn.execute("select * from config.whatif_routing order by rule").fetchall()
    assert rows == [
        ("mini", "openai", None, "gpt-4.1-mini", 1000, 100),
        ("sonnet-simple", "anthropic", "claude-sonnet-4*|claude-3-7-sonnet*", "claude-haiku-4-5", 2000, 500),
    ]


def test_without_routing_the_built_in_rules_apply(tmp_path):
    conn = duckdb.connect()
    ensure_config_tables(conn)
    rows = conn.execute("select * from config.whatif_routing order by rule").fetchall()
    assert rows == [
        ("simple-to-flash-lite", "google", None, "gemini-2.5-flash-lite", 1000, 300),
        ("simple-to-gpt-4-1-mini", "openai", None, "gpt-4.1-mini", 1000, 300),
        ("simple-to-haiku", "anthropic", None, "claude-haiku-4-5", 1000, 300),
    ]
    assert load_config(write(tmp_path, "whatif:\n  scenarios:\n"))["whatif"].routing == DEFAULT_ROUTING
    # every built-in target is a model (or alias) the price book prices
    assert all(rule.to_model in book_models(rule.provider) for rule in DEFAULT_ROUTING)
    # `routing:` left empty: no rule
    assert load_config(write(tmp_path, "whatif:\n  routing:\n"))["whatif"].routing == ()


@pytest.mark.parametrize(
    "text, sentence",
    [
        (
            "whatif:\n  routing:\n    - name: a\n      scope: {provider: openai}\n",
            "finops.yaml line 3: whatif routing rule 'a' has no to_model; name the cheaper model the simple "
            "requests go to.",
        ),
        (
            "whatif:\n  routing:\n    - name: a\n      to_model: gpt-4.1-mini\n",
            "finops.yaml line 3: whatif routing rule 'a' has no scope.provider; name the provider to_model "
            "belongs to, as in scope: {provider: anthropic}.",
        ),
        (
            "whatif:\n  routing:\n    - name: a\n      scope: {provider: openai}\n      to_model: gpt-4.1-mini\n"
            "      simple: {max_input_tokens: 1.5k}\n",
            "finops.yaml line 6: whatif routing rule 'a'.simple.max_input_tokens is '1.5k', not a whole number of "
            "tokens; write a number such as 1000.",
        ),
        (
            "whatif:\n  routing:\n    - name: a\n      scope: {provider: openai}\n      to_model: gpt-4.1-mini\n"
            "      simple: {max_output: 10}\n",
            "finops.yaml line 6: unknown key 'max_output' in whatif routing rule 'a'.simple; use one of "
            "max_input_tokens, max_output_tokens.",
        ),
        (
            "whatif:\n  routing:\n    - to_model: gpt-4.1-mini\n",
            "finops.yaml line 3: whatif routing rule 1 has no name; give it a unique name such as simple-to-haiku.",
        ),
        (
            "whatif:\n  routing:\n    - name: a\n      scope: {provider: openai}\n      to_model: gpt-4.1-mini\n"
            "    - name: a\n      scope: {provider: openai}\n      to_model: gpt-4o-mini\n",
            "finops.yaml line 6: whatif routing rule 'a' is given twice; give each a unique name.",
        ),
        (
            "whatif:\n  routing:\n    name: a\n",
            "finops.yaml line 3: whatif.routing must be a list, not a mapping; start each rule with -.",
        ),
        (
            "whatif:\n  routes: []\n",
            "finops.yaml line 2: unknown key 'routes' in whatif; use one of routing, scenarios.",
        ),
    ],
)
def test_each_routing_mistake_is_one_sentence_with_its_line(tmp_path, text, sentence):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == sentence


def test_a_routing_target_outside_the_book_warns(tmp_path):
    text = "whatif:\n  routing:\n    - name: a\n      scope: {provider: openai}\n      to_model: gpt-9\n"
    (warning,) = load_config(write(tmp_path, text)).warnings
    assert warning == (
        "finops.yaml line 5: model 'gpt-9' is not in the price book of openai (nor an alias); the routing "
        "rule's counterfactual will be unpriced."
    )


def test_the_example_file_shows_a_routing_rule():
    from orchestration.settings import REPO_ROOT

    (rule,) = load_config(REPO_ROOT / "finops.example.yaml")["whatif"].routing
    assert rule == RoutingRule(
        name="sonnet-simple-to-haiku",
        provider="anthropic",
        to_model="claude-haiku-4-5",
        models=("claude-sonnet-4*",),
        max_input_tokens=2000,
        max_output_tokens=500,
    )


def test_a_routing_rule_for_an_unknown_provider_warns_that_it_matches_nothing(tmp_path):
    text = "whatif:\n  routing:\n    - name: a\n      scope: {provider: acme}\n      to_model: small-1\n"
    (warning,) = load_config(write(tmp_path, text)).warnings
    assert warning.startswith("finops.yaml line 4: provider 'acme' is not one this warehouse prices or bills")
    assert warning.endswith("; the routing rule matches no usage unless such rows appear.")
