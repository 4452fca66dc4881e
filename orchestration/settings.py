"""Where things live, derived from FINOPS_HOME, how much memory DuckDB may use, and which engine dbt builds on. The
environment is read in ``finops_home()``, ``duckdb_memory_limit()`` and ``dbt_engine()`` only; callers (the CLI, Dagster resources) pass the results down."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.errors import FinopsError

REPO_ROOT = Path(__file__).resolve().parents[1]
# Any past UTC day from here on can be loaded (the first day of the daily partitions).
HISTORY_START = "2022-01-01"
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
PRICING_SEEDS_DIR = REPO_ROOT / "pricing_seeds"  # the price book (dbt seeds; dbt_project.yml seed-paths)
APP_ENTRYPOINT = REPO_ROOT / "apps" / "streamlit_app.py"
# DuckDB's memory limit for the warehouse (dbt's builds and the pipeline's own connections). DuckDB's default is
# 80% of RAM, and a full build of 10M requests used all of it (17.8 GiB, bench/results/request_logs_10m.md); with
# a limit it spills to disk instead (issue 13: peak memory <= 8 GB). dbt_project/profiles.yml has the same default
# for a dbt run by hand.
MEMORY_LIMIT_ENV = "FINOPS_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "6GB"
# Where dbt builds the models (issue 14): DuckDB, the warehouse itself, or Apache Spark (orchestration/spark.py), whose
# tables are read back into the warehouse after each build so the gate, the publish step and the app read them
# the same way.
ENGINE_ENV = "FINOPS_ENGINE"
ENGINES = ("duckdb", "spark")
_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib|%)\s*", re.IGNORECASE)


def duckdb_memory_limit(value: str | None = None) -> str:
    """The memory limit DuckDB gets, as DuckDB spells it ('6GB', '512MB', '50%' of RAM): ``value``, else
    $FINOPS_DUCKDB_MEMORY_LIMIT, else 6GB. FinopsError (one sentence) for anything else."""
    raw = value if value is not None else os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
    found = _MEMORY.fullmatch(raw)
    amount = float(found[1]) if found else 0.0
    if not found or amount <= 0 or (found[2] == "%" and amount > 100):
        raise FinopsError(
            f"{MEMORY_LIMIT_ENV}={raw!r} is not an amount of memory DuckDB can use; set it like 6GB, 512MB or 50% "
            f"(of this machine's RAM), or unset it for {DEFAULT_MEMORY_LIMIT}."
        )
    return f"{found[1]}{found[2]}"


def dbt_engine(value: str | None = None) -> str:
    """The engine dbt builds the models on: ``value``, else $FINOPS_ENGINE, else duckdb. FinopsError (one
    sentence) for anything else."""
    raw = value if value is not None else os.environ.get(ENGINE_ENV) or ENGINES[0]
    engine = raw.strip().lower()
    if engine not in ENGINES:
        raise FinopsError(
            f"{ENGINE_ENV}={raw!r} is not an engine this project builds on; set it to {' or '.join(ENGINES)}, "
            f"or unset it for {ENGINES[0]}."
        )
    return engine


def finops_home(value: str | None = None) -> Path:
    """The data folder as an absolute path: ``value``, else ``$FINOPS_HOME``, else ``./data``."""
    raw = value or os.environ.get("FINOPS_HOME") or "data"
    return Path(raw).expanduser().resolve()


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.home / "serving.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def dbt_target(self) -> Path:
        return self.home / "dbt_target"

    @property
    def demo_drops(self) -> Path:
        """Where `finops demo`'s emulator writes its file drops (cloud billing exports, request logs): one folder
        that stays, as a real export bucket does, so a second demo finds the same files where the first left them."""
        return self.home / "demo_drops"

    def ensure(self) -> "Paths":
        for folder in (self.home, self.dagster_home, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    def check_usable(self) -> "Paths":
        """Create the data folders and prove they can be written; FinopsError (one sentence) otherwise."""
        where = f"FINOPS_HOME={self.home}"
        fix = "set FINOPS_HOME to a folder you can write (it is created if missing), e.g. ./data"
        for system in SYSTEM_FOLDERS:
            if self.home == Path(system) or Path(system) in self.home.parents:
                raise FinopsError(f"{where} is inside {system}, a system folder, not a place for data; {fix}.")
        if self.home.exists() and not self.home.is_dir():
            raise FinopsError(f"{where} is a file, not a folder; {fix}.")
        probe = self.home / ".finops-write-test"
        try:
            self.ensure()
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            reason = (exc.strerror or type(exc).__name__).lower()
            raise FinopsError(f"{where} cannot be used ({reason}); {fix}.") from None
        return self
