"""Shared fixtures. No test ever sees a real key: provider keys are removed from the environment and
FINOPS_HOME points at a fresh temporary folder."""

import pytest

from connectors.registry import SOURCES

# Every setting of every registered source, and the keys of sources still to come.
PROVIDER_ENV = tuple(name for source in SOURCES for name in source.env_vars)


def pytest_configure(config):
    """On a fresh clone the first import of the dbt assets parses the project into dbt_project/target. Under
    pytest-xdist (`make test` runs the suite on every core) do it once here, in the controller, before the
    workers start: two workers parsing at once would write one manifest file together."""
    if not hasattr(config, "workerinput"):
        import orchestration.defs.transform.project  # noqa: F401  (parses the manifest when it is missing)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "finops_home"))
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
