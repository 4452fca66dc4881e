"""dbt's own data tests as rows of ``ops.quality_results`` (orchestration/quality/results.py).

After each ``dbt build`` of a run, every data test dbt ran (generic and singular; unit tests check the SQL, not the
data, and are left out) becomes one row, read from that build's ``run_results.json`` and ``manifest.json``:

* ``layer``: the tested node's layer by its path: 'staging' | 'intermediate' | 'mart' (models/staging,
  models/intermediate, models/marts), 'seed' for a seed, 'raw' for a source; a singular test by its folder
  (tests/<layer>/)
* ``asset``: '<schema>/<model>' of the tested node ('marts/fct_billed_cost_daily', as the mart gate names marts),
  '<source>/<table>' for a source
* ``check_name``: the test's short name, with its column ('accepted_values(currency)'), or a singular test's name;
  dbt's full test name where the project has two tests of that short name on one asset
* ``severity``: 'error' | 'warning' from the test's config (a test that dbt judged 'warn' is a warning whatever its
  severity: its error_if threshold was not reached); ``status``: 'passed' | 'failed' (dbt's fail, warn and error)
* ``unexpected_count``: dbt's failures (the failing rows); ``rows_checked``: the rows of the tested relation where
  the test has one and it is cheap to count (NULL for a singular test over several models, an intermediate view,
  and a relation dbt did not build)
* ``observed_value``: dbt's outcome in a few words (for a failed test of several columns, not_null_columns,
  non_negative_columns or accepted_values_columns, also which columns held the nulls, the negatives or the other
  values: one test covers all such columns of a model); ``description``: the test's description, else a plain
  sentence

So every warning the publish step counts (results.run_warnings) is a row the Data health page shows. Before each
build, ``define`` makes every data test of the project, run or left out, the catalog's 'dbt' scope
(``ops.quality_checks``, results.define), so a test taken out of the project leaves the Data health page at the
next run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from orchestration.quality.results import CheckResult, count_phrase

# dbt statuses of a test that ran; 'skipped' (an upstream model failed) is not a result and is left out
RAN = {"pass", "fail", "warn", "error"}
LAYER_BY_FOLDER = {"staging": "staging", "intermediate": "intermediate", "marts": "mart"}
MESSAGE_CHARS = 200
SCOPE = "dbt"  # the scope of dbt's data tests in ops.quality_checks (results.define)


def record(conn, target: Path, *, run_id: str) -> list[CheckResult]:
    """Write the data tests of the dbt invocation whose artifacts are in ``target`` to ``ops.quality_results``
    (one bulk insert) and return them; nothing when dbt wrote no run results."""
    from orchestration.quality import results

    artifacts = load_artifacts(target)
    if artifacts is None:
        return []
    counts: dict[str, int | None] = {}

    def row_count(relation: str) -> int | None:
        if relation not in counts:
            try:
                counts[relation] = int(conn.execute(f"select count(*) from {relation}").fetchall()[0][0])
            except duckdb.Error:  # a relation dbt did not build (its model failed)
                counts[relation] = None
        return counts[relation]

    def column_counts(relation: str, counting: Mapping[str, str], where: str | None) -> dict[str, int] | None:
        sql = f"select {', '.join(counting.values())} from {relation}" + (f" where {where}" if where else "")
        try:
            row = conn.execute(sql).fetchall()[0]
        except duckdb.Error:
            return None
        return {column: int(n) for column, n in zip(counting, row, strict=True)}

    outcomes = test_results(*artifacts, row_count=row_count, column_counts=column_counts)
    results.write(conn, outcomes, run_id=run_id)
    return outcomes


def define(conn, manifest: Mapping[str, Any], *, run_id: str) -> int:
    """Make every data test of ``manifest``, run or left out as unchanged, the 'dbt' scope of ``ops.quality_checks``
    (results.define): a test no longer in the project drops out of the catalog. Returns their number."""
    from orchestration.quality import results

    return results.define(conn, SCOPE, checks(manifest).values(), run_id=run_id)


def load_artifacts(target: Path) -> tuple[dict, dict] | None:
    """(run_results, manifest) of the last dbt invocation in ``target``; None when dbt wrote no run results."""
    run_results, manifest = Path(target) / "run_results.json", Path(target) / "manifest.json"
    if not run_results.exists() or not manifest.exists():
        return None
    return json.loads(run_results.read_text()), json.loads(manifest.read_text())


def _layer_of_path(path: str) -> str | None:
    parts = Path(path).parts
    return LAYER_BY_FOLDER.get(parts[1]) if len(parts) > 2 else None


def _tested(test: Mapping[str, Any], manifest: Mapping[str, Any]) -> tuple[str, str, Mapping[str, Any] | None]:
    """(layer, asset, the tested node or None) of a test node."""
    nodes, sources = manifest.get("nodes", {}), manifest.get("sources", {})
    attached = test.get("attached_node")
    depends = [uid for uid in test.get("depends_on", {}).get("nodes", []) if uid in nodes or uid in sources]
    if not attached and len(depends) == 1:
        attached = depends[0]
    if attached in sources:
        node = sources[attached]
        return "raw", f"{node['source_name']}/{node['name']}", node
    if attached in nodes:
        node = nodes[attached]
        if node.get("resource_type") == "seed":
            return "seed", f"seeds/{node['name']}", node
        layer = _layer_of_path(node.get("original_file_path", "")) or "mart"
        return layer, f"{node.get('schema')}/{node['name']}", node
    # a singular test over several models: its folder's layer; the one model of that layer it reads, if one
    layer = _layer_of_path(test.get("original_file_path", "")) or "mart"
    of_layer = [
        nodes[uid]
        for uid in depends
        if uid in nodes and _layer_of_path(nodes[uid].get("original_file_path", "")) == layer
    ]
    if len(of_layer) == 1:
        return layer, f"{of_layer[0].get('schema')}/{of_layer[0]['name']}", of_layer[0]
    schema = {"mart": "marts"}.get(layer, layer)
    return layer, f"{schema}/{test['name']}", None


def _countable(node: Mapping[str, Any], layer: str) -> bool:
    """Whether to count the tested relation's rows: tables, incremental models and seeds, and the staging views (a
    projection of one raw table); not the intermediate views, which a count would compute again (seconds each)."""
    materialized = (node.get("config") or {}).get("materialized", "table")
    return materialized != "view" or layer == "staging"


def _check_name(test: Mapping[str, Any]) -> str:
    meta = test.get("test_metadata") or {}
    if not meta:
        return test["name"]
    column = test.get("column_name")
    return f"{meta['name']}({column})" if column else meta["name"]


def _sentence(test: Mapping[str, Any], node_name: str | None) -> str:
    """The test's description, else a plain sentence of what it demands."""
    if test.get("description"):
        return " ".join(str(test["description"]).split())
    meta = test.get("test_metadata") or {}
    kwargs = meta.get("kwargs") or {}
    column = test.get("column_name")
    where = f" of {node_name}" if node_name else ""
    name = meta.get("name")
    if name == "not_null":
        return f"{column}{where} is never null"
    if name in ("not_null_columns", "non_negative_columns"):
        columns = [str(c) for c in kwargs.get("column_names") or []]
        listed = " and ".join([", ".join(columns[:-1]), columns[-1]] if len(columns) > 1 else columns)
        never = "null" if name == "not_null_columns" else "negative"
        return f"{listed}{where} {'are' if len(columns) > 1 else 'is'} never {never}"
    if name == "accepted_values_columns":
        values = (kwargs.get("values") or {}).items()
        return "; ".join(f"{c}{where} is one of: {', '.join(str(v) for v in vs)}" for c, vs in values)
    if name == "unique":
        return f"{column}{where} is unique"
    if name == "accepted_values":
        return f"{column}{where} is one of: " + ", ".join(str(v) for v in kwargs.get("values") or [])
    if name == "relationships":
        return f"every {column}{where} is a {kwargs.get('field')} of {kwargs.get('to')}"
    if name:
        return f"dbt test {name}" + (f" on {column}" if column else "") + f"{where} finds no failing rows"
    return f"dbt test {test['name']} finds no failing rows"


