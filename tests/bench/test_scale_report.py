"""bench/scale.py owns one section of bench/RESULTS.md: a second run replaces it in place, never appends; the
command it quotes names no machine path."""

from bench.scale import BEGIN, END, demote, replace_section


def test_the_scale_section_is_replaced_in_place_and_the_rest_kept(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Forecast\n\nkept\n")
    replace_section(results, demote("# Scale\n\n## 1,000,000 rows\n\nfirst"))
    replace_section(results, demote("# Scale\n\n## 1,000,000 rows\n\nsecond"))
    text = results.read_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert "first" not in text and "second" in text and "kept" in text
    assert text.index("## Forecast") < text.index(BEGIN)
    assert "\n## Scale\n" in text and "\n### 1,000,000 rows\n" in text  # one level under the file's title
    results.write_text(text.replace("kept", "edited by hand"))
    replace_section(results, demote("# Scale\n\nthird"))
    text = results.read_text()
    assert "edited by hand" in text and "third" in text and "second" not in text


def test_the_quoted_command_names_no_machine_path(tmp_path):
    from bench.request_logs import REPO, command_line

    argv = ["--sizes", "1000000", "--cache", str(tmp_path / "cache"), "--output", str(REPO / "bench/results/x.md")]
    assert command_line("bench/scale.py", argv) == (
        ".venv/bin/python bench/scale.py --sizes 1000000 --cache <path> --output bench/results/x.md"
    )


def test_a_size_section_reports_each_measure_with_its_median(monkeypatch):
    """A long benchmark ends in size_section: every figure a run measured is there, as its median (min-max) over
    the runs; a missing key would lose a 100M run's report after the hours it took."""
    from bench import scale

    monkeypatch.setattr(scale.rl, "machine", lambda: {"nproc": "2"})

    def run(k: float) -> dict:
        return {
            "land_s": 10 * k, "usage_s": 1.0, "usage_rows": 4_778, "full_s": 100 * k, "full_rss": 1_000.0,
            "incr_s": 20 * k, "incr_rss": 900.0, "new_rows": 3_333, "publish_full_s": 30 * k, "publish_full_days": 30,
            "publish_incr_s": 8 * k, "publish_incr_days": 1, "problems": [],
            "queries": {(name, layer): 0.01 for name in scale.rl.QUERIES for layer in scale.rl.LAYERS},
        }  # fmt: skip

    size = {
        "rows": 1_000_000, "days": 30, "runs": [run(1), run(3), run(2)], "floor": [0.5, 0.5, 0.5],
        "floor_groups": 3_360, "load_start": 0.5, "load_end": 0.7, "pg": [], "pg_note": "not run (--skip-postgres)",
    }  # fmt: skip
    text = "\n".join(scale.size_section(size))
    assert "| publish after the full build (30 request day files written) | 60.00 (30.00-90.00) s |" in text
    assert "| publish after the increment (1 request day file(s) written; the other marts copied whole) " in text
    assert "| 16.00 (8.00-24.00) s |" in text
    assert "| full `dbt build` (whole project, no unit tests, as a scheduled run) | 200.00 (100.00-300.00) s |" in text
    assert "| full build / engine floor | 400x |" in text
    assert "| land 30 files (read_spend_logs + land_files) | 20.00 (10.00-30.00) s | - | |" in text

    # --land-once: runs 2 and 3 built on the first run's landing, which is reported once and said so
    size["runs"] = [
        run(1),
        {**run(3), "land_s": 10.0, "landed_once": True},
        {**run(2), "land_s": 10.0, "landed_once": True},
    ]
    text = "\n".join(scale.size_section(size))
    assert "| land 30 files (read_spend_logs + land_files) | 10.00 s (landed once for the 3 runs) | - | |" in text
    assert "| full `dbt build` (whole project, no unit tests, as a scheduled run) | 200.00 (100.00-300.00) s |" in text
