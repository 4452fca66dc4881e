"""Issue 12 item 5, a truncated file: every file-drop reader refuses an export cut short (a copy or an upload
that stopped halfway) whole, in one sentence that names the file and says to copy or export it again; nothing of
it is read. The exports are the vendor-shaped fixtures of tests/fixtures, gzipped (as the exports are written)
and cut in half."""

import gzip
from pathlib import Path

import pytest

from connectors.aws_cur.reader import read_cur
from connectors.azure_cost.reader import read_export as read_azure_export
from connectors.files import FileDropError
from connectors.gcp_billing.reader import read_export as read_gcp_export
from connectors.helicone.reader import read_requests as read_helicone
from connectors.jsonl_requests.reader import read_requests as read_jsonl_requests
from connectors.litellm.spend_logs import read_spend_logs
from connectors.otel.reader import read_spans

FIXTURES = Path(__file__).parents[1] / "fixtures"

# reader, fixture, the whole file's row count (the readers' own tests check the values), the way to fix it
READERS = [
    (read_cur, "aws_cur/cur2_bedrock.csv", 9, "copy it again from the export's S3 folder"),
    (read_azure_export, "azure_cost/ea_actual_cost.csv", 6, "export it again from Cost Management"),
    (read_gcp_export, "gcp_billing/export.csv", 4, "copy it again whole from where BigQuery wrote it"),
    (read_gcp_export, "gcp_billing/export.jsonl", 4, "replace it with a complete copy"),
    (read_helicone, "helicone/requests.csv", 1, "it looks truncated or damaged: export it again"),
    (read_helicone, "helicone/requests.jsonl", 2, "replace it with a complete copy"),
    (read_jsonl_requests, "jsonl_requests/requests.jsonl", 3, "replace it with a complete copy"),
    (read_spans, "otel/spans.jsonl", 9, "re-compress it or drop the .gz"),
    (read_spend_logs, "litellm/spend_logs.csv", 4, "it looks truncated or damaged: copy it again whole"),
]


@pytest.mark.parametrize(("reader", "fixture", "rows", "fix"), READERS, ids=[r[1] for r in READERS])
def test_a_gzipped_export_cut_in_half_is_refused_whole_naming_it_and_the_fix(tmp_path, reader, fixture, rows, fix):
    source = FIXTURES / fixture
    whole = tmp_path / (source.name + ".gz")
    whole.write_bytes(gzip.compress(source.read_bytes(), mtime=0))
    assert reader(whole).num_rows == rows  # the same export, complete, reads
    cut = tmp_path / ("cut_" + source.name + ".gz")
    compressed = whole.read_bytes()
    cut.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(FileDropError) as refused:
        reader(cut)
    message = str(refused.value)
    assert message.startswith(f"{cut}: ") and fix in message, message
    assert "\n" not in message and "Traceback" not in message and len(message) < 600


@pytest.mark.parametrize(
    ("reader", "fixture", "line", "problem"),
    [
        (read_gcp_export, "gcp_billing/export.jsonl", 3, "line 3 is not JSON"),
        (read_helicone, "helicone/requests.jsonl", 2, "line 2 is not JSON"),
        (read_jsonl_requests, "jsonl_requests/requests.jsonl", 2, "line 2 is not JSON"),
        (read_spans, "otel/spans.jsonl", 2, "line 2: is not valid JSON"),
    ],
)
def test_a_json_lines_export_cut_inside_a_line_names_that_line(tmp_path, reader, fixture, line, problem):
    lines = (FIXTURES / fixture).read_bytes().splitlines(keepends=True)
    assert len(lines) >= line
    cut = tmp_path / ("cut_" + Path(fixture).name)
    # every line before, then the first half of line `line`: a copy that stopped there
    cut.write_bytes(b"".join(lines[: line - 1]) + lines[line - 1][: len(lines[line - 1]) // 2])
    with pytest.raises(FileDropError) as refused:
        reader(cut)
    message = str(refused.value)
    assert message.startswith(str(cut)) and problem in message, message


@pytest.mark.parametrize(
    ("reader", "fixture", "fix"),
    [
        (read_cur, "aws_cur/cur2_bedrock.csv", "copy it again from the export's S3 folder"),
        (read_azure_export, "azure_cost/ea_actual_cost.csv", "export it again from Cost Management"),
        (read_azure_export, "azure_cost/mca_actual_cost.csv", "export it again from Cost Management"),
        (read_gcp_export, "gcp_billing/export.csv", "copy it again whole from where BigQuery wrote it"),
        (read_helicone, "helicone/requests.csv", "it looks truncated or damaged: export it again"),
        (read_spend_logs, "litellm/spend_logs.csv", "it looks truncated or damaged: copy it again whole"),
    ],
)
def test_a_csv_export_cut_inside_a_row_is_unreadable_not_another_kind_of_file(tmp_path, reader, fixture, fix):
    """It used to be sniffed with another delimiter (one column holding the whole header), so an Azure or a Google
    export cut short was called 'not an Azure cost export' / 'not a Google Cloud Billing export', and a LiteLLM
    one 'line 2: request_id is empty'."""
    lines = (FIXTURES / fixture).read_bytes().splitlines(keepends=True)
    cut = tmp_path / ("cut_" + Path(fixture).name)
    cut.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2])  # the header, then half of the first row
    with pytest.raises(FileDropError) as refused:
        reader(cut)
    message = str(refused.value)
    assert message.startswith(f"{cut}: ") and "csv" in message.lower() and fix in message, message
    assert "is not an Azure cost export" not in message and "is not a Google Cloud Billing export" not in message
