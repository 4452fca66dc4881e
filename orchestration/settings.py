"""Where things live, derived from FINOPS_HOME. The only environment read is in ``finops_home()``;
callers (the CLI, Dagster resources) pass the result down."""

from __future__ import annotations

import os
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
