import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import dagster as dg
import duckdb

from connectors.anthropic.client import AnthropicAdminClient
from connectors.openai.client import OpenAIAdminClient
from orchestration.settings import Paths, finops_home

# Keys are read from the environment when a client is built, never stored in resource config: config
# values are shown in the Dagster UI, environment values are not.


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse under FINOPS_HOME (one writer at a time: pool "duckdb_write")."""

    home: Optional[str] = None

    @property
    def paths(self) -> Paths:
        return Paths(finops_home(self.home)).ensure()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = duckdb.connect(str(self.paths.warehouse))
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


def _dbt_executable() -> str:
    beside_python = Path(os.sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else "dbt"


@dg.definitions
def resources() -> dg.Definitions:
    from dagster_dbt import DbtCliResource

    from orchestration.defs.transform.project import dbt_project

    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "openai_admin": OpenAIAdminResource(),
            "anthropic_admin": AnthropicAdminResource(),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_executable()),
        }
    )
