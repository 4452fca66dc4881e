"""``python -m emulator [--port P] [--seed N] [--faults SPEC] [--spike SPEC]``: run the emulator in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys

from .server import serve


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Run the provider emulator (every registered source's plugin) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free port)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the simulated organisation (default 42)")
    parser.add_argument("--faults", default=None, help='fault spec, e.g. "429:0.1,500:0.05,seed=7" or "429x2"')
    parser.add_argument(
        "--spike", default=None, help='spend spikes DAY:PROVIDER:MODEL:FACTOR, e.g. "2025-06-18:openai:gpt-4o:8"'
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    try:
        return serve(args.port, args.seed, args.faults, spikes=args.spike)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before the server was up
        return 130


if __name__ == "__main__":
    sys.exit(main())
