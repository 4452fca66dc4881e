import hashlib
import json
import os
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.errors import FinopsError
from orchestration.settings import DBT_PROJECT_DIR, PRICING_SEEDS_DIR, finops_home

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


def vars_arg() -> list[str]:
    return ["--vars", json.dumps(dbt_vars(), sort_keys=True)]


def parse_manifest(target_path: Path | None = None) -> Path:
    """(Re)build dbt's manifest in process, so the dbt assets match the models on disk, and return its path.
    (dagster-dbt's own preparer shells out to a `dbt` found on PATH, which a venv used by path does not
    provide.) ``target_path`` defaults to the project's target folder, the manifest the assets load."""
    from dbt.cli.main import dbtRunner

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
            str(target_path or dbt_project.target_path),
            "--log-path",
            str(finops_home() / "logs" / "dbt"),
        ]
    )
    if not result.success:
        raise FinopsError(
            f"dbt could not parse dbt_project/ ({result.exception or 'see the dbt log'}); "
            "fix the model it names and retry."
        )
    return (target_path or dbt_project.target_path) / "manifest.json"


# The sanctioned import-time step (STYLE.md 3.5 item 6): under `dagster dev`, or on a fresh clone with no
# manifest yet, parse the project so the dbt assets below can load.
if os.environ.get("DAGSTER_IS_DEV_CLI") or not dbt_project.manifest_path.exists():
    parse_manifest()
