"""The source registry is the one list: the landing contract, the dbt sources, the Dagster assets and the
CLI's choices all follow it, and a source that is not configured is skipped with one line."""

import json
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from connectors.registry import RAW_TABLES, SOURCES
from orchestration.defs.ingest.factory import build_api_asset, build_file_asset
from orchestration.defs.resources import SourceResource, WarehouseResource, source_resource_key


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    from orchestration.defs.transform.project import parse_manifest

    # A fresh parse of the models on disk, into a folder of its own: rewriting the project's manifest would
    # race the tests that load the Dagster definitions from it in another pytest-xdist worker.
    return json.loads(parse_manifest(tmp_path_factory.mktemp("dbt_target")).read_text())


def test_every_raw_table_has_a_dbt_source_and_every_dbt_source_a_raw_table(manifest):
    dbt_sources = {
        f"{node['source_name']}_{node['name']}" for node in manifest["sources"].values() if node["schema"] == "raw"
    }
    assert sorted(set(RAW_TABLES) - dbt_sources) == [], (
        "raw tables with no dbt source (add them to _<source>__sources.yml)"
    )
    assert sorted(dbt_sources - set(RAW_TABLES)) == [], "dbt sources with no raw table in connectors/registry.py"


def test_every_dbt_source_table_declares_the_raw_tables_columns(manifest):
    for node in manifest["sources"].values():
        table = RAW_TABLES.get(f"{node['source_name']}_{node['name']}")
        documented = set(node["columns"])
        missing = [c for c in documented if table is not None and c not in table.column_names and not c.startswith("_")]
        assert missing == [], f"{node['unique_id']} documents columns the raw table does not have: {missing}"


def test_the_dagster_graph_has_one_ingest_asset_per_raw_table():
    from orchestration.definitions import defs

    keys = {key.to_user_string() for key in defs().resolve_all_asset_keys()}
    assert {f"{t.source}/{t.endpoint}" for t in RAW_TABLES.values()} <= keys


def test_the_cli_offers_exactly_the_registered_sources():
    help_text = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "only these sources: " + " ".join(s.name for s in SOURCES) in " ".join(help_text.split())


@pytest.mark.parametrize("source", SOURCES, ids=[s.name for s in SOURCES])
def test_an_unconfigured_source_is_skipped_with_one_line_and_its_tables_exist(source, tmp_path, monkeypatch):
    for name in source.env_vars:
        monkeypatch.delenv(name, raising=False)
    build = build_api_asset if source.is_api else build_file_asset
    assets = [build(source, feed) for feed in source.feeds]
    home = tmp_path / "home"
    resources = {
        source_resource_key(source.name): SourceResource(source=source.name),
        "warehouse": WarehouseResource(home=str(home)),
    }
    partitioned = [a for a in assets if a.partitions_def is not None]
    for group, partition in ((partitioned, "2025-06-01"), ([a for a in assets if a not in partitioned], None)):
        if not group:
            continue
        result = dg.materialize(group, resources=resources, partition_key=partition)
        for asset in group:
            (materialization,) = result.asset_materializations_for_node(asset.op.name)
            assert materialization.metadata["skipped"].value == source.not_configured()
    required = source.required_env_vars
    verb = "is" if len(required) == 1 else "are"
    assert source.not_configured() == f"{source.name}: {' and '.join(required)} {verb} not set; skipping {source.name}."
    with duckdb.connect(str(home / "warehouse.duckdb")) as conn:
        for table in source.tables:
            assert conn.execute(f"select count(*) from {table.qualified_name}").fetchall() == [(0,)]
