"""The sources this warehouse knows: one list, one line a source.

Each line names a source's package (``connectors/<name>/``), whose ``SOURCE`` declares it (see
connectors/source.py). Everything else derives from this list: the landing contract (``RAW_TABLES``), the
Dagster resources, ingest assets and sensors, the CLI's ``--source`` choices and skip lines, the emulator's
plugins and the demo's environment, the dbt vars naming each source's conformed models, and the tests'
parametrisation. To add a source, see CONTRIBUTING.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path

from connectors.files import FileDropError, expand
from connectors.schema import RawTable
from connectors.source import FileDrop, Source

SOURCE_PACKAGES: tuple[str, ...] = (
    "connectors.openai",
    "connectors.anthropic",
    "connectors.openrouter",
    "connectors.langfuse",
    "connectors.helicone",
    "connectors.jsonl_requests",
    "connectors.litellm",
    "connectors.litellm_postgres",
    "connectors.otel",
    "connectors.gcp_billing",
    "connectors.aws_cur",
    "connectors.azure_cost",
)

SOURCES: tuple[Source, ...] = tuple(importlib.import_module(package).SOURCE for package in SOURCE_PACKAGES)
BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
RAW_TABLES: dict[str, RawTable] = {table.name: table for source in SOURCES for table in source.tables}
if len(BY_NAME) != len(SOURCES) or len(RAW_TABLES) != sum(len(s.tables) for s in SOURCES):
    raise ValueError("two sources share a name, or two raw tables share a name: every source and table is unique")


def files_of(source: Source, environ: Mapping[str, str]) -> list[Path]:
    """The files of a file-drop source now: the paths and globs of its setting, expanded, less the files that
    another source sharing the setting claims (``FileDrop.claims``: request logs of several formats in
    ``FINOPS_REQUEST_LOGS``). A file that no sharing source claims, or that two claim, is a FileDropError
    naming it: a file of no known format is rejected, never skipped silently."""
    setting = source.setting
    if not isinstance(setting, FileDrop):
        raise TypeError(f"source {source.name!r} does not read files")
    paths = expand(environ.get(setting.paths_env, ""), setting.paths_env)
    sharing = [s for s in SOURCES if isinstance(s.setting, FileDrop) and s.setting.paths_env == setting.paths_env]
    if len(sharing) <= 1 or source not in sharing:
        return paths
    return [path for path in paths if claimant(path, sharing) is source]


def claimant(path: Path, sharing: list[Source]) -> Source:
    """The one source of ``sharing`` whose setting claims the file at ``path``."""
    try:
        claimed = [s for s in sharing if s.setting.claims is not None and s.setting.claims(path)]
    except OSError as exc:
        raise FileDropError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if len(claimed) == 1:
        return claimed[0]
    env = sharing[0].setting.paths_env
    known = "; ".join(f"{s.name}: {s.setting.what}" for s in sharing)
    if not claimed:
        raise FileDropError(
            f"{env}: {path} is not in a format this warehouse reads (known: {known}); remove it from {env} "
            "or convert it."
        )
    names = " and ".join(s.name for s in claimed)
    raise FileDropError(f"{env}: {path} looks like the format of both {names}; this is a bug, please report it.")
