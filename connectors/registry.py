"""The sources this warehouse knows: one list, one line a source.

Each line names a source's package (``connectors/<name>/``), whose ``SOURCE`` declares it (see
connectors/source.py). Everything else derives from this list: the landing contract (``RAW_TABLES``), the
Dagster resources, ingest assets and sensors, the CLI's ``--source`` choices and skip lines, the emulator's
plugins and the demo's environment, the dbt vars naming each source's conformed models, and the tests'
parametrisation. To add a source, see CONTRIBUTING.md.
"""

from __future__ import annotations

import importlib

from connectors.schema import RawTable
from connectors.source import Source

SOURCE_PACKAGES: tuple[str, ...] = (
    "connectors.openai",
    "connectors.anthropic",
)

SOURCES: tuple[Source, ...] = tuple(importlib.import_module(package).SOURCE for package in SOURCE_PACKAGES)
BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
RAW_TABLES: dict[str, RawTable] = {table.name: table for source in SOURCES for table in source.tables}
if len(BY_NAME) != len(SOURCES) or len(RAW_TABLES) != sum(len(s.tables) for s in SOURCES):
    raise ValueError("two sources share a name, or two raw tables share a name: every source and table is unique")
