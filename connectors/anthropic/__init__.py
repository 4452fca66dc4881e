"""Anthropic Admin API connector (messages usage report, cost report, workspaces)."""

from connectors.anthropic.client import AnthropicAdminClient

__all__ = ["AnthropicAdminClient"]
