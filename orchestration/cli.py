"""`finops`: the command line (DESIGN.md §7).

Thin on purpose: it checks the arguments, prepares FINOPS_HOME and hands over to the pipeline runner
(orchestration/runner.py), the emulator, Streamlit or `dagster dev`. Errors are one sentence on stderr and
exit code 2, never a bare traceback for a user mistake; Ctrl-C and SIGTERM end a run with one sentence and
exit code 130. Arguments are checked before anything is written, so a bad one creates no folder.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import warnings
from datetime import date, timedelta
from pathlib import Path

from connectors.registry import BY_NAME, SOURCES
from orchestration.app_login import LOGIN_SECRETS_ENV, is_loopback, login_secrets
from orchestration.config import CONFIG_ENV, ConfigError, config_path, load_config
from orchestration.errors import FinopsError
from orchestration.export import add_commands as add_export_commands
from orchestration.export_focus import add_command as add_focus_export_command
from orchestration.prices.commands import add_commands as add_price_commands
from orchestration.runner import (
    Interrupted,
    check_range,
    check_summary,
    interrupted_message,
    prepare_environment,
    print_summary,
    published_totals,
    run_pipeline,
    utc_today,
)
from orchestration.settings import APP_ENTRYPOINT, Paths, finops_home

FAULT_HELP = (
    "KIND:RATE or KINDxCOUNT items, comma-separated; KIND is 429, 500, 502, 503, 529, slow, truncate, no_cursor, "
    "endless_cursor, no_cached_field or html (see emulator/faults.py); e.g. "
    '"429:0.1,500:0.05,slow:0.02,truncate:0.02" or "endless_cursorx3"'
)


def _parse_day(flag: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FinopsError(f"{flag} must be a UTC date like 2025-06-01 (got {value!r}).") from None


def _waiting(who: str) -> None:
    _progress(f"another run is writing to FINOPS_HOME ({who}); waiting for it to finish (Ctrl-C to stop waiting).")


# ------------------------------------------------------------------------------------------ commands


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration.defs.schedules import daily_window

    for source in args.source or []:
        if source not in BY_NAME:
            raise FinopsError(
                f"--source {source!r} is not a source this warehouse knows; use one of {', '.join(BY_NAME)}."
            )
    try:
        default_first, default_last = daily_window(utc_today(), os.environ, args.source)
    except ValueError as exc:
        raise FinopsError(str(exc)) from None
    # without --start and --end this is the daily run: each source re-pulls the days it may still revise
    trailing = args.start is None and args.end is None
    first = _parse_day("--start", args.start) if args.start is not None else default_first
    last = _parse_day("--end", args.end) if args.end is not None else default_last
    check_range(first, last)
    load_config()  # a bad finops.yaml: one sentence and exit 1 before any folder is created
    paths = Paths(finops_home())
    prepare_environment(paths)
    _progress(f"finops run: UTC days {first}..{last} into {paths.home}")
    summary = run_pipeline(
        first, last, args.source, accept_shrink=args.accept_shrink, trailing=trailing, on_wait=_waiting
    )
    print_summary(summary)
    check_summary(summary)
    _progress(published_totals(paths))
    return 0


# The demo's injected spend spike (issue 10 item 9): OpenAI's o3 (the ops-agents key, called every day since
# 2025-04-16) at 8x its usage, DEMO_SPIKE_DAYS_BACK days before the last demo day, so the anomalies mart has a
# true anomaly with a known day and driver to show (mart_cost_anomalies: scope provider=openai, driver o3).
DEMO_SPIKE_PROVIDER, DEMO_SPIKE_MODEL, DEMO_SPIKE_FACTOR, DEMO_SPIKE_DAYS_BACK = "openai", "o3-2025-04-16", 8.0, 10


# The demo organisation's finops.yaml (its teams and owners), used when the user has none of their own.
DEMO_CONFIG = Path(__file__).resolve().parents[1] / "emulator" / "demo_finops.yaml"


def demo_config(environ: dict[str, str]) -> Path | None:
    """The demo's finops.yaml when ``environ`` names none (FINOPS_CONFIG) and ./finops.yaml does not exist."""
    if environ.get(CONFIG_ENV) or config_path(environ).exists():
        return None
    return DEMO_CONFIG


def demo_spikes(first: date, last: date) -> list:
    """The demo's spike, if its day is within the demo's days [first, last]."""
    from emulator.spikes import Spike

    day = last - timedelta(days=DEMO_SPIKE_DAYS_BACK)
    return [Spike(day, DEMO_SPIKE_PROVIDER, DEMO_SPIKE_MODEL, DEMO_SPIKE_FACTOR)] if day >= first else []


