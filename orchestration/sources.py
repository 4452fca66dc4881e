"""The sources the pipeline knows, with the settings that configure them (the connectors' own hints, so the
skip lines, the demo's wiring and the connectors' error messages name the same variables)."""

from __future__ import annotations

import os

from connectors.anthropic.client import HINTS as ANTHROPIC_HINTS
from connectors.errors import Hints
from connectors.openai.client import HINTS as OPENAI_HINTS

SOURCES: dict[str, Hints] = {"openai": OPENAI_HINTS, "anthropic": ANTHROPIC_HINTS}


def configured(source: str) -> bool:
    return bool(os.environ.get(SOURCES[source].key_env))
