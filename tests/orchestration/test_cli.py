import subprocess
import sys

import pytest

from orchestration import cli


def finops(*args, env=None):
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["run", "--start", "2025-13-01"], "--start must be a UTC date like 2025-06-01 (got '2025-13-01')"),
        (["run", "--start", "2025-06-10", "--end", "2025-06-01"], "is after --end"),
        (["run", "--start", "2021-06-01", "--end", "2021-06-02"], "before 2022-01-01"),
        (["run", "--source", "bedrock"], "--source 'bedrock' is not a source"),
        (["demo", "--days", "0", "--no-app"], "--days must be at least 1"),
    ],
)
def test_user_mistakes_get_one_sentence_and_exit_2(args, fragment):
    proc = finops(*args)
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2  # a progress line at most, then the error


def test_end_must_be_a_complete_day(monkeypatch):
    today = cli.utc_today()
    with pytest.raises(cli.FinopsError, match="not a complete UTC day"):
        cli.run_pipeline(today, today)
