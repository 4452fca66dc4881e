import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from connectors.registry import BY_NAME, SOURCES, files_of
from connectors.source import Source
from orchestration.processes import dbt_executable
from orchestration.settings import Paths, finops_home
from orchestration.warehouse import connect_warehouse
from orchestration.writer_lock import writer_lock

# Keys are read from the environment when a client is built, never stored in resource config: config
# values are shown in the Dagster UI, environment values are not.


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse under FINOPS_HOME. One writing process at a time: every connection holds the
    writer lock of FINOPS_HOME (an OS lock that dies with its process, see orchestration/writer_lock.py)."""

    home: str | None = None

    @property
    def paths(self) -> Paths:
        return Paths(finops_home(self.home)).ensure()

    @contextmanager
    def writing(self, context=None) -> Iterator[None]:
        """Hold the writer lock for the block (re-entrant; `finops run` already holds it for its whole run)."""

        def waiting(who: str) -> None:
            message = f"waiting for the warehouse: {who} is writing to it"
            if context is not None:
                context.log.info(message)
            logging.getLogger("finops").info(message)

        with writer_lock(self.paths.home, "a Dagster step", on_wait=waiting):
            yield

    @contextmanager
    def connect(self, context=None) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.writing(context):
            conn = connect_warehouse(self.paths.warehouse)
            try:
                yield conn
            finally:
                conn.close()


class SourceResource(dg.ConfigurableResource):
    """A source of connectors/registry.py, configured from the environment variables it names."""

    source: str

    @property
    def declaration(self) -> Source:
        return BY_NAME[self.source]

    def configured(self) -> bool:
        return self.declaration.configured(os.environ)

    def not_configured(self) -> str:
        return self.declaration.not_configured(os.environ)

    def files(self) -> list[Path]:
        """A file-drop source's files now: its setting's paths and globs, expanded, the files other sources
        sharing the setting claim left out (FileDropError if wrong)."""
        return files_of(self.declaration, os.environ)

    def get_client(self):
        """The client, with its settings (keys, base URL, DSN) from the environment (never stored in config)."""
        return self.declaration.make_client(os.environ)


def source_resource_key(name: str) -> str:
    return f"{name}_source"


@dg.definitions
def resources() -> dg.Definitions:
    from dagster_dbt import DbtCliResource

    from orchestration.defs.transform.project import dbt_project

    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            **{source_resource_key(s.name): SourceResource(source=s.name) for s in SOURCES},
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        }
    )
