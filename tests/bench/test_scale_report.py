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
