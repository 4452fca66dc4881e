"""finops.yaml section reporting: time zone, fiscal year start and week start, validated with line numbers and
written to config.reporting (one row) for dbt."""

import duckdb
import pytest

from orchestration.config import ConfigError, default_config, load_config, write_config_tables
from orchestration.reporting import ReportingConfig


def write(tmp_path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path


def reporting_rows(config) -> list[tuple]:
    conn = duckdb.connect()
    write_config_tables(conn, config)
    return conn.execute("select * from config.reporting").fetchall()


def test_defaults_are_utc_calendar_year_and_iso_weeks(tmp_path):
    assert default_config()["reporting"] == ReportingConfig("UTC", 1, "monday")
    assert reporting_rows(default_config()) == [("UTC", 1, "monday")]
    # an empty section is the defaults too
    assert load_config(write(tmp_path, "reporting:\n"))["reporting"] == ReportingConfig()


def test_settings_become_the_one_row(tmp_path):
    text = "reporting:\n  time_zone: Europe/Berlin\n  fiscal_year_start_month: 4\n  week_start: Sunday\n"
    config = load_config(write(tmp_path, text))
    assert config["reporting"] == ReportingConfig("Europe/Berlin", 4, "sunday")
    assert reporting_rows(config) == [("Europe/Berlin", 4, "sunday")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "reporting:\n  time_zone: Europe/Berlinn\n",
            "finops.yaml line 2: reporting.time_zone is 'Europe/Berlinn', not a time zone name; "
            "did you mean 'Europe/Berlin'.",
        ),
        (
            "reporting:\n  time_zone: Mars/Olympus_Mons\n",
            "finops.yaml line 2: reporting.time_zone is 'Mars/Olympus_Mons', not a time zone name; "
            "write an IANA time zone name such as Europe/Berlin or UTC.",
        ),
        (
            "reporting:\n  time_zone: UTC\n  fiscal_year_start_month: 13\n",
            "finops.yaml line 3: reporting.fiscal_year_start_month is '13', not a month; "
            "write a month number from 1 to 12.",
        ),
        (
            "reporting:\n  fiscal_year_start_month: 0\n",
            "finops.yaml line 2: reporting.fiscal_year_start_month is '0', not a month; "
            "write a month number from 1 to 12.",
        ),
        (
            "reporting:\n  fiscal_year_start_month: april\n",
            "finops.yaml line 2: reporting.fiscal_year_start_month is 'april', not a month; "
            "write a month number from 1 to 12.",
        ),
        (
            "reporting:\n  week_start: tuesday\n",
            "finops.yaml line 2: reporting.week_start is 'tuesday', not a week start; "
            "use one of monday, sunday, saturday.",
        ),
        (
            "reporting:\n  timezone: UTC\n",
            "finops.yaml line 2: unknown key 'timezone' in reporting; "
            "use one of fiscal_year_start_month, time_zone, week_start.",
        ),
    ],
)
def test_errors_are_one_sentence_with_the_line(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value) == message


def test_the_example_file_shows_the_section():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "finops.example.yaml"
    assert load_config(example)["reporting"] == ReportingConfig("Europe/Berlin", 4, "monday")
