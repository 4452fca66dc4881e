"""finops.yaml section ``openrouter``: key ``byok_billed_by_upstream``, the upstream providers whose own billing
this warehouse loads for the keys OpenRouter's bring-your-own-key (BYOK) requests run on.

OpenRouter's activity reports BYOK inference (``byok_usage_inference``) that the upstream provider bills on
the caller's own key, not OpenRouter. When that provider's own billing is loaded too (the OpenAI or Anthropic
admin APIs, a cloud export), the same spend and tokens arrive twice; no source says which keys are shared, so
the user says it here:

  openrouter:
    byok_billed_by_upstream: [openai, anthropic]

Written to ``config.openrouter_byok_upstream`` for dbt: one row per OpenRouter provider name of
connectors.openrouter.BYOK_UPSTREAM_PROVIDERS with the warehouse's provider and whether it is listed. Default:
none listed, every BYOK amount counts as OpenRouter's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from connectors.openrouter import BYOK_UPSTREAM_PROVIDERS
from orchestration.config import ConfigTable, Reader, Section, _kind, register_section

_KEY = "openrouter.byok_billed_by_upstream"


@dataclass(frozen=True)
class OpenRouterConfig:
    byok_billed_by_upstream: frozenset[str] = frozenset()


def upstream_providers() -> list[str]:
    return sorted(set(BYOK_UPSTREAM_PROVIDERS.values()))


def _providers(reader: Reader, node: Node) -> frozenset[str]:
    if isinstance(node, ScalarNode) and node.value == "":
        return frozenset()
    if not isinstance(node, SequenceNode):
        raise reader.error(
            node, f"{_KEY} must be a list of provider names, not {_kind(node)}", "write it as [openai, anthropic]"
        )
    names = set()
    for item in node.value:
        value = str(item.value).strip() if isinstance(item, ScalarNode) else ""
        if value not in upstream_providers():
            shown = repr(value) if value else _kind(item)
            raise reader.error(
                item,
                f"{_KEY} names {shown}, not a provider OpenRouter routes bring-your-own-key requests to",
                f"use provider names as in the marts: {', '.join(upstream_providers())}",
            )
        names.add(value)
    return frozenset(names)


def _parse_openrouter(reader: Reader, node: Node) -> OpenRouterConfig:
    if isinstance(node, ScalarNode) and node.value == "":
        return OpenRouterConfig()
    items = reader.mapping(node, "openrouter", ("byok_billed_by_upstream",))
    if "byok_billed_by_upstream" in items:
        return OpenRouterConfig(_providers(reader, items["byok_billed_by_upstream"][1]))
    return OpenRouterConfig()


BYOK_UPSTREAM_COLUMNS = (
    ("provider_name", "varchar"),
    ("upstream_provider", "varchar"),
    ("is_billed_by_upstream", "boolean"),
)


def _openrouter_tables(value: OpenRouterConfig) -> list[ConfigTable]:
    rows = tuple(
        (name, provider, provider in value.byok_billed_by_upstream)
        for name, provider in sorted(BYOK_UPSTREAM_PROVIDERS.items())
    )
    return [ConfigTable(name="openrouter_byok_upstream", columns=BYOK_UPSTREAM_COLUMNS, rows=rows)]


register_section(
    Section(name="openrouter", parse=_parse_openrouter, default=OpenRouterConfig, tables=_openrouter_tables)
)
