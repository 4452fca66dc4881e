"""OpenAI Admin API connector (usage, costs, projects)."""

from connectors.openai.client import OpenAIAdminClient

__all__ = ["OpenAIAdminClient"]
