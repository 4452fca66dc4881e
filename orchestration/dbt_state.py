"""Which dbt nodes a build can leave alone: their inputs are what they were when they last built and passed.

A daily run re-lands a window of days and calls ``dbt build``; most of what dbt would rebuild reads nothing that
changed (the price book's seeds and the models priced from it, a source whose window came back identical, the
config tables rewritten with the same settings). Each node gets an **input fingerprint**, computed before the
build, from:

* its own definition: dbt's checksum of its file (a large seed's content, which dbt does not checksum), its
  config, its columns (contracts) and test arguments, the SQL of every macro it calls (transitively), and the
  values of the dbt vars its SQL or macros name;
* the fingerprint of every node and source it reads;
* a source's data: for a file-drop raw table, the files ledger (path, content hash, rows) and the row count; for
  any other table, its row count and an order-free hash of every row's content (the load columns ``_loaded_at``
  and ``_run_id`` left out, so an identical re-landing changes nothing);
* the UTC date, for a node whose SQL reads the current date (``current_timestamp``, ``current_date``, ``now()``).

After a build, each model, seed and snapshot that dbt built and each data test that **passed** records its
fingerprint in ``ops.dbt_node_state``. The next build excludes the nodes whose fingerprint is the recorded one
and whose relation still exists: a failed model, a failed or warning test, a node never built, and everything
downstream of a change are built (and tested) again. A blocking test that failed therefore fails again on the
next run until the data or the test changes.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.loader import FILES_LEDGER  # raw._files: one row per landed file, with its sha256

STATE_TABLE = "ops.dbt_node_state"
LOAD_COLUMNS = ("_loaded_at", "_run_id")  # when and by which run a row was landed, not what it says
BUILT = {"model", "seed", "snapshot"}  # resource types that leave a relation in the warehouse
RECORDED = {"success", "pass"}  # dbt statuses whose fingerprint is recorded
READS_TODAY = re.compile(r"current_timestamp|current_date|\bnow\s*\(|\bget_current_date\b", re.IGNORECASE)
VAR_NAME = re.compile(r"""\bvar\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")


