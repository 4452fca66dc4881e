"""`finops`: the command line (DESIGN.md §7).

Thin on purpose: `run` and `demo` execute the same Dagster job the schedule runs (`daily_spend_job`),
in process, on the instance under $FINOPS_HOME/dagster, so `dagster dev` shows their runs too.
Errors are one sentence on stderr and a non-zero exit; never a bare traceback for a user mistake.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from orchestration.errors import FinopsError
from orchestration.settings import APP_ENTRYPOINT, Paths, finops_home


def _clients():
    from connectors.anthropic.client import AnthropicAdminClient
    from connectors.openai.client import OpenAIAdminClient

    return {c.source: c for c in (OpenAIAdminClient, AnthropicAdminClient)}


# The env var names are the connectors' own (their error messages name the same ones).
SOURCES = ("openai", "anthropic")
DAGSTER_YAML = """\
# Written by `finops`. One DuckDB writer at a time; no telemetry (this machine talks to no one).
telemetry:
  enabled: false
nux:
  enabled: false
concurrency:
  pools:
    default_limit: 1
"""


def utc_today() -> date:
    return datetime.now(timezone.utc).date()


def _parse_day(flag: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FinopsError(f"{flag} must be a UTC date like 2025-06-01 (got {value!r}).") from None


# ---------------------------------------------------------------------------------------------- setup


def prepare_environment(paths: Paths) -> None:
    """Point Dagster, dbt and the app at FINOPS_HOME (absolute), and write the Dagster instance config."""
    paths.ensure()
    os.environ["FINOPS_HOME"] = str(paths.home)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
    os.environ["DBT_LOG_PATH"] = str(paths.logs / "dbt")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    config = paths.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)


# ------------------------------------------------------------------------------------------ pipeline


@dataclass
class RunSummary:
    run_id: str
    success: bool
    published: bool
    failures: list[str] = field(default_factory=list)
    gate_failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run_pipeline(first: date, last: date, sources: list[str] | None = None) -> RunSummary:
    """Ingest + dbt build + quality gate + publish for the UTC days first..last (inclusive), through
    Dagster's `daily_spend_job`. Environment must be prepared (``prepare_environment``)."""
    import dagster as dg

    from orchestration.defs.partitions import HISTORY_START
    from orchestration.defs.schedules import range_tags

    if first > last:
        raise FinopsError(f"--start {first} is after --end {last}; give the first day, then the last.")
    if last >= utc_today():
        raise FinopsError(
            f"--end {last} is not a complete UTC day yet; the last day you can load is {utc_today() - timedelta(days=1)}."
        )
    if first < date.fromisoformat(HISTORY_START):
        raise FinopsError(f"--start {first} is before {HISTORY_START}, the first day this warehouse partitions.")

    selected = sources or list(SOURCES)
    key_env = {source: client.hints.key_env for source, client in _clients().items()}
    missing = [s for s in selected if not os.environ.get(key_env[s])]
    for source in missing:
        _progress(f"{source}: {key_env[source]} is not set; skipping {source}.")
    if len(missing) == len(selected):
        _progress("note: no source is configured, so nothing new is loaded; set an admin key (see README) or try `finops demo`.")

    from orchestration.defs.transform.project import parse_manifest  # imports dagster-dbt: keep it lazy

    parse_manifest()
    from orchestration.definitions import defs as load_defs

    definitions = load_defs()
    job = definitions.resolve_job_def("daily_spend_job")
    selection = None
    if sources:
        keys = definitions.resolve_all_asset_keys()
        ingest = {k for k in keys if k.path[0] in SOURCES}
        selection = [k for k in keys if k not in ingest or k.path[0] in sources]

    instance = dg.DagsterInstance.get()
    # dbt's and GX's own chatter goes to a log file under FINOPS_HOME; the terminal gets one line per step.
    log_path = finops_home() / "logs" / "finops-run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        result = job.execute_in_process(
            instance=instance,
            tags=range_tags(first, last),
            asset_selection=selection,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    return summarise(result)


def summarise(result) -> RunSummary:
    summary = RunSummary(run_id=result.run_id, success=result.success, published=False)
    for event in result.all_events:
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION" and event.asset_key and event.asset_key.path == ["serving", "marts"]:
            summary.published = True
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                meta = evaluation.metadata or {}
                count = getattr(meta.get("unexpected_count") or meta.get("dagster_dbt/failed_row_count"), "value", None)
                line = evaluation.check_name + (f" ({count} rows)" if count is not None else "")
                blocking = evaluation.severity is None or evaluation.severity.value == "ERROR"
                (summary.gate_failures if blocking else summary.warnings).append(line)
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            summary.failures.append(f"{event.step_key}: {_user_message(error)}")
    return summary


