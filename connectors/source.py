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

CONFORMED_KINDS = (
    "usage_lines",
    "billed_lines",
    "accounts",
    "api_keys",
    "users",
    "request_lines",
    "price_lines",
)


@dataclass(frozen=True)
class FileDrop:
    """A file-drop setting: an environment variable holding paths or globs, several separated by ':'.

    Several sources may share one variable (``FINOPS_REQUEST_LOGS`` holds LiteLLM exports, OTel spans, ...):
    each then says which files are its own with ``claims(path)``, a cheap look at the file's first bytes.
    A file that no source sharing the variable claims is rejected with its name (see
    ``connectors.registry.files_of``)."""

    paths_env: str
    what: str  # e.g. "CSV exports of LiteLLM_SpendLogs"
    claims: Callable[[Path], bool] | None = None  # needed when another source shares paths_env


@dataclass(frozen=True)
class Connection:
    """Settings handed to the client in order, ``client(*values)``: a database DSN, or an API that needs more
    than a key and a base URL (Langfuse: host, public key, secret key). The source is configured when every
    variable of ``required`` (default: all of ``envs``) is set; a variable not set is passed as None."""

    envs: tuple[str, ...]
    what: str  # e.g. "a LiteLLM proxy's Postgres (postgresql://user:password@host/db)"
    required: tuple[str, ...] | None = None

    @property
    def required_envs(self) -> tuple[str, ...]:
        return self.envs if self.required is None else self.required


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
    setting: Hints | Connection | FileDrop  # Hints: an API key + base URL; Connection: settings; FileDrop: paths
    feeds: tuple[Feed, ...]
    # API (and Connection) sources: client(api_key, base_url) (base_url None: default), or client(*values)
    client: Callable[..., Any] | None = None
    conformed: tuple[str, ...] = ()  # the kinds of conformed dbt models: stg_<name>__<kind>
    emulator: str | None = None  # the dotted module of its emulator plugin
    # How many complete UTC days back the provider still revises its reports (API sources with daily
    # partitions): a daily run re-pulls that many days and replaces them. FINOPS_<NAME>_REVISION_DAYS
    # overrides it. File drops need none: a file the provider rewrites replaces what it loaded.
    revision_days: int = 3
    # How many complete UTC days back the API still answers (OpenRouter's activity: 30), None = no limit. The
    # ingest never asks for an older day: it says in one line which days of a run are out of reach and keeps
    # what it landed for them before.
    history_days: int | None = None
    # How many UTC days after yesterday (the last complete day) the source may still lack, as its vendor
    # documents its data lag: the warning check ``freshness`` flags a newest landed day older than today minus
    # 1 minus this. None: not judged (request-log drops, whose cadence is the user's).
    freshness_lag_days: int | None = None

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
        if self.revision_days < 1:
            raise ValueError(f"source {self.name!r}: revision_days is at least 1 (yesterday)")
        if self.freshness_lag_days is not None and self.freshness_lag_days < 0:
            raise ValueError(f"source {self.name!r}: freshness_lag_days is at least 0, or None")
        if self.history_days is not None and self.history_days < 1:
            raise ValueError(f"source {self.name!r}: history_days is at least 1 (yesterday), or None")

    @property
    def is_api(self) -> bool:
        """Fetched (an API or a database, by a client), rather than read from dropped files."""
        return not isinstance(self.setting, FileDrop)

    @property
    def tables(self) -> tuple[RawTable, ...]:
        return tuple(feed.table for feed in self.feeds)

    @property
    def env_vars(self) -> tuple[str, ...]:
        """The environment variables that configure this source (the first one alone switches it on)."""
        if isinstance(self.setting, Hints):
            return (self.setting.key_env, self.setting.base_url_env)
        if isinstance(self.setting, Connection):
            return self.setting.envs
        return (self.setting.paths_env,)

    @property
    def required_env_vars(self) -> tuple[str, ...]:
        """The variables that must all be set for the source to run."""
        if isinstance(self.setting, Connection):
            return self.setting.required_envs
        return self.env_vars[:1]

    def configured(self, environ: Mapping[str, str]) -> bool:
        return all((environ.get(name) or "").strip() for name in self.required_env_vars)

    def not_configured(self, environ: Mapping[str, str] | None = None) -> str:
        """The one line said when the source is skipped (naming the variables missing from ``environ``)."""
        missing = [n for n in self.required_env_vars if not (environ or {}).get(n, "").strip()] or list(
            self.required_env_vars
        )
        verb = "is" if len(missing) == 1 else "are"
        return f"{self.name}: {' and '.join(missing)} {verb} not set; skipping {self.name}."

    def make_client(self, environ: Mapping[str, str]) -> Any:
        """The client of an API or Connection source, from the settings in ``environ`` (read at the top)."""
        if isinstance(self.setting, Hints):
            key = environ.get(self.setting.key_env, "")
            return self.client(key, environ.get(self.setting.base_url_env) or None)
        if isinstance(self.setting, Connection):
            return self.client(*((environ.get(name) or "").strip() or None for name in self.setting.envs))
        raise TypeError(f"source {self.name!r} reads files; it has no client")

    @property
    def revision_days_env(self) -> str:
        return f"FINOPS_{self.name.upper()}_REVISION_DAYS"

    def revision_window(self, environ: Mapping[str, str]) -> int:
        """The days a daily run re-pulls: ``revision_days``, or FINOPS_<NAME>_REVISION_DAYS when set (1..400)."""
        raw = (environ.get(self.revision_days_env) or "").strip()
        if not raw:
            return self.revision_days
        if not raw.isdigit() or not 1 <= int(raw) <= 400:
            raise ValueError(
                f"{self.revision_days_env} must be a whole number of days from 1 to 400 (got {raw!r}); it says how "
                f"many complete UTC days a daily run re-pulls from {self.name}."
            )
        return int(raw)

    def conformed_model(self, kind: str) -> str:
        """The dbt model of ``kind`` that this source's staging folder ends in."""
        return f"stg_{self.name}__{kind}"
