"""dbt's manifest is shared by every process of a checkout (the writer lock is per FINOPS_HOME), so a parse must
never leave a half-written manifest where another process loads the dbt assets from it. A stand-in for dbt
writes its files slowly, in pieces, and the test reads the published manifest while it does."""

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestration.defs.transform import project
from orchestration.errors import FinopsError
from orchestration.processes import dbt_executable
from orchestration.settings import (
    DBT_PROJECT_DIR,
    ENGINE_ENV,
    MEMORY_LIMIT_ENV,
    Paths,
    duckdb_memory_limit,
    finops_home,
)


class SlowDbt:
    """dbtRunner's shape: ``invoke(args)`` writes manifest.json and partial_parse.msgpack into --target-path in
    two pieces; between them ``during`` runs (a reader in another process, in the real race)."""

    def __init__(self, during, succeed=True):
        self.during, self.succeed, self.calls = during, succeed, []

    def __call__(self):
        return self

    def invoke(self, args):
        target = Path(args[args.index("--target-path") + 1])
        self.calls.append(target)
        body = json.dumps({"nodes": {"model.new": {}}})
        with open(target / "manifest.json", "w") as f:
            f.write(body[:10])
            f.flush()
            self.during(target)
            f.write(body[10:])
        (target / project.PARTIAL_PARSE).write_bytes(b"new state")

        class Result:
            success, exception = self.succeed, None if self.succeed else "a model does not compile"
            result = f"the project parsed into {target}"  # dbt's Manifest object

        return Result()


@pytest.fixture
def published(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"nodes": {"model.old": {}}}))
    (tmp_path / project.PARTIAL_PARSE).write_bytes(b"old state")
    return tmp_path


def test_a_reader_during_a_parse_sees_the_whole_old_manifest_and_after_it_the_whole_new_one(published, monkeypatch):
    seen = []

    def reader(scratch):
        assert scratch != published  # dbt writes elsewhere ...
        assert (
            scratch / project.PARTIAL_PARSE
        ).read_bytes() == b"old state"  # ... with the state, so parses stay partial
        seen.append(json.loads((published / "manifest.json").read_text()))  # a torn file would not load

    dbt = SlowDbt(reader)
    monkeypatch.setattr("dbt.cli.main.dbtRunner", dbt)
    path = project.parse_manifest(published)

    assert seen == [{"nodes": {"model.old": {}}}]
    assert path == published / "manifest.json"
    assert json.loads(path.read_text()) == {"nodes": {"model.new": {}}}
    assert (published / project.PARTIAL_PARSE).read_bytes() == b"new state"
    assert sorted(p.name for p in published.iterdir()) == ["manifest.json", project.PARTIAL_PARSE]  # no scratch left


def test_a_failed_parse_keeps_the_published_manifest_and_says_what_to_fix(published, monkeypatch):
    monkeypatch.setattr("dbt.cli.main.dbtRunner", SlowDbt(lambda scratch: None, succeed=False))
    with pytest.raises(FinopsError, match="could not parse dbt_project/.*a model does not compile"):
        project.parse_manifest(published)
    assert json.loads((published / "manifest.json").read_text()) == {"nodes": {"model.old": {}}}
    assert sorted(p.name for p in published.iterdir()) == ["manifest.json", project.PARTIAL_PARSE]


def test_a_parse_starts_from_the_state_this_homes_own_build_left(published, monkeypatch):
    """The checkout's state is the last parse's, perhaps for another FINOPS_HOME (another profile: dbt would parse
    the whole project again); the home's own dbt_target/ state was saved under this home's profile."""
    seen = []
    monkeypatch.setattr(
        "dbt.cli.main.dbtRunner", SlowDbt(lambda scratch: seen.append((scratch / project.PARTIAL_PARSE).read_bytes()))
    )
    own = Paths(finops_home()).dbt_target
    own.mkdir(parents=True)
    (own / project.PARTIAL_PARSE).write_bytes(b"this home's state")

    project.parse_manifest(published, build_target=own)
    assert seen == [b"this home's state"]
    # the build runs on this parse in process and saves no state: the parse leaves its own for the next
    assert (own / project.PARTIAL_PARSE).read_bytes() == b"new state"

    # on Spark the home's state was saved under the spark target's profile, which a parse does not render ...
    monkeypatch.setenv(ENGINE_ENV, "spark")
    (published / project.PARTIAL_PARSE).write_bytes(b"checkout state")
    (own / project.PARTIAL_PARSE).write_bytes(b"the spark build's state")
    project.parse_manifest(published, build_target=own)
    assert seen[-1] == b"checkout state"
    # ... and the spark build's child renews it, not a parse
    assert (own / project.PARTIAL_PARSE).read_bytes() == b"the spark build's state"

    # a home that has not been built yet starts from the checkout's, as before, and gets this parse's state
    monkeypatch.delenv(ENGINE_ENV)
    (own / project.PARTIAL_PARSE).unlink()
    (published / project.PARTIAL_PARSE).write_bytes(b"checkout state")
    project.parse_manifest(published, build_target=own)
    assert seen[-1] == b"checkout state"
    assert (own / project.PARTIAL_PARSE).read_bytes() == b"new state"


def test_a_build_runs_on_the_project_this_process_parsed_for_its_home(published, monkeypatch):
    """The run parses at its start (runner._execute); its dbt build in the same process must get that parse, not
    parse again, and a build for another home (or after the vars changed) must not get this home's."""
    dbt = SlowDbt(lambda scratch: None)
    monkeypatch.setattr("dbt.cli.main.dbtRunner", dbt)
    # a parse for a build publishes the manifest where the dbt assets load it: here, not the checkout's
    monkeypatch.setattr(
        project, "dbt_project", SimpleNamespace(project_dir=published.parent, target_path=published.name)
    )
    own = Paths(finops_home()).dbt_target
    project.parse_manifest(build_target=own)
    assert len(dbt.calls) == 1

    assert project.manifest_for_build(own) == f"the project parsed into {dbt.calls[0]}"
    assert len(dbt.calls) == 1  # no second parse

    other = own.parent / "other_home" / "dbt_target"
    assert project.manifest_for_build(other) == f"the project parsed into {dbt.calls[1]}"
    assert len(dbt.calls) == 2

    monkeypatch.setattr(project, "dbt_vars", lambda: {"finops_conformed": {}, "finops_price_book_version": "new"})
    project.manifest_for_build(other)
    assert len(dbt.calls) == 3  # the vars decide what a union reads: a parse under other vars is another project


@pytest.mark.slow
def test_a_parse_after_this_homes_build_in_its_own_process_stays_partial(tmp_path):
    """Real dbt: the state another dbt process saved in this home's target folder (FINOPS_HOME and the memory limit
    in its environment, as a build's) lets the runner's own parse stay partial, though the checkout's state (here an
    empty target folder) is of no use."""
    home = finops_home()
    own = Paths(home).dbt_target
    env = {**os.environ, MEMORY_LIMIT_ENV: duckdb_memory_limit()}
    log = home / "logs" / "dbt" / "dbt.log"
    folders = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", *project.vars_arg(), *folders, "--target-path", str(own)]
        + ["--log-path", str(log.parent)],
        env=env,
        check=True,
    )
    assert (own / project.PARTIAL_PARSE).exists()

    before = log.stat().st_size if log.exists() else 0
    project.parse_manifest(tmp_path / "checkout_target", build_target=own)
    with open(log, encoding="utf-8") as f:
        f.seek(before)
        logged = f.read()
    assert "Unable to do partial parsing" not in logged
    assert "Nothing changed, skipping partial parsing" in logged or "Partial parsing enabled" in logged
