import contextlib
import gc
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from orchestration.errors import FinopsError
from orchestration.settings import DBT_PROJECT_DIR, PRICING_SEEDS_DIR, dbt_engine, finops_home

PARTIAL_PARSE = "partial_parse.msgpack"
# dbt's unit tests check the models' SQL on fixed inputs written in their yml: the same answer on every run,
# whatever the data, so a scheduled run skips them (dbt's docs run them in development and CI), and so do the
# benchmarks that time one. They took a third of the tests' time in a run (bench/pipeline.py). `make test` runs
# every one of them (tests/dbt/test_dbt_build.py builds the whole project, unit tests included).
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")
# dbt's own setting for its log file (dbt.log beside the run's artifacts), whose default level, debug, writes every statement of
# every node (10 MB a build at demo size) and costs an increment 7% of its time. A scheduled build logs at info;
# what each node ran stays in dbt_target/run/ and compiled/. DBT_LOG_LEVEL_FILE=debug in the environment wins.
FILE_LOG_LEVEL = ("DBT_LOG_LEVEL_FILE", "info")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_vars() -> dict:
    """The dbt vars every dbt command of this project gets. ``finops_conformed`` names, per kind, the
    conformed staging models the unions (int_usage_unioned, int_billed_costs_unioned, int_accounts_unioned, ...)
    read: ``stg_<source>__<kind>`` for every registered source that declares the kind."""
    from connectors.registry import SOURCES
    from connectors.source import CONFORMED_KINDS

    conformed = {kind: [s.conformed_model(kind) for s in SOURCES if kind in s.conformed] for kind in CONFORMED_KINDS}
    return {"finops_conformed": conformed, "finops_price_book_version": price_book_version()}


def price_book_version() -> str:
    """A fingerprint of the price book (every CSV of pricing_seeds/). The incremental request marts store it
    with each day they build and rebuild every day built with another version: a price change reprices
    history, as the full-refresh usage marts do."""
    digest = hashlib.sha256()
    for path in sorted(PRICING_SEEDS_DIR.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def project_vars() -> dict:
    """Every dbt var a model can read in a run: dbt_project.yml's, overridden by ``dbt_vars()`` (as dbt does)."""
    import yaml

    declared = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text()).get("vars") or {}
    return {**declared, **dbt_vars()}


def vars_arg() -> list[str]:
    return ["--vars", json.dumps(dbt_vars(), sort_keys=True)]


