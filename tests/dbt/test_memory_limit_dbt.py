"""DuckDB's memory limit reaches dbt's connection (profiles.yml) and the pipeline's own (connect_warehouse): a
full build of 10M requests used 80% of RAM, DuckDB's default, before there was one (issue 13)."""

import pytest
from dbt_inprocess import run_dbt, vars_with

from orchestration.warehouse import connect_warehouse

pytestmark = pytest.mark.slow
SETTING = "select current_setting('memory_limit') as memory_limit"


def test_dbt_runs_with_the_limit_finops_passes(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_DUCKDB_MEMORY_LIMIT", "1536MiB")
    result = run_dbt(tmp_path, ["show", "--inline", SETTING, *vars_with()])
    assert result.success, result.exception
    assert result.result.results[0].agate_table.rows[0][0] == "1.5 GiB"


def test_dbt_run_by_hand_gets_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("FINOPS_DUCKDB_MEMORY_LIMIT", raising=False)
    result = run_dbt(tmp_path, ["show", "--inline", SETTING, *vars_with()])
    assert result.success, result.exception
    assert result.result.results[0].agate_table.rows[0][0] == "5.5 GiB"  # 6GB, as DuckDB prints it


def test_the_pipelines_connections_get_it_too(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_DUCKDB_MEMORY_LIMIT", "512MB")
    conn = connect_warehouse(tmp_path / "warehouse.duckdb")
    try:
        assert conn.execute(SETTING).fetchone() == ("488.2 MiB",)
    finally:
        conn.close()
