"""finops.yaml section openrouter, key byok_billed_by_upstream: the upstream providers whose own billing is loaded
for the keys OpenRouter's bring-your-own-key requests run on, validated with line numbers and written to
config.openrouter_byok_upstream for dbt."""

import duckdb
import pytest

from orchestration.config import ConfigError, default_config, load_config, write_config_tables
from orchestration.openrouter_byok import OpenRouterConfig


def write(tmp_path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def listed(config) -> list[tuple]:
    conn = duckdb.connect()
    write_config_tables(conn, config)
    return conn.execute(
        "select provider_name, upstream_provider from config.openrouter_byok_upstream "
        "where is_billed_by_upstream order by 1"
    ).fetchall()


def test_default_lists_none_and_maps_every_byok_provider(tmp_path):
    assert default_config()["openrouter"] == OpenRouterConfig(frozenset())
    assert listed(default_config()) == []
    conn = duckdb.connect()
    write_config_tables(conn, default_config())
    assert conn.execute("select count(*) from config.openrouter_byok_upstream").fetchall() == [(10,)]
    assert load_config(write(tmp_path, "openrouter:\n"))["openrouter"] == OpenRouterConfig()
    assert load_config(write(tmp_path, "openrouter:\n  byok_billed_by_upstream: []\n"))["openrouter"] == (
        OpenRouterConfig()
    )


def test_listed_providers_are_marked_billed_by_upstream(tmp_path):
    text = "openrouter:\n  byok_billed_by_upstream:\n    - openai\n    - aws_bedrock\n"
    config = load_config(write(tmp_path, text))
    assert config["openrouter"] == OpenRouterConfig(frozenset({"openai", "aws_bedrock"}))
    assert listed(config) == [("Amazon Bedrock", "aws_bedrock"), ("OpenAI", "openai")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "openrouter:\n  byok_billed_by_upstream: [openai, OpenAI]\n",
            "finops.yaml line 2: openrouter.byok_billed_by_upstream names 'OpenAI', not a provider OpenRouter routes "
            "bring-your-own-key requests to; use provider names as in the marts: anthropic, aws_bedrock, "
            "azure_openai, cohere, deepseek, google, google_vertex, mistral, openai, xai.",
        ),
        (
            "openrouter:\n  byok_billed_by_upstream:\n    - anthropic\n    - bedrock\n",
            "finops.yaml line 4: openrouter.byok_billed_by_upstream names 'bedrock', not a provider OpenRouter routes "
            "bring-your-own-key requests to; use provider names as in the marts: anthropic, aws_bedrock, "
            "azure_openai, cohere, deepseek, google, google_vertex, mistral, openai, xai.",
        ),
        (
            "openrouter:\n  byok_billed_by_upstream: openai\n",
            "finops.yaml line 2: openrouter.byok_billed_by_upstream must be a list of provider names, not 'openai'; "
            "write it as [openai, anthropic].",
        ),
        (
            "openrouter:\n  byok_billed_by: [openai]\n",
            "finops.yaml line 2: unknown key 'byok_billed_by' in openrouter; use one of byok_billed_by_upstream.",
        ),
    ],
)
def test_errors_are_one_sentence_with_the_line(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == message


def test_the_example_file_shows_the_section():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "finops.example.yaml"
    assert load_config(example)["openrouter"] == OpenRouterConfig(frozenset({"openai", "anthropic"}))
