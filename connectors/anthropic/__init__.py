"""Anthropic Admin API source: messages usage report, cost report, Claude Code usage report (where the
organisation has it), workspaces, API keys and users (provider-apis.md section 2)."""

from connectors.anthropic.client import HINTS, AnthropicAdminClient
from connectors.anthropic.tables import (
    ANTHROPIC_API_KEYS,
    ANTHROPIC_CLAUDE_CODE_USAGE,
    ANTHROPIC_COST_REPORT,
    ANTHROPIC_MESSAGES_USAGE,
    ANTHROPIC_USERS,
    ANTHROPIC_WORKSPACES,
)
from connectors.source import Feed, Source

SOURCE = Source(
    name="anthropic",
    # provider-apis.md §2.3: "Usage and cost data typically appears within 5 minutes ... though delays may
    # occasionally be longer" (third parties report up to 24 hours)
    freshness_lag_days=1,
    title="Anthropic Admin API",
    setting=HINTS,
    client=AnthropicAdminClient,
    feeds=(
        Feed(
            ANTHROPIC_MESSAGES_USAGE,
            "Anthropic usage report (messages): tokens per UTC day x workspace x API key x model x service tier x "
            "context window; input buckets are disjoint.",
            fetch=lambda client, start, end: client.iter_messages_usage(start, end),
        ),
        Feed(
            ANTHROPIC_COST_REPORT,
            "Anthropic cost report: cents per UTC day x workspace x description, as invoiced.",
            fetch=lambda client, start, end: client.iter_cost_report(start, end),
        ),
        Feed(
            ANTHROPIC_CLAUDE_CODE_USAGE,
            "Anthropic Claude Code usage report: per UTC day x actor (user email or API key name), sessions, lines, "
            "commits, pull requests, tool actions, and tokens and estimated cost per model. An attribution view, "
            "never billing (API usage is already in the messages report); nothing where the organisation has none.",
            fetch=lambda client, start, end: client.iter_claude_code_usage(start, end),
        ),
        Feed(
            ANTHROPIC_WORKSPACES,
            "Anthropic workspaces (archived included); the default workspace has no id.",
            fetch=lambda client, start, end: client.iter_workspaces(),
        ),
        Feed(
            ANTHROPIC_API_KEYS,
            "Anthropic API keys (every status): names and workspaces for the api_key_ids in the usage report.",
            fetch=lambda client, start, end: client.iter_api_keys(),
        ),
        Feed(
            ANTHROPIC_USERS,
            "Anthropic organisation members: names and emails for the users who created API keys.",
            fetch=lambda client, start, end: client.iter_users(),
        ),
    ),
    conformed=("usage_lines", "billed_lines", "accounts", "api_keys", "users"),
    emulator="emulator.plugins.anthropic",
)

__all__ = ["SOURCE", "AnthropicAdminClient"]
