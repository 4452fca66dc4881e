"""Google Cloud Billing exports (provider-apis.md section 3): the standard or detailed usage cost data that Cloud
Billing writes to BigQuery, extracted as newline-delimited JSON, Parquet or CSV and dropped in
FINOPS_GCP_BILLING_EXPORT. Only the Vertex AI and Gemini API lines land; the rest are counted (see reader.py)."""

from connectors.gcp_billing.reader import claims, read_export
from connectors.gcp_billing.tables import GCP_BILLING_EXPORT
from connectors.source import Feed, FileDrop, Source

SOURCE = Source(
    name="gcp_billing",
    # provider-apis.md §0 and §3.1: GCP billing exports arrive 24h+ after usage
    freshness_lag_days=2,
    title="Google Cloud Billing export",
    setting=FileDrop(
        "FINOPS_GCP_BILLING_EXPORT",
        "Google Cloud Billing usage cost exports (standard or detailed) as newline-delimited JSON, Parquet or CSV",
        claims=claims,
    ),
    feeds=(
        Feed(
            GCP_BILLING_EXPORT,
            "One row per hourly line of the billing export for Vertex AI and the Gemini API: service, SKU, project, "
            "cost in the billing currency with its USD rate, credits (kept and summed), labels.",
            read=read_export,
        ),
    ),
    conformed=("usage_lines", "billed_lines"),
    emulator="emulator.plugins.gcp_billing",
)

__all__ = ["SOURCE"]