def parse_manifest(target_path: Path | None = None, *, build_target: Path | None = None) -> Path:
    """(Re)build dbt's manifest in process, so the dbt assets match the models on disk, and return its path.
    (dagster-dbt's own preparer shells out to a `dbt` found on PATH, which a venv used by path does not
    provide.) ``target_path`` defaults to the project's target folder, the manifest the assets load.

    The project's target folder is shared by every process of this checkout, whatever its FINOPS_HOME (the
    writer lock is per home), and dbt writes manifest.json in place: a process loading the dbt assets while
    another parses once read half a file. So dbt parses into a folder of this process's own, and the manifest
    (and dbt's partial-parse state, copied in first so a parse stays partial) is moved into place with an atomic
    rename: a reader sees the old manifest or the new one, never a torn one.

    ``build_target``: the dbt target folder of the build that follows (the home's dbt_target/). dbt keeps a parse
    partial only while the profile it renders is the one its state was saved under, and profiles.yml holds
    FINOPS_HOME's path: the checkout's state serves only the home that parsed last. With two homes in turn (the test
    workers', the bench's) each parse read the whole project again, 8 s instead of 2 s. So a parse starts from the
    state the home's own last parse saved there (``_starting_state``) and leaves its own there (``_hand_state``),
    and the parsed project is kept for the home's build in this process (``manifest_for_build``)."""
    from dbt.cli.main import dbtRunner

    # absolute: dbt reads a relative --target-path from the project folder, Python from the working one
    target = Path(target_path) if target_path else Path(dbt_project.project_dir) / dbt_project.target_path
    target.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".parse-", dir=target))
    try:
        state = _starting_state(target, build_target)
        if state is not None:
            shutil.copy2(state, scratch / PARTIAL_PARSE)
        result = dbtRunner().invoke(
            [
                "parse",
                "--quiet",
                *vars_arg(),
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(scratch),
                "--log-path",
                str(finops_home() / "logs" / "dbt"),
            ]
        )
        if not result.success:
            raise FinopsError(
                f"dbt could not parse dbt_project/ ({result.exception or 'see the dbt log'}); "
                "fix the model it names and retry."
            )
        if build_target is not None:
            _hand_state(scratch / PARTIAL_PARSE, build_target)
            _PARSED.clear()  # one home's at a time: a Manifest holds the whole project
            _PARSED[_parsed_key(build_target)] = result.result
        for name in (PARTIAL_PARSE, "manifest.json"):  # the manifest last: whoever sees it sees the state too
            if (scratch / name).exists():
                os.replace(scratch / name, target / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target / "manifest.json"


def _hand_state(state: Path, build_target: Path) -> None:
    """Give the home's target folder this parse's state, and on DuckDB its manifest.json too. On DuckDB always: the
    build runs in this process on the parsed project (``manifest_for_build``) and writes neither
    (``build_in_process``); the manifest beside the build's run_results.json is the project that build ran
    (orchestration/quality/dbt_tests.py reads the two together). On Spark only to a home with none: its `dbt build`
    child parses under the spark target's profile and saves its own state and manifest there."""
    if not state.exists() or (dbt_engine() != "duckdb" and (build_target / PARTIAL_PARSE).exists()):
        return
    build_target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(state, build_target / PARTIAL_PARSE)
    if dbt_engine() == "duckdb" and (state.parent / "manifest.json").exists():
        shutil.copy2(state.parent / "manifest.json", build_target / "manifest.json")


# the project as this process last parsed it for a home's build: (the home's target folder, the dbt vars) -> it
_PARSED: dict[tuple[str, str], Any] = {}


def _parsed_key(build_target: Path) -> tuple[str, str]:
    return str(Path(build_target).resolve()), json.dumps(dbt_vars(), sort_keys=True)


def manifest_for_build(build_target: Path):
    """The parsed project (dbt's Manifest object) a `dbt build` in this process runs on, for the home whose target
    folder is ``build_target``: the one this process parsed for it (a run parses at its start, runner._execute),
    else parsed now. Handing it to dbt spares the build reading the project again: the manifest.json the run's
    plan and Dagster's assets were made from is this same parse."""
    key = _parsed_key(build_target)
    if key not in _PARSED:
        parse_manifest(build_target=build_target)
    return _PARSED[key]


def build_in_process(
    args: list[str],
    *,
    target: Path,
    logs: Path,
    project_dir: Path | str = DBT_PROJECT_DIR,
    indirect_selection: str | None = None,
    on_event=None,
):
    """`dbt <args>` (a build, with its selection) in this process, on the project as this process parsed it for
    the home whose target folder is ``target`` (``manifest_for_build``); ``on_event`` gets each of dbt's events.
    Returns dbt's result; raises KeyboardInterrupt when interrupted.

    A scheduled run's dbt step builds this way. A dbt child would first start Python, import dbt and read the
    project again, and dagster-dbt would run `dbt --version` in one more child and open the warehouse with an
    adapter of its own: about 3 s of a demo-size increment of 15 s (bench/RESULTS.md, session 54).

    dbt writes no artifacts (``--no-write-json``): its manifest.json would serialise the whole project again, 0.2-0.4 s
    a build, and the parse has put the same project in ``target``. The build's run_results.json is written here from
    dbt's result. An interrupted build leaves none, so its nodes are not recorded as built (dbt_state) and the next
    run builds them again."""
    from dbt.cli.main import dbtRunner

    parsed = manifest_for_build(target)
    if indirect_selection and "--indirect-selection" not in args:  # the build's own choice wins (dbt_state's)
        args = [*args, "--indirect-selection", indirect_selection]
    try:
        with _interrupts_as_keyboard_interrupt(), _collector_skips_what_exists():
            result = dbtRunner(manifest=parsed, callbacks=[on_event] if on_event else []).invoke(
                [
                    *args,
                    "--project-dir",
                    str(project_dir),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                    "--target-path",
                    str(target),
                    "--log-path",
                    str(logs),
                    "--no-use-colors",
                    "--no-write-json",
                ]
            )
    finally:
        release_dbt_duckdb()
    if result.exception is not None and not isinstance(result.exception, Exception):
        raise result.exception  # KeyboardInterrupt: dbt stopped its query and its worker thread first
    if hasattr(result.result, "write"):  # the build's results, as dbt writes them: run_results.json
        result.result.write(str(target / "run_results.json"))
    return result


def failure_sentence(result, log: Path) -> str:
    """One sentence for a failed build: the first node that failed and dbt's message, or dbt's own error."""
    failed = [
        r for r in getattr(result.result, "results", None) or [] if str(r.status) in ("error", "fail", "runtime error")
    ]
    if failed:
        first = failed[0]
        message = " ".join(str(first.message or "").split())
        more = f" ({len(failed) - 1} more failed)" if len(failed) > 1 else ""
        return f"dbt build failed at {first.node.resource_type} {first.node.name}: {message}{more}; see {log}."
    return f"dbt build failed: {' '.join(str(result.exception or 'no result').split())}; see {log}."


@contextlib.contextmanager
def _collector_skips_what_exists() -> Iterator[None]:
    """Python's cycle collector leaves the objects that exist when the build starts (Dagster's definitions, the
    parsed project: about 800,000 in a run's process) out of its full collections until the build ends. dbt makes
    objects enough per node to set off such collections, and each scanned them all: 0.5-0.6 s of a 1.5 s build
    in a daily run at demo size (bench/RESULTS.md, session 54). They are handed back to the collector after."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _interrupts_as_keyboard_interrupt() -> Iterator[None]:
    """Ctrl-C and SIGTERM as KeyboardInterrupt while dbt runs: the one interruption dbt handles, by stopping its
    running query and joining its worker thread. Dagster's own handler (which takes SIGTERM as SIGINT too) raises
    another exception, which dbt lets pass with its worker still in DuckDB, to be torn down as the process exits
    (abort: "FATAL: exception not rethrown")."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only
        return
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def release_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after a build; what runs next opens the warehouse
    with its own settings, which DuckDB refuses while it is open. Close it, as a dbt child's exit did. (The tests
    that run dbt in process call it too: tests/dbt/dbt_inprocess.py.)"""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def _starting_state(target: Path, build_target: Path | None) -> Path | None:
    """The partial-parse state a parse starts from: on DuckDB the home's own (``build_target``), saved under its
    profile; else the checkout's (``target``). On Spark the home's build saved its state under the spark target's
    profile, which a parse does not render."""
    own = build_target / PARTIAL_PARSE if build_target is not None and dbt_engine() == "duckdb" else None
    for state in (own, target / PARTIAL_PARSE):
        if state is not None and state.exists():
            return state
    return None


# The sanctioned import-time step (STYLE.md 3.5 item 6): under `dagster dev`, or on a fresh clone with no
# manifest yet, parse the project so the dbt assets below can load.
if os.environ.get("DAGSTER_IS_DEV_CLI") or not dbt_project.manifest_path.exists():
    parse_manifest()
