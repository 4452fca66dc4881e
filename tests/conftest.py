"""Shared fixtures. No test ever sees a real key: provider keys are removed from the environment and
FINOPS_HOME points at a fresh temporary folder."""

import pytest

PROVIDER_ENV = (
    "OPENAI_ADMIN_KEY", "OPENAI_BASE_URL", "ANTHROPIC_ADMIN_KEY", "ANTHROPIC_BASE_URL",
    "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "finops_home"))
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
