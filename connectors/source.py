"""What a source declares about itself (DESIGN.md §3, "sources are plugins").

A source is one folder ``connectors/<name>/`` whose ``__init__.py`` exports ``SOURCE``, a :class:`Source`:
its name, its configuration (an API key and base URL, or a file-drop path), its raw tables (its part of
the landing contract) with the function that fetches or reads each one, the conformed dbt models its
staging folder ends in, and its emulator plugin. ``connectors/registry.py`` lists the sources; the Dagster
resources and assets, the CLI's choices and skip lines, the demo's environment, the landing contract and
the tests' parametrisation all derive from that list.

Nothing here reads the environment: settings name the variables, the top (CLI, Dagster resources) reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from connectors.errors import Hints
from connectors.schema import RawTable

# An API feed: fetch(client, start, end) -> rows of the table for the UTC days [start, end); snapshot
# tables (partitioned=False) get start = end = None.
Fetch = Callable[[Any, date | None, date | None], Iterable[Mapping[str, Any]]]
# A file feed: read(path) -> the rows of one file, as an Arrow table (or anything ``land`` takes).
Read = Callable[[Path], Any]

CONFORMED_KINDS = ("usage_lines", "billed_lines", "accounts")


@dataclass(frozen=True)
class FileDrop:
    """A file-drop setting: an environment variable holding paths or globs, several separated by ':'."""

    paths_env: str
    what: str  # e.g. "CSV exports of LiteLLM_SpendLogs"


@dataclass(frozen=True)
class Feed:
    """One raw table of a source and how its rows are got."""

    table: RawTable
    description: str
    fetch: Fetch | None = None  # API sources
    read: Read | None = None  # file-drop sources

    def __post_init__(self) -> None:
        if (self.fetch is None) == (self.read is None):
            raise ValueError(f"{self.table.name}: a feed has exactly one of fetch (API) or read (files)")


@dataclass(frozen=True)
class Source:
    name: str  # the dbt source name, the raw tables' prefix, the first part of the Dagster asset keys
    title: str  # for people: "OpenAI Admin API"
    setting: Hints | FileDrop  # Hints: an API key + base URL; FileDrop: paths
    feeds: tuple[Feed, ...]
    client: Callable[..., Any] | None = None  # API sources: client(api_key, base_url) (base_url None: default)
    conformed: tuple[str, ...] = ()  # the kinds of conformed dbt models: stg_<name>__<kind>
    emulator: str | None = None  # the dotted module of its emulator plugin

    def __post_init__(self) -> None:
        for feed in self.feeds:
            if feed.table.source != self.name:
                raise ValueError(
                    f"source {self.name!r} declares table {feed.table.name}, which belongs to {feed.table.source!r}"
                )
        unknown = set(self.conformed) - set(CONFORMED_KINDS)
        if unknown:
            raise ValueError(
                f"source {self.name!r}: unknown conformed kinds {sorted(unknown)}; known: {CONFORMED_KINDS}"
            )
        if self.is_api and self.client is None:
            raise ValueError(f"source {self.name!r} is an API source and needs client=")

    @property
    def is_api(self) -> bool:
        return isinstance(self.setting, Hints)

    @property
    def tables(self) -> tuple[RawTable, ...]:
        return tuple(feed.table for feed in self.feeds)

    @property
    def env_vars(self) -> tuple[str, ...]:
        """The environment variables that configure this source (the first one alone switches it on)."""
        if isinstance(self.setting, Hints):
            return (self.setting.key_env, self.setting.base_url_env)
        return (self.setting.paths_env,)

    def configured(self, environ: Mapping[str, str]) -> bool:
        return bool((environ.get(self.env_vars[0]) or "").strip())

    def not_configured(self) -> str:
        """The one line said when the source is skipped."""
        return f"{self.name}: {self.env_vars[0]} is not set; skipping {self.name}."

    def conformed_model(self, kind: str) -> str:
        """The dbt model of ``kind`` that this source's staging folder ends in."""
        return f"stg_{self.name}__{kind}"
