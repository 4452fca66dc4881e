"""AWS Cost and Usage Reports 2.0 (AWS Data Exports) dropped in FINOPS_AWS_CUR: the Amazon Bedrock lines, as
Parquet or gzip-compressed CSV (legacy CUR too). Other services' lines are left out and counted (see reader.py)."""

from connectors.aws_cur.reader import read_cur
from connectors.aws_cur.tables import AWS_CUR_LINE_ITEMS
from connectors.source import Feed, FileDrop, Source

SOURCE = Source(
    name="aws_cur",
    # provider-apis.md §0 and §4.1: CUR 2.0 exports are refreshed 24h+ after usage
    freshness_lag_days=2,
    title="AWS CUR 2.0 (Data Exports)",
    setting=FileDrop(
        "FINOPS_AWS_CUR",
        "AWS Data Exports CUR 2.0 files (Parquet or .csv.gz; legacy CUR accepted), e.g. data/BILLING_PERIOD=*/*.parquet",
    ),
    feeds=(
        Feed(
            AWS_CUR_LINE_ITEMS,
            "One row per CUR line item of Amazon Bedrock (AmazonBedrock, and Marketplace-sold models on Bedrock), every "
            "line item type (Usage, Credit, Tax, Refund, Fee, ...), costs in line_item_currency_code, tags as JSON.",
            read=read_cur,
        ),
    ),
    conformed=("usage_lines", "billed_lines"),
    emulator="emulator.plugins.aws_cur",
)

__all__ = ["SOURCE"]