def _sql_literal(value: Any) -> str:
    """A value of a test's list as dbt_project/macros/lists.sql ``sql_literals`` writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def column_failures(name: str | None, kwargs: Mapping[str, Any]) -> tuple[str, dict[str, str]] | None:
    """For a test of several columns of one model (one test per model, dbt_project/tests/generic): what its failing
    rows hold, and per column the SQL that counts that column's failing values. None for any other test."""
    if name == "not_null_columns":
        return "nulls", {str(c): f"count(*) - count({c})" for c in kwargs.get("column_names") or []}
    if name == "non_negative_columns":
        return "negative values", {str(c): f"count_if({c} < 0)" for c in kwargs.get("column_names") or []}
    if name == "accepted_values_columns":
        return "other values", {
            str(c): f"count_if({c} not in ({', '.join(_sql_literal(v) for v in values)}))"
            for c, values in (kwargs.get("values") or {}).items()
        }
    return None


def _observed(
    status: str, failures: int, message: str | None, found: tuple[str, Mapping[str, int] | None] | None = None
) -> str:
    """``found``: for a failed column-list test, (what its failing rows hold, the count in each column)."""
    if status == "error":
        first = (message or "").strip().splitlines()[0] if (message or "").strip() else "no message"
        return f"the test did not run: {first[:MESSAGE_CHARS]}"
    if status == "pass":
        return "no failing rows"
    what, counts = found or ("", None)
    listed = ", ".join(f"{column} ({n:,})" for column, n in (counts or {}).items() if n)
    return count_phrase(failures, "failing row") + (f": {what} in {listed}" if listed else "")


