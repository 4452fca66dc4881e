"""Azure Cost Management exports (provider-apis.md section 5): the 'Cost and usage details' dataset (actual or amortized
cost) of an EA, MCA or pay-as-you-go account, as CSV, gzipped CSV or Parquet, dropped in FINOPS_AZURE_COST_EXPORT.
Only the Azure OpenAI / Foundry Models lines are landed; the others are counted (see ``reader.py``)."""

from connectors.azure_cost.reader import read_export
from connectors.azure_cost.tables import AZURE_COST_DETAILS
from connectors.source import Feed, FileDrop, Source

SOURCE = Source(
    name="azure_cost",
    # provider-apis.md §0 and §5: Azure cost exports arrive 24h+ after usage
    freshness_lag_days=2,
    title="Azure Cost Management exports",
    setting=FileDrop(
        "FINOPS_AZURE_COST_EXPORT",
        "Azure Cost Management cost-details exports (actual or amortized cost; EA, MCA or pay-as-you-go; "
        ".csv, .csv.gz or .parquet)",
    ),
    feeds=(
        Feed(
            AZURE_COST_DETAILS,
            "One row per Azure OpenAI / Foundry Models line of a cost export: day, subscription, resource, meter "
            "(model, token type, deployment), quantity, cost in the billing currency (and in USD where the export "
            "has it), tags.",
            read=read_export,
        ),
    ),
    conformed=("usage_lines", "billed_lines"),
    emulator="emulator.plugins.azure_cost",
)

__all__ = ["SOURCE"]