def cmd_demo(args: argparse.Namespace) -> int:
    if args.days < 1:
        raise FinopsError(f"--days must be at least 1 (got {args.days}).")
    from emulator import EmulatorServer, SimulatedOrg

    config = demo_config(dict(os.environ))
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)
        _progress(f"finops.yaml: {config} (the demo organisation's teams; ./finops.yaml or FINOPS_CONFIG takes over)")
    load_config()  # a bad finops.yaml: one sentence and exit 1 before the emulator starts
    paths = Paths(finops_home())
    prepare_environment(paths)
    last = utc_today() - timedelta(days=1)
    first = last - timedelta(days=args.days - 1)
    spikes = [] if args.no_spike else demo_spikes(first, last)
    # its file drops in FINOPS_HOME, not a new temporary folder each time: a file the loader landed under another path
    # would be landed again, and an export's rows twice fail its unique-key check
    with EmulatorServer(SimulatedOrg(spikes=spikes), drop_dir=paths.demo_drops).start() as emulator:
        _progress(f"emulator serving {', '.join(s.title for s in emulator.sources)} at {emulator.url}")
        for spike in spikes:
            _progress(f"injected spend spike: {spike.model} at {spike.provider} x{spike.factor:g} on {spike.day}")
        os.environ.update(emulator.environ(start=first, end=last + timedelta(days=1)))  # every source, pointed at it
        _progress(f"finops demo: {args.days} UTC days {first}..{last} into {paths.home}")
        summary = run_pipeline(first, last, on_wait=_waiting)
    print_summary(summary)
    check_summary(summary)
    _progress(published_totals(paths))
    if args.no_app:
        return 0
    return serve_app(paths, args.port)


def cmd_app(args: argparse.Namespace) -> int:
    paths = Paths(finops_home())
    prepare_environment(paths)
    secrets = login_secrets(args.login_secrets)
    if not paths.serving.exists():
        _progress(f"note: {paths.serving} does not exist yet; the app will say so until `finops run` publishes.")
    if secrets is None and not is_loopback(args.address):
        _progress(f"warning: serving on {args.address} with no login; anyone who can reach it sees the numbers.")
    return serve_app(paths, args.port, address=args.address, secrets=secrets)


def serve_app(paths: Paths, port: int, *, address: str = "127.0.0.1", secrets: Path | None = None) -> int:
    """Streamlit on ``address``:``port``; with ``secrets`` (a checked login secrets file) behind OIDC login."""
    from orchestration.processes import run_child

    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_ENTRYPOINT),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    if secrets is not None:
        command += ["--secrets.files", str(secrets)]
    login = "; login required (OIDC)" if secrets is not None else ""
    _progress(f"app: http://{address}:{port}{login}  (Ctrl-C to stop)")
    env = {**os.environ, "FINOPS_HOME": str(paths.home)}
    for source in SOURCES:
        for name in source.env_vars:  # the app reads published marts only; it never needs a key
            env.pop(name, None)
    return run_child(command, env=env)


