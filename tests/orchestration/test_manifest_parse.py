"""dbt's manifest is shared by every process of a checkout (the writer lock is per FINOPS_HOME), so a parse must
never leave a half-written manifest where another process loads the dbt assets from it. A stand-in for dbt
writes its files slowly, in pieces, and the test reads the published manifest while it does."""

import json
from pathlib import Path

import pytest

from orchestration.defs.transform import project
from orchestration.errors import FinopsError


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
