"""dbt in this process on dbt_project/, as the dbt tests run it: FINOPS_HOME = home, every artifact under it."""

import os
from pathlib import Path

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def run_dbt(home: Path, args: list[str]):
    """``dbt <args>`` with FINOPS_HOME = ``home``; returns dbt's result. The environment is restored and
    dbt-duckdb's in-process DuckDB instance closed afterwards, as a separate dbt process would."""
    from dbt.cli.main import dbtRunner

    saved = dict(os.environ)
    os.environ.update(FINOPS_HOME=str(home), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1")
    try:
        return dbtRunner().invoke([*args, *dbt_dirs(home), "--no-partial-parse"])
    finally:
        os.environ.clear()
        os.environ.update(saved)
        release_dbt_duckdb()


def dbt_dirs(home: Path) -> list[str]:
    """dbt's arguments for this project, with every artifact and log under ``home``."""
    return [
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(home / "dbt_target"),
        "--log-path",
        str(home / "dbt_logs"),
    ]


def release_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after an in-process run; a new connection
    with another configuration (read_only) then fails. Close it, as the pipeline's own in-process build does."""
    from orchestration.defs.transform.project import release_dbt_duckdb as release

    release()


def vars_with(**conformed: list[str]) -> list[str]:
    """``--vars`` as finops passes them, except that the kinds named here list only the given models: a test
    that builds some sources' staging models (not every source's) unions just those."""
    import json

    from orchestration.defs.transform.project import dbt_vars

    variables = dbt_vars()
    variables["finops_conformed"].update(conformed)
    return ["--vars", json.dumps(variables, sort_keys=True)]


def require_success(result) -> None:
    """Fail the test with every failing node of a dbt ``result`` named, unless it succeeded."""
    import pytest

    if not result.success:
        failures = [
            f"{r.node.unique_id}: {r.status} {r.message}"
            for r in getattr(result.result, "results", None) or []
            if str(r.status) not in ("success", "pass", "skipped")
        ]
        pytest.fail(f"dbt build failed: {result.exception or ''}\n" + "\n".join(failures))


# the seeds and pricing staging models that int_usage_priced (macro price_usage) reads
PRICING_MODELS = [
    "resource_type:seed",
    "stg_pricing__price_book",
    "stg_pricing__model_aliases",
    "stg_pricing__price_modifiers",
    "stg_pricing__usage_types",
    "stg_pricing__genai_prices_model_matches",
]


def build_selected(home: Path, select: list[str], **conformed: list[str]) -> None:
    """``dbt build`` of ``select`` (and their tests) with the conformed kinds narrowed as ``vars_with``; the
    union's own unit test is left out (it reads every source's models, and only some are built)."""
    selection = [
        "--select",
        *select,
        "--exclude",
        "int_usage_unioned,test_type:unit",
        "--indirect-selection",
        "cautious",
    ]
    require_success(run_dbt(home, ["build", *vars_with(**conformed), *selection]))


def build_usage_subset(home: Path, models: list[str], usage_lines: list[str]) -> None:
    """``dbt build`` of PRICING_MODELS + ``models`` with only ``usage_lines`` in the union (no price lines)."""
    build_selected(home, [*PRICING_MODELS, *models], usage_lines=usage_lines, price_lines=[])


def run_unit_tests(home: Path, model: str) -> None:
    """The dbt unit tests of ``model``, once its parents are built under ``home`` (dbt reads their columns)."""
    from orchestration.defs.transform.project import vars_arg

    require_success(run_dbt(home, ["test", *vars_arg(), "--select", f"{model},test_type:unit"]))
