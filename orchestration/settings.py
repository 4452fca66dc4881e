"""Where things live, derived from FINOPS_HOME. The only environment read is in ``finops_home()``;
callers (the CLI, Dagster resources) pass the result down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
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