def cmd_dagster(args: argparse.Namespace) -> int:
    """`dagster dev` on the instance under $FINOPS_HOME/dagster, so it shows the runs `finops run` made."""
    from orchestration.processes import run_child
    from orchestration.settings import REPO_ROOT

    paths = Paths(finops_home())
    prepare_environment(paths)
    from orchestration.defs.transform.project import parse_manifest  # imports dagster-dbt: keep it lazy

    parse_manifest()
    command = [str(Path(sys.executable).parent / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(args.port)]
    _progress(f"Dagster UI: http://127.0.0.1:{args.port}  (instance {paths.dagster_home}; Ctrl-C to stop)")
    return run_child(command, env=dict(os.environ), cwd=REPO_ROOT)


def cmd_emulator(args: argparse.Namespace) -> int:
    from emulator import FaultSpec, serve
    from emulator.spikes import parse_spikes

    try:
        FaultSpec.parse(args.faults)
    except ValueError as exc:
        raise FinopsError(f"--faults: {exc}") from None
    try:
        parse_spikes(args.spike)
    except ValueError as exc:
        raise FinopsError(f"--spike: {exc}") from None
    try:
        return serve(port=args.port, seed=args.seed, faults=args.faults, spikes=args.spike)
    except OSError as exc:
        raise FinopsError(f"{str(exc).rstrip('.')}; pick another --port (0 takes a free one).") from None


# ------------------------------------------------------------------------------------------------ prices sync


def cmd_prices_sync(args: argparse.Namespace) -> int:
    """`finops prices sync [--check]`: genai-prices' list prices -> pricing_seeds/generated/ (and the report)."""
    from orchestration.prices import sync as prices_sync

    try:
        result = prices_sync.sync()
    except ModuleNotFoundError as exc:
        raise FinopsError(
            f"{exc.name} is not installed; install the project with its pinned versions "
            "(pip install -c constraints.txt -e .) and run finops prices sync again."
        ) from None
    except ValueError as exc:
        raise FinopsError(f"pricing_seeds: {exc}; fix the file and run finops prices sync again.") from None
    folder = prices_sync.GENERATED
    if args.check:
        stale = prices_sync.stale_files(result, folder)
        if stale:
            print(
                f"finops: {', '.join(stale)} in {folder} differ from what genai-prices {result.version} gives; "
                "run `finops prices sync` and commit the result.",
                file=sys.stderr,
            )
            return 1
        print(f"The generated price-book files match genai-prices {result.version}.")
        return 0
    prices_sync.write(result, folder)
    print("\n".join(prices_sync.summary_lines(result)))
    return 0


def _add_prices_sync_parser(prices_commands) -> None:
    sync = prices_commands.add_parser(
        "sync", help="import genai-prices' list prices (the installed package) into pricing_seeds/generated/"
    )
    sync.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the committed generated files differ from what the package gives",
    )
    sync.set_defaults(func=cmd_prices_sync)


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
    demo.add_argument(
        "--no-spike",
        action="store_true",
        help=f"no injected spend spike (default: {DEMO_SPIKE_MODEL} at {DEMO_SPIKE_PROVIDER} x{DEMO_SPIKE_FACTOR:g}, "
        f"{DEMO_SPIKE_DAYS_BACK} days before the last day)",
    )
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser("run", help="ingest + build + checks + publish for a range of UTC days")
    run.add_argument(
        "--start",
        help="first UTC day, YYYY-MM-DD (default: the daily run: each source re-pulls the days it may still revise, "
        "3 by default, FINOPS_<SOURCE>_REVISION_DAYS)",
    )
    run.add_argument("--end", help="last UTC day, inclusive (default: yesterday)")
    run.add_argument(
        "--source", action="extend", nargs="+", metavar="S", help=f"only these sources: {' '.join(BY_NAME)}"
    )
    run.add_argument(
        "--accept-shrink",
        action="store_true",
        help="let a source replace a day's rows with less than half as many (refused by default: a broken reply "
        "looks like that)",
    )
    run.set_defaults(func=cmd_run)

    app = sub.add_parser("app", help="serve the Streamlit app on the published marts")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--address", default="127.0.0.1", help="address to listen on (default: this machine only)")
    app.add_argument(
        "--login-secrets",
        metavar="FILE",
        help=f"Streamlit secrets file with an [auth] table: require OIDC login (also {LOGIN_SECRETS_ENV}; off by default)",
    )
    app.set_defaults(func=cmd_app)

    dagster = sub.add_parser("dagster", help="Dagster UI (dagster dev) on the instance finops run records to")
    dagster.add_argument("--port", type=int, default=3000)
    dagster.set_defaults(func=cmd_dagster)

    emulator = sub.add_parser("emulator", help="run the provider emulator alone")
    emulator.add_argument("--port", type=int, default=8765)
    emulator.add_argument("--seed", type=int, default=42)
    emulator.add_argument("--faults", default=None, help=FAULT_HELP)
    emulator.add_argument(
        "--spike", default=None, help='spend spikes DAY:PROVIDER:MODEL:FACTOR, e.g. "2025-06-18:openai:gpt-4o:8"'
    )
    emulator.set_defaults(func=cmd_emulator)

    prices = sub.add_parser("prices", help="the price book: check, show, sync, add (pricing_seeds/)")
    prices_commands = prices.add_subparsers(dest="prices_command", required=True)
    add_price_commands(prices_commands)
    _add_prices_sync_parser(prices_commands)

    export = sub.add_parser(
        "export", help="statements from the published marts: chargeback, FOCUS 1.2 (CSV or Parquet)"
    )
    export_commands = export.add_subparsers(dest="export_command", required=True)
    add_export_commands(export_commands)
    add_focus_export_command(export_commands)
    return parser


def _sigterm_as_interrupt(signum, frame) -> None:
    # SIGTERM stops a run the way Ctrl-C does: Dagster turns SIGINT into an orderly interruption of the step.
    os.kill(os.getpid(), signal.SIGINT)


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
    # Ctrl-C and SIGTERM stop a run, even when a script started finops in the background (SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        if args.command in ("run", "demo"):
            print(f"finops: {interrupted_message()}", file=sys.stderr)
        return 130
    except Interrupted as exc:
        print(f"finops: {exc}", file=sys.stderr)
        return 130
    except ConfigError as exc:  # the settings file, not the command line: exit 1
        print(f"finops: {exc}", file=sys.stderr)
        return 1
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
