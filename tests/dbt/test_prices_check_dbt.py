"""`finops prices check` agrees with the dbt tests on the same files: the real book passes both, and a book
with one bad row of each kind fails both, row for row. dbt runs on a small project made of the repo's macros,
generic tests and pricing tests with the book copy as its seeds, so a test book never touches pricing_seeds/."""

import os
import shutil
from pathlib import Path

import pytest
from dbt_inprocess import DBT_DIR, release_dbt_duckdb

from orchestration.prices.book import load_book
from orchestration.prices.check import check_book
from orchestration.settings import PRICING_SEEDS_DIR

pytestmark = pytest.mark.slow

PROJECT = """name: ai_spend
version: "1.0.0"
config-version: 2
profile: ai_spend
seed-paths: ["seeds"]
test-paths: ["tests"]
macro-paths: ["macros"]
seeds:
  ai_spend:
    +schema: pricing
    +quote_columns: false
"""

# the one test of price_book's closed lists (unit, currency, price_conf, date_conf): dbt names it by their values
PRICE_BOOK_VALUES = (
    "accepted_values_columns_price_book__per_1m_tokens_per_1m_characters_per_1k_requests_per_1k_searches_per_image_"
    "per_second_per_session_per_gib_day_unit____USD____A_B_C____A_B_C_"
)
# One bad row of each kind (distinct keys, so each breaks one rule), with the dbt test that catches it.
BAD_PRICE_ROWS = {
    "openai,o3-2025-04-16,input_tokens,standard,0,2025-05-01,2025-06-01,per_1m_tokens,USD,7,B,B,T,": [
        "no_overlapping_windows_price_book_provider__model_id__usage_type__service_tier__prompt_tokens_gt"
    ],
    "openai,zz-negative,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,-1,B,B,T,": [
        "non_negative_columns_price_book_prompt_tokens_gt__unit_price"
    ],
    "openai,zz-unit,input_tokens,standard,0,2025-01-01,,per_image,USD,1,B,B,T,": [
        "assert_price_book_unit_matches_usage_type"
    ],
    "openai,gpt-4o-2024-08-06,input_tokens,standard,128000,2024-01-01,,per_1m_tokens,USD,5,C,C,T,": [
        "assert_price_book_tier_rows_have_base_row"
    ],
    "openai,zz-empty,input_tokens,standard,0,2025-01-01,2025-01-01,per_1m_tokens,USD,1,B,B,T,": [
        "price_book_window_is_not_empty"
    ],
    "openai,zz-usage,input_tokenz,standard,0,2025-01-01,,per_1m_tokens,USD,1,B,B,T,": [
        "relationships_price_book_usage_type__usage_type__ref_usage_types_"
    ],
    "openai,zz-currency,input_tokens,standard,0,2025-01-01,,per_1m_tokens,EUR,1,B,B,T,": [PRICE_BOOK_VALUES],
    "openai,zz-conf,input_tokens,standard,0,2025-01-01,,per_1m_tokens,USD,1,D,B,T,": [PRICE_BOOK_VALUES],
}
BAD_ALIAS = "openai,gpt-4o,gpt-4o-2024-08-06,2024-09-01,2024-10-01,C,T"
BAD_MODIFIER = "openai,*,batch,input_tokens|output_tokenz,,0.5,2030-01-01,,,C,T,"
BAD_USAGE_TYPE = "web_fetch_requests,per_1k_requests,none,web_fetches,"
BAD_OTHERS = {
    "model_aliases.csv": (BAD_ALIAS, ["no_overlapping_windows_model_aliases_provider__alias"]),
    "price_modifiers.csv": (BAD_MODIFIER, ["assert_price_modifier_usage_types_exist"]),
    "usage_types.csv": (
        BAD_USAGE_TYPE,
        ["relationships_usage_types_fallback_usage_type__usage_type__ref_usage_types_"],
    ),
}


def make_project(root: Path) -> Path:
    project = root / "project"
    project.mkdir()
    (project / "dbt_project.yml").write_text(PROJECT)
    shutil.copy(DBT_DIR / "profiles.yml", project / "profiles.yml")
    shutil.copytree(DBT_DIR / "macros", project / "macros")
    shutil.copytree(DBT_DIR / "tests" / "generic", project / "tests" / "generic")
    shutil.copytree(DBT_DIR / "tests" / "pricing", project / "tests" / "pricing")
    shutil.copytree(PRICING_SEEDS_DIR, project / "seeds", ignore=shutil.ignore_patterns("generated"))
    return project


def dbt_failures(project: Path) -> dict[str, int]:
    """The dbt tests that fail (or error) after seeding the project's book: name -> failing rows."""
    from dbt.cli.main import dbtRunner

    saved = dict(os.environ)
    os.environ.update(FINOPS_HOME=str(project), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DO_NOT_TRACK="1")
    try:
        result = dbtRunner().invoke(
            ["build", "--project-dir", str(project), "--profiles-dir", str(project), "--no-partial-parse"]
            + ["--target-path", str(project / "target"), "--log-path", str(project / "logs")]
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
        release_dbt_duckdb()
    assert result.result is not None, f"dbt did not run: {result.exception}"
    seeds = {r.node.name: r.status for r in result.result if r.node.resource_type == "seed"}
    assert seeds and set(seeds.values()) == {"success"}, seeds  # every row loaded; only tests may fail
    return {
        r.node.name: r.failures
        for r in result.result
        if r.node.resource_type == "test" and r.status in ("fail", "error")
    }


def append(path: Path, line: str) -> int:
    text = path.read_text()
    path.write_text(text + line + "\n")
    return len(text.splitlines()) + 1


def test_the_real_book_passes_check_and_dbt(tmp_path):
    project = make_project(tmp_path)
    assert check_book(load_book(project / "seeds")).problems == []
    assert dbt_failures(project) == {}


def test_each_bad_row_fails_check_and_dbt(tmp_path):
    project = make_project(tmp_path)
    seeds = project / "seeds"
    expected_tests: set[str] = set()
    expected_lines: set[str] = set()
    for line, tests in BAD_PRICE_ROWS.items():
        expected_lines.add(f"price_book.csv:{append(seeds / 'price_book.csv', line)}")
        expected_tests.update(tests)
    for file, (line, tests) in BAD_OTHERS.items():
        expected_lines.add(f"{file}:{append(seeds / file, line)}")
        expected_tests.update(tests)
    problems = check_book(load_book(seeds)).problems
    # one problem per bad row, on that row's line, and nothing else
    assert sorted(problem.split(": ", 1)[0].rsplit("/", 1)[-1] for problem in problems) == sorted(expected_lines)
    failures = dbt_failures(project)
    assert set(failures) == expected_tests
    assert failures[PRICE_BOOK_VALUES] == 2  # the EUR row and the price_conf D row, each a failing row