@dataclass(frozen=True)
class BuildPlan:
    """What a build must do: ``fingerprints`` of every node considered; ``unchanged`` the nodes it can skip."""

    fingerprints: dict[str, str]
    unchanged: frozenset[str]
    recorded_runs: dict[str, str]  # unique_id -> the run that last built or passed it

    def changed(self) -> list[str]:
        return sorted(set(self.fingerprints) - self.unchanged)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _macro_closure(manifest: Mapping[str, Any], macro_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """(sorted macro ids called, transitively; their SQL in the same order)."""
    macros = manifest.get("macros", {})
    seen: set[str] = set()
    stack = list(macro_ids)
    while stack:
        uid = stack.pop()
        if uid in seen or uid not in macros:
            continue
        seen.add(uid)
        stack.extend(macros[uid].get("depends_on", {}).get("macros", []))
    ordered = sorted(seen)
    return ordered, [macros[uid].get("macro_sql", "") for uid in ordered]


def _code(node: Mapping[str, Any], manifest: Mapping[str, Any]) -> tuple[list[str], list[str], str]:
    """(macro ids the node calls, their SQL, the node's SQL and theirs together)."""
    macro_ids, macro_sql = _macro_closure(manifest, node.get("depends_on", {}).get("macros", []))
    return macro_ids, macro_sql, "\n".join([node.get("raw_code", ""), *macro_sql])


def _checksum(node: Mapping[str, Any]) -> str | None:
    """dbt's checksum of the node's file; for a seed over 1 MiB dbt checksums only its path, so hash the file."""
    checksum = node.get("checksum", {})
    if checksum.get("name") == "path" and node.get("root_path"):
        path = Path(node["root_path"]) / node["original_file_path"]
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    return checksum.get("checksum")


def reads_today(node: Mapping[str, Any], manifest: Mapping[str, Any]) -> bool:
    """Whether the node's SQL, or a macro it calls, reads the current date."""
    return bool(READS_TODAY.search(_code(node, manifest)[2]))


def _definition(node: Mapping[str, Any], manifest: Mapping[str, Any], dbt_vars: Mapping[str, Any], today: date) -> str:
    """The fingerprint of a node's own definition (not its inputs)."""
    macro_ids, macro_sql, code = _code(node, manifest)
    names = sorted(set(VAR_NAME.findall(code)))
    return _digest(
        node.get("resource_type"),
        _checksum(node),
        node.get("config", {}),
        {name: column.get("data_type") for name, column in sorted(node.get("columns", {}).items())},
        node.get("test_metadata"),
        macro_ids,
        hashlib.sha256("\n".join(macro_sql).encode()).hexdigest(),
        {name: dbt_vars.get(name) for name in names},
        today.isoformat() if READS_TODAY.search(code) else None,
    )


def source_fingerprints(conn: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> dict[str, str]:
    """source unique_id -> a fingerprint of the data it holds now ('absent' when the table does not exist)."""
    wanted = {uid: (src["schema"], src.get("identifier") or src["name"]) for uid, src in manifest["sources"].items()}
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in conn.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
    ).fetchall():
        columns.setdefault((schema, table), []).append(column)
    ledger: dict[str, list] = {}
    if tuple(FILES_LEDGER.split(".")) in columns:
        for table_name, path, sha, rows in conn.execute(
            f"select table_name, path, sha256, rows from {FILES_LEDGER} order by table_name, path"
        ).fetchall():
            ledger.setdefault(table_name, []).append((path, sha, rows))
    out: dict[str, str] = {}
    for uid, (schema, table) in wanted.items():
        cols = columns.get((schema, table))
        if cols is None:
            out[uid] = "absent"
            continue
        relation = f'"{schema}"."{table}"'
        if schema == "raw" and table in ledger:
            (count,) = conn.execute(f"select count(*) from {relation}").fetchone()
            out[uid] = _digest("files", count, ledger[table])
            continue
        content = [c for c in cols if c not in LOAD_COLUMNS] or cols
        hashed = ", ".join(f'"{c}"' for c in content)
        count, total = conn.execute(
            f"select count(*), cast(coalesce(sum(hash({hashed})), 0) as varchar) from {relation}"
        ).fetchone()
        out[uid] = _digest("rows", count, total, content)
    return out


def fingerprints(
    manifest: Mapping[str, Any],
    sources: Mapping[str, str],
    *,
    dbt_vars: Mapping[str, Any],
    today: date,
    engine: str = "duckdb",
) -> dict[str, str]:
    """unique_id -> input fingerprint of every model, seed, snapshot and data test of the manifest, built on
    ``engine`` (the same node built on another engine is another build: its SQL compiles differently)."""
    nodes = manifest["nodes"]
    done: dict[str, str] = dict(sources)

    def visit(uid: str) -> str:
        if uid in done:
            return done[uid]
        node = nodes.get(uid)
        if node is None:  # a node of another kind (a function, a missing source): its id stands for it
            done[uid] = _digest("unknown", uid)
            return done[uid]
        done[uid] = "cycle"  # dbt refuses cycles; this only stops a malformed manifest from recursing forever
        parents = sorted(node.get("depends_on", {}).get("nodes", []))
        done[uid] = _digest(uid, engine, _definition(node, manifest, dbt_vars, today), [(p, visit(p)) for p in parents])
        return done[uid]

    kept = {"model", "seed", "snapshot", "test"}
    return {uid: visit(uid) for uid, node in nodes.items() if node.get("resource_type") in kept}


def ensure_state_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists ops")
    conn.execute(
        f"create table if not exists {STATE_TABLE} ("
        "unique_id varchar primary key, fingerprint varchar not null, run_id varchar, built_at timestamp)"
    )


def _existing_relations(conn: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {
        (schema.lower(), name.lower())
        for schema, name in conn.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
    }


def plan(
    conn: duckdb.DuckDBPyConnection,
    manifest: Mapping[str, Any],
    *,
    dbt_vars: Mapping[str, Any],
    today: date | None = None,
    nodes: Iterable[str] | None = None,
    engine: str = "duckdb",
    engine_relations: set[tuple[str, str]] | None = None,
) -> BuildPlan:
    """The fingerprints of ``nodes`` (default: every model, seed, snapshot and data test) and which of them are
    unchanged since they last built and passed. On another ``engine`` than DuckDB, a node is left alone only if
    its relation is in ``engine_relations`` (lower-case (schema, name): the engine's tables) as well as in the
    warehouse (its copy read back)."""
    today = today or datetime.now(UTC).date()
    prints = fingerprints(manifest, source_fingerprints(conn, manifest), dbt_vars=dbt_vars, today=today, engine=engine)
    if nodes is not None:
        wanted = set(nodes)
        prints = {uid: fp for uid, fp in prints.items() if uid in wanted}
    ensure_state_table(conn)
    rows = conn.execute(f"select unique_id, fingerprint, run_id from {STATE_TABLE}").fetchall()
    recorded = {uid: fp for uid, fp, _ in rows}
    relations = _existing_relations(conn)
    if engine_relations is not None:
        relations &= engine_relations
    unchanged = set()
    for uid, fp in prints.items():
        if recorded.get(uid) != fp:
            continue
        node = manifest["nodes"][uid]
        if node["resource_type"] in BUILT:
            relation = (str(node.get("schema", "")).lower(), str(node.get("alias") or node["name"]).lower())
            if relation not in relations:
                continue  # dropped since: build it again
        unchanged.add(uid)
    # dbt drops a test when every one of its parents is excluded (--indirect-selection cautious). A test to run
    # (changed, or not passed last time) with a parent that is built, or a source (exclude_args keeps in every
    # source a test to run reads), keeps its place: a relationship test from a rebuilt fact to an unchanged
    # dimension runs against the dimension as it is. A test to run whose parents are all unchanged has them built
    # again, and so is tested.
    sources = manifest.get("sources", {})
    rerun_parents = set()
    for uid in prints:
        if manifest["nodes"][uid]["resource_type"] != "test" or uid in unchanged:
            continue
        parents = manifest["nodes"][uid].get("depends_on", {}).get("nodes", [])
        if not any(p in sources or (p in prints and p not in unchanged) for p in parents):
            rerun_parents.update(parents)
    unchanged -= rerun_parents
    runs = {uid: run for uid, _, run in rows if uid in unchanged}
    return BuildPlan(fingerprints=prints, unchanged=frozenset(unchanged), recorded_runs=runs)


def exclude_args(
    manifest: Mapping[str, Any], unique_ids: Iterable[str], considered: Iterable[str] | None = None
) -> list[str]:
    """dbt arguments that leave ``unique_ids`` (nodes whose inputs are unchanged) out of a build whose nodes are
    ``considered`` (default: every node), in as few selection criteria as dbt needs: dbt matches each criterion
    against every node of the project (three times per build), so 565 criteria cost an increment 3 s at demo size.

    With ``--indirect-selection cautious``, an excluded node takes out the tests all of whose parents are excluded
    (dbt's default, eager, would also take out a changed model's relationship test to an unchanged one). So:

    * each model, seed and snapshot is named by its whole fqn (a bare name would also match a folder of that name);
    * each source that no considered test to run reads is excluded too (``source:<source>.<table>``; dbt builds
      nothing from it), which takes out its unchanged tests;
    * a test is named only when dbt would not take it out itself: one with a parent left in (a model rebuilt
      for another test, or a source a test to run reads). A test to run never has all its parents excluded:
      ``plan`` builds again the parents of a test to run that has no parent built and no source.
    """
    nodes, left_out = manifest["nodes"], set(unique_ids)
    considered = set(nodes) if considered is None else set(considered)
    parents = {
        uid: node.get("depends_on", {}).get("nodes", [])
        for uid, node in nodes.items()
        if node["resource_type"] == "test"
    }
    kept_sources = {p for uid, ps in parents.items() if uid in considered and uid not in left_out for p in ps}
    sources = {p for ps in parents.values() for p in ps if p in manifest.get("sources", {}) and p not in kept_sources}
    excluded = {uid for uid in left_out if nodes[uid]["resource_type"] != "test"} | sources
    named = [uid for uid in left_out if uid in parents and not (parents[uid] and set(parents[uid]) <= excluded)]
    names = sorted("fqn:" + ".".join(nodes[uid]["fqn"]) for uid in (excluded - sources) | set(named))
    names += sorted(f"source:{manifest['sources'][s]['source_name']}.{manifest['sources'][s]['name']}" for s in sources)
    # one space-separated value (dbt's own union syntax): dagster-dbt takes a single value after --exclude
    return ["--indirect-selection", "cautious", "--exclude", " ".join(names)] if names else []


def record(conn: duckdb.DuckDBPyConnection, build: BuildPlan, run_results: Mapping[str, Any], *, run_id: str) -> int:
    """Record the fingerprint of every node the build built or passed (``run_results``: dbt's run_results.json);
    a node that failed, warned, errored or was skipped loses its record, so the next build runs it. Returns the
    number of nodes recorded."""
    ensure_state_table(conn)
    now = datetime.now(UTC).replace(tzinfo=None)
    ok, not_ok = [], []
    for result in run_results.get("results", []):
        uid = result.get("unique_id")
        if uid not in build.fingerprints:
            continue
        (ok if result.get("status") in RECORDED else not_ok).append(uid)
    if not_ok:
        conn.execute(f"delete from {STATE_TABLE} where unique_id in (select unnest(?::varchar[]))", [not_ok])
    if ok:
        conn.execute(
            f"insert or replace into {STATE_TABLE} select unnest(?::varchar[]), unnest(?::varchar[]), ?, ?",
            [ok, [build.fingerprints[uid] for uid in ok], run_id, now],
        )
    return len(ok)
