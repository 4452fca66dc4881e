"""The raw table of Google Cloud Billing exports: one row per line of the standard or detailed usage cost export
(BigQuery tables ``gcp_billing_export_v1_<BILLING_ACCOUNT_ID>`` and ``gcp_billing_export_resource_v1_<...>``), for
the AI services only (see connectors/gcp_billing/reader.py), with the export's nested fields flattened.

Field names, types and meanings are Google's ("Structure of Detailed data export", the standard export's fields plus
resource-level ones: https://docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/detailed-usage;
the standard one: .../export-data-bigquery-tables/standard-usage). As the export has them, not converted:

* ``cost`` (FLOAT there) is in ``currency``, the billing account's currency, before credits. Google: "The exchange rate
  from US dollars to the local currency. That is, cost ÷ currency_conversion_rate is the cost in US dollars." dbt
  converts (``cost / currency_conversion_rate``) and nets (``cost + credits_amount``); the reader does neither.
* ``credits`` is the REPEATED record ``credits[]{name, amount, full_name, id, type}`` kept whole as a JSON list (``[]``
  when the line has none); ``credits_amount`` is the sum of its ``amount``\\ s (credits are negative; 0 when none).
* ``labels``, ``project_labels`` and ``system_labels`` are the REPEATED records ``{key, value}`` as one JSON object
  key -> value (``{}`` when none): the line's tags.
* ``adjustment_info`` is the RECORD ``{id, description, mode, type}`` as a JSON object, NULL on ordinary lines.
* ``price.*`` came with the detailed export (from 2023-04-13) and, Google's page says, with the standard one from
  2025-07-15; NULL where the export has no ``price``. ``resource.*`` is in the detailed export only.
* ``usage.amount`` and ``usage.amount_in_pricing_units`` are FLOAT in BigQuery and land as DOUBLE: a quantity, not
  money, and a gibibyte-month share of a byte-second would round to 0 at ten decimals.
"""

from connectors.schema import RawTable

# (column, the field in the export, DuckDB type); the column is the field's path joined by "_"
GCP_BILLING_FIELDS: tuple[tuple[str, str | None, str], ...] = (
    ("billing_account_id", "billing_account_id", "VARCHAR"),
    ("service_id", "service.id", "VARCHAR"),
    ("service_description", "service.description", "VARCHAR"),
    ("sku_id", "sku.id", "VARCHAR"),
    ("sku_description", "sku.description", "VARCHAR"),
    ("usage_start_time", "usage_start_time", "TIMESTAMP"),
    ("usage_end_time", "usage_end_time", "TIMESTAMP"),
    ("project_id", "project.id", "VARCHAR"),
    ("project_number", "project.number", "VARCHAR"),  # a STRING in the export
    ("project_name", "project.name", "VARCHAR"),
    ("location_region", "location.region", "VARCHAR"),
    ("location_location", "location.location", "VARCHAR"),
    ("cost", "cost", "DECIMAL(38,10)"),
    ("cost_at_list", "cost_at_list", "DECIMAL(38,10)"),
    ("currency", "currency", "VARCHAR"),
    ("currency_conversion_rate", "currency_conversion_rate", "DECIMAL(38,10)"),
    ("usage_amount", "usage.amount", "DOUBLE"),
    ("usage_unit", "usage.unit", "VARCHAR"),
    ("usage_amount_in_pricing_units", "usage.amount_in_pricing_units", "DOUBLE"),
    ("usage_pricing_unit", "usage.pricing_unit", "VARCHAR"),
    ("credits", "credits", "JSON"),  # the list of {name, amount, full_name, id, type}, kept whole
    ("credits_amount", None, "DECIMAL(38,10)"),  # sum of credits[].amount, worked out by the reader
    ("labels", "labels", "JSON"),  # {key: value}
    ("project_labels", "project.labels", "JSON"),  # {key: value}
    ("system_labels", "system_labels", "JSON"),  # {key: value}
    ("invoice_month", "invoice.month", "VARCHAR"),  # YYYYMM
    ("cost_type", "cost_type", "VARCHAR"),  # regular, tax, adjustment, rounding error
    ("adjustment_info", "adjustment_info", "JSON"),  # {id, description, mode, type}
    ("transaction_type", "transaction_type", "VARCHAR"),
    ("seller_name", "seller_name", "VARCHAR"),
    ("export_time", "export_time", "TIMESTAMP"),
    ("resource_name", "resource.name", "VARCHAR"),  # detailed export only
    ("resource_global_name", "resource.global_name", "VARCHAR"),  # detailed export only
    ("price_effective_price", "price.effective_price", "DECIMAL(38,10)"),
    ("price_unit", "price.unit", "VARCHAR"),
    ("price_pricing_unit_quantity", "price.pricing_unit_quantity", "DECIMAL(38,10)"),
)

GCP_BILLING_EXPORT = RawTable(
    source="gcp_billing",
    endpoint="export",
    columns=tuple((name, sql_type) for name, _, sql_type in GCP_BILLING_FIELDS),
    partition_column="usage_start_time",
    from_files=True,
    # the export has no line id and adds late lines for an hour already exported (a later export_time): a
    # duplicate is a whole line repeated; cost can be negative (adjustments), credits are
    key=("usage_start_time", *(name for name, _, _ in GCP_BILLING_FIELDS if name != "usage_start_time")),
    non_negative=(),
)