def _user_message(error) -> str:
    """The user's exception that Dagster wrapped (the first non-Dagster error in the chain), as one line."""
    chain = error
    while chain is not None and chain.cls_name and chain.cls_name.startswith("Dagster"):
        chain = chain.cause
    best = chain or error
    text = best.message.strip()
    head, sep, rest = text.partition(": ")
    return rest if sep and head.split(".")[-1] == best.cls_name else text


def print_summary(summary: RunSummary) -> None:
    for line in summary.warnings:
        _progress(f"warning: quality gate: {line}")


def published_totals(paths: Paths) -> str:
    """One line on what the serving copy now holds, read back from it (not from the run's memory)."""
    import duckdb

    with duckdb.connect(str(paths.serving), read_only=True) as conn:
        days, listed, unpriced = conn.execute(
            "select count(distinct usage_date), coalesce(sum(list_cost_usd), 0), count(*) filter (where not is_priced) "
            "from marts.fct_usage_cost_daily"
        ).fetchall()[0]
        billed = conn.execute("select coalesce(sum(billed_cost_usd), 0) from marts.fct_billed_cost_daily").fetchall()[0][0]
        statuses = conn.execute(
            "select status, count(*) from marts.fct_cost_reconciliation_daily group by 1 order by 2 desc"
        ).fetchall()
    recon = ", ".join(f"{n} {status}" for status, n in statuses) or "nothing to reconcile"
    return (
        f"serving copy: {days} UTC days, list cost ${listed:,.2f}, billed ${billed:,.2f}"
        f" ({unpriced} unpriced usage rows); reconciliation (day x account): {recon}"
    )


def check_summary(summary: RunSummary) -> None:
    if summary.gate_failures:
        raise FinopsError(
            "the quality gate failed (" + "; ".join(summary.gate_failures) + "); nothing was published and "
            "the serving copy still holds the last good data; see the failing checks in `finops dagster` and "
            "the dbt output in FINOPS_HOME/logs/finops-run.log."
        )
    if summary.failures:
        messages = list(dict.fromkeys(f.split(": ", 1)[-1] for f in summary.failures))
        more = len(summary.failures) - 1
        suffix = f" ({more} more step{'s' if more > 1 else ''} failed too; see the run in `finops dagster`)" if more else ""
        raise FinopsError(messages[0].rstrip(".") + suffix + ".")
    if not summary.success or not summary.published:
        raise FinopsError(f"run {summary.run_id} did not publish; see it in `dagster dev` for details.")


# ------------------------------------------------------------------------------------------ commands


def cmd_run(args: argparse.Namespace) -> int:
    today = utc_today()
    from orchestration.defs.schedules import trailing_window

    default_first, default_last = trailing_window(today)
    first = _parse_day("--start", args.start) if args.start else default_first
    last = _parse_day("--end", args.end) if args.end else default_last
    for source in args.source or []:
        if source not in SOURCES:
            raise FinopsError(f"--source {source!r} is not a source this warehouse knows; use one of {', '.join(SOURCES)}.")
    paths = Paths(finops_home())
    prepare_environment(paths)
    _progress(f"finops run: UTC days {first}..{last} into {paths.home}")
    summary = run_pipeline(first, last, args.source)
    print_summary(summary)
    check_summary(summary)
    _progress(published_totals(paths))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if args.days < 1:
        raise FinopsError(f"--days must be at least 1 (got {args.days}).")
    from connectors.emulator import EmulatorServer

    paths = Paths(finops_home())
    prepare_environment(paths)
    last = utc_today() - timedelta(days=1)
    first = last - timedelta(days=args.days - 1)
    with EmulatorServer().start() as emulator:
        _progress(f"emulator serving OpenAI and Anthropic admin APIs at {emulator.url}")
        clients = _clients()
        for source, key, url in (
            ("openai", emulator.openai_key, emulator.openai_base_url),
            ("anthropic", emulator.anthropic_key, emulator.anthropic_base_url),
        ):
            os.environ[clients[source].hints.key_env] = key
            os.environ[clients[source].hints.base_url_env] = url
        _progress(f"finops demo: {args.days} UTC days {first}..{last} into {paths.home}")
        summary = run_pipeline(first, last)
    print_summary(summary)
    check_summary(summary)
    _progress(published_totals(paths))
    if args.no_app:
        return 0
    return serve_app(paths, args.port)


