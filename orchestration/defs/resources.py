import logging
import os
from contextlib import contextmanager
from typing import Iterator, Optional

import dagster as dg
import duckdb

from connectors.anthropic.client import AnthropicAdminClient
from connectors.openai.client import OpenAIAdminClient
from orchestration.processes import dbt_executable
from orchestration.settings import Paths, finops_home
from orchestration.warehouse import connect_warehouse
from orchestration.writer_lock import writer_lock

# Keys are read from the environment when a client is built, never stored in resource config: config
# values are shown in the Dagster UI, environment values are not.


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse under FINOPS_HOME. One writing process at a time: every connection holds the
    writer lock of FINOPS_HOME (an OS lock that dies with its process, see orchestration/writer_lock.py)."""

    home: Optional[str] = None

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


class _AdminKeyResource(dg.ConfigurableResource):
    key_env: str
    base_url_env: str

    def configured(self) -> bool:
        return bool(os.environ.get(self.key_env))

    def _key_and_url(self) -> tuple[str, Optional[str]]:
        return os.environ.get(self.key_env, ""), os.environ.get(self.base_url_env) or None


class OpenAIAdminResource(_AdminKeyResource):
    key_env: str = OpenAIAdminClient.hints.key_env
    base_url_env: str = OpenAIAdminClient.hints.base_url_env

    def get_client(self) -> OpenAIAdminClient:
        key, url = self._key_and_url()
        return OpenAIAdminClient(key, url) if url else OpenAIAdminClient(key)


class AnthropicAdminResource(_AdminKeyResource):
    key_env: str = AnthropicAdminClient.hints.key_env
    base_url_env: str = AnthropicAdminClient.hints.base_url_env

    def get_client(self) -> AnthropicAdminClient:
        key, url = self._key_and_url()
        return AnthropicAdminClient(key, url) if url else AnthropicAdminClient(key)


@dg.definitions
def resources() -> dg.Definitions:
    from dagster_dbt import DbtCliResource

    from orchestration.defs.transform.project import dbt_project

    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "openai_admin": OpenAIAdminResource(),
            "anthropic_admin": AnthropicAdminResource(),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        }
    )