def checks(manifest: Mapping[str, Any]) -> dict[str, tuple[str, str, str]]:
    """unique_id -> (layer, asset, check_name) of every data test of the manifest, whether or not it ran: the
    catalog of dbt's checks (results.define). Tests that share a short name on one asset (two expression_is_true on a
    model) keep dbt's full test name, so each is its own check; whether they do depends on the project's tests, not
    on which of them a build ran."""
    from collections import Counter

    keys, full_names = {}, {}
    for uid, test in manifest.get("nodes", {}).items():
        if test.get("resource_type") != "test":
            continue
        layer, asset, _ = _tested(test, manifest)
        keys[uid] = (layer, asset, _check_name(test))
        full_names[uid] = test["name"]
    seen = Counter(keys.values())
    return {
        uid: (layer, asset, full_names[uid]) if seen[(layer, asset, name)] > 1 else (layer, asset, name)
        for uid, (layer, asset, name) in keys.items()
    }


def test_results(
    run_results: Mapping[str, Any],
    manifest: Mapping[str, Any],
    row_count: Callable[[str], int | None] = lambda relation: None,
    column_counts: Callable[[str, Mapping[str, str], str | None], Mapping[str, int] | None] = lambda *_: None,
) -> list[CheckResult]:
    """One CheckResult per data test that ran in ``run_results``. ``row_count(relation_name)`` gives the rows of a
    tested relation (None: unknown); ``column_counts(relation_name, counting, where)`` the failing values in each
    column (``counting``: column -> the SQL that counts them, column_failures) of the rows the test's ``where``
    keeps, asked only for a test of several columns that failed."""
    nodes = manifest.get("nodes", {})
    names = checks(manifest)
    out = []
    for result in run_results.get("results", []):
        test = nodes.get(result.get("unique_id", ""))
        status = str(result.get("status"))
        if test is None or test.get("resource_type") != "test" or status not in RAN:
            continue
        layer, asset, node = _tested(test, manifest)
        check_name = names[result["unique_id"]][2]
        severity = str((test.get("config") or {}).get("severity") or "error").lower()
        failures = int(result.get("failures") or 0)
        relation = node.get("relation_name") if node and _countable(node, layer) else None
        rows = row_count(relation) if relation else None
        meta = test.get("test_metadata") or {}
        found = None
        failures_of = column_failures(meta.get("name"), meta.get("kwargs") or {})
        if failures_of and status in ("fail", "warn") and node and node.get("relation_name"):
            what, counting = failures_of
            found = (what, column_counts(node["relation_name"], counting, (test.get("config") or {}).get("where")))
        out.append(
            CheckResult(
                layer=layer,
                asset=asset,
                check_name=check_name,
                blocking=severity == "error" and status != "warn",
                passed=status == "pass",
                window=None,
                rows_checked=rows,
                unexpected_count=failures,
                observed_value=_observed(status, failures, result.get("message"), found),
                sample=[],
                description=_sentence(test, node["name"] if node else None),
            )
        )
    return out
