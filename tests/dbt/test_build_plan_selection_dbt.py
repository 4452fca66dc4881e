"""orchestration/dbt_state.py exclude_args on the real project and a real dbt: the few criteria it passes select
exactly the nodes a build must run, the same nodes as naming every unchanged node one by one.

The scenario is a scheduled run after one new day of LiteLLM spend logs: everything downstream of that source is
built and tested again, the rest is unchanged, except one test on another source, which must run again (it failed
last time, say). A test to run that also reads an unchanged node (a relationship test to a dimension) runs
without that node being built again. dbt lists what the arguments select (``dbt ls``, one parse shared by both listings).
"""

import json

import pytest
from dbt_inprocess import dbt_dirs

pytestmark = pytest.mark.slow

CHANGED_SOURCE = "source.ai_spend.litellm.spend_logs"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """(a dbtRunner holding the parsed project, its manifest as JSON, FINOPS_HOME, the common arguments)."""
    from dbt.cli.main import dbtRunner

    from orchestration.defs.transform.project import NO_UNIT_TESTS, vars_arg

    home = tmp_path_factory.mktemp("finops_home")
    common = [*vars_arg(), *dbt_dirs(home)]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FINOPS_HOME", str(home))
        env.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        parsed = dbtRunner().invoke(["parse", "--no-partial-parse", *common])
    assert parsed.success, f"dbt parse failed: {parsed.exception}"
    manifest = json.loads((home / "dbt_target" / "manifest.json").read_text())
    return dbtRunner(manifest=parsed.result), manifest, home, [*common, *NO_UNIT_TESTS]


def _descendants(manifest: dict, root: str) -> set[str]:
    children, found, stack = manifest["child_map"], set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _listed(project, exclude: list[str]) -> set[str]:
    runner, _, home, common = project
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FINOPS_HOME", str(home))
        result = runner.invoke(["ls", *common, "--output", "json", "--output-keys", "unique_id", "--quiet", *exclude])
    assert result.success, f"dbt ls failed: {result.exception}"
    return {json.loads(line)["unique_id"] for line in result.result} - set(project[1]["sources"])


def test_the_compact_exclusion_selects_exactly_the_nodes_to_run(project):
    from orchestration import dbt_state

    manifest = project[1]
    nodes = manifest["nodes"]
    built = {uid for uid, node in nodes.items() if node["resource_type"] in {"model", "seed", "snapshot", "test"}}
    assert CHANGED_SOURCE in manifest["sources"], "the scenario's source is declared"
    source_tests = [
        uid
        for uid in built
        if nodes[uid]["resource_type"] == "test"
        and nodes[uid]["depends_on"]["nodes"]
        and all(p.startswith("source.") and p != CHANGED_SOURCE for p in nodes[uid]["depends_on"]["nodes"])
    ]
    assert source_tests, "the project tests some source directly"
    rerun = min(source_tests)
    to_run = (_descendants(manifest, CHANGED_SOURCE) & built) | {rerun}
    # as dbt_state.plan does: a test that runs with no parent built and no source has its parents built again
    to_run |= {
        p
        for uid in list(to_run)
        if nodes[uid]["resource_type"] == "test"
        and not any(q in manifest["sources"] or q in to_run for q in nodes[uid]["depends_on"]["nodes"])
        for p in nodes[uid]["depends_on"]["nodes"]
    }
    to_run &= built
    unchanged = built - to_run
    # the scenario holds a test to run with a parent left out: a relationship test to a dimension the day left alone
    assert any(
        nodes[uid]["resource_type"] == "test" and set(nodes[uid]["depends_on"]["nodes"]) & unchanged for uid in to_run
    ), "a test to run reads a node left out"

    compact = dbt_state.exclude_args(manifest, unchanged, built)
    criteria = compact[-1].split()
    assert len(criteria) < len(unchanged) / 2, "unchanged tests are left to dbt's cautious indirect selection"
    sources = manifest["sources"]
    rerun_sources = {
        f"source:{sources[p]['source_name']}.{sources[p]['name']}" for p in nodes[rerun]["depends_on"]["nodes"]
    }
    assert not rerun_sources & set(criteria), "the source of a test that runs stays in"

    one_by_one = sorted("fqn:" + ".".join(nodes[uid]["fqn"]) for uid in unchanged)
    assert _listed(project, compact) == to_run
    assert _listed(project, ["--indirect-selection", "cautious", "--exclude", " ".join(one_by_one)]) == to_run
