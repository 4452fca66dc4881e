"""Adding a source is one connector folder, one staging folder and one registry line (CONTRIBUTING.md).

Done here as a new contributor would: on a copy of the checkout, drop in the toy source of
tests/fixtures/toy_source (a file-drop source with its own emulator plugin and dbt staging folder), add
its line to connectors/registry.py, and run `finops demo`. Its rows must reach the marts with no other edit.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TOY = REPO / "tests" / "fixtures" / "toy_source"


def checkout_copy(target: Path) -> Path:
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not name.startswith("tests/"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_a_toy_source_reaches_the_marts_with_one_folder_and_one_line(tmp_path):
    repo = checkout_copy(tmp_path / "repo")
    for folder in ("connectors/toy", "dbt_project/models/staging/toy"):
        shutil.copytree(TOY / folder, repo / folder)
    registry = repo / "connectors" / "registry.py"
    text = registry.read_text()
    assert text.count('    "connectors.anthropic",\n') == 1
    registry.write_text(
        text.replace('    "connectors.anthropic",\n', '    "connectors.anthropic",\n    "connectors.toy",\n')
    )

    home = tmp_path / "home"
    env = {**os.environ, "PYTHONPATH": str(repo), "FINOPS_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "demo", "--days", "2", "--no-app"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "toy/usage: 2 new or changed files" in proc.stderr
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as conn:
        landed = conn.execute("select day, team, sum(tokens) from raw.toy_usage group by all order by all").fetchall()
    with duckdb.connect(str(home / "serving.duckdb"), read_only=True) as conn:
        published = conn.execute(
            "select usage_date, account_id, sum(quantity) from marts.fct_usage_cost_daily "
            "where provider = 'toy' group by all order by all"
        ).fetchall()
        flagged = conn.execute(
            "select bool_and(not is_priced) from marts.fct_usage_cost_daily where provider = 'toy'"
        ).fetchall()[0][0]
    assert len(landed) == 4 and all(tokens > 0 for *_, tokens in landed)  # 2 days x 2 teams
    assert published == landed
    assert flagged, "the toy model has no list price: flagged unpriced, never $0"