def cmd_app(args: argparse.Namespace) -> int:
    paths = Paths(finops_home())
    prepare_environment(paths)
    if not paths.serving.exists():
        _progress(f"note: {paths.serving} does not exist yet; the app will say so until `finops run` publishes.")
    return serve_app(paths, args.port)


def serve_app(paths: Paths, port: int) -> int:
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP_ENTRYPOINT),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]
    _progress(f"app: http://127.0.0.1:{port}  (Ctrl-C to stop)")
    env = {**os.environ, "FINOPS_HOME": str(paths.home)}
    for client in _clients().values():
        env.pop(client.hints.key_env, None)  # the app reads published marts only; it never needs a key
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0


def cmd_dagster(args: argparse.Namespace) -> int:
    """`dagster dev` on the instance under $FINOPS_HOME/dagster, so it shows the runs `finops run` made."""
    from orchestration.settings import REPO_ROOT

    paths = Paths(finops_home())
    prepare_environment(paths)
    from orchestration.defs.transform.project import parse_manifest  # imports dagster-dbt: keep it lazy

    parse_manifest()
    command = [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(args.port)]
    _progress(f"Dagster UI: http://127.0.0.1:{args.port}  (instance {paths.dagster_home}; Ctrl-C to stop)")
    try:
        return subprocess.call(command, cwd=REPO_ROOT, env=dict(os.environ))
    except KeyboardInterrupt:
        return 0


def cmd_emulator(args: argparse.Namespace) -> int:
    from connectors.emulator import serve

    serve(port=args.port, seed=args.seed, faults=args.faults)
    return 0


# ------------------------------------------------------------------------------------------------ main


def _progress(message: str) -> None:
    logging.getLogger("finops").info(message)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finops", description="An open FinOps warehouse for AI API spend.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="emulator + whole pipeline + app, on a simulated organisation")
    demo.add_argument("--days", type=int, default=90, help="UTC days to load, ending yesterday (default 90)")
    demo.add_argument("--no-app", action="store_true", help="stop after publishing; do not serve the app")
    demo.add_argument("--port", type=int, default=8501, help="app port (default 8501)")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="ingest + build + checks + publish for a range of UTC days")
    run.add_argument("--start", help="first UTC day, YYYY-MM-DD (default: 3 days ago)")
    run.add_argument("--end", help="last UTC day, inclusive (default: yesterday)")
    run.add_argument("--source", action="extend", nargs="+", metavar="S", help=f"only these sources: {' '.join(SOURCES)}")
    run.set_defaults(func=cmd_run)

    app = sub.add_parser("app", help="serve the Streamlit app on the published marts")
    app.add_argument("--port", type=int, default=8501)
    app.set_defaults(func=cmd_app)

    dagster = sub.add_parser("dagster", help="Dagster UI (dagster dev) on the instance finops run records to")
    dagster.add_argument("--port", type=int, default=3000)
    dagster.set_defaults(func=cmd_dagster)

    emulator = sub.add_parser("emulator", help="run the provider emulator alone")
    emulator.add_argument("--port", type=int, default=8765)
    emulator.add_argument("--seed", type=int, default=42)
    emulator.add_argument("--faults", default=None, help='e.g. "429:0.1,500:0.05,slow:0.02,truncate:0.02"')
    emulator.set_defaults(func=cmd_emulator)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore")
    # Progress lines from the assets (logger "finops") go to the terminal's stderr, bound now, so they
    # still show while a run sends dbt's, Dagster's and GX's own output to the log file.
    progress = logging.StreamHandler(sys.stderr)
    progress.setFormatter(logging.Formatter("%(message)s"))
    finops_logger = logging.getLogger("finops")
    finops_logger.handlers[:] = [progress]
    finops_logger.setLevel(logging.INFO)
    finops_logger.propagate = False
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except FinopsError as exc:
        print(f"finops: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # connectors raise one-sentence errors; anything else is a bug worth a trace
        from connectors.errors import ConnectorError

        if isinstance(exc, ConnectorError):
            print(f"finops: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
