"""The raw table of AWS Cost and Usage Reports 2.0 (AWS Data Exports), Amazon Bedrock lines only.

Columns are CUR 2.0's own names and types, from AWS's table dictionary
(https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html and its bill, identity, line item,
pricing, product and resource tags pages): timestamps are UTC; costs and usage amounts (``double`` in CUR 2.0)
land as DECIMAL(38,10), in the line's ``line_item_currency_code`` (USD unless the payer chose another currency);
the two MAP<string,string> columns ``product`` and ``resource_tags`` land as JSON object text.

``product_product_name`` is not a CUR 2.0 column (legacy CUR had ``product/ProductName``); CUR 2.0 keeps the name
in ``product['product_name']``. It lands here from whichever the file has, because it is the field that names a
Marketplace-sold Bedrock model ("Claude Sonnet 4.6 (Amazon Bedrock Edition)"). ``file_row_number`` is the line's
1-based data row in the file (CSV: the row after the header), to trace a landed line back to the file.
"""

from connectors.schema import RawTable

MONEY = "DECIMAL(38,10)"

AWS_CUR_LINE_ITEMS = RawTable(
    source="aws_cur",
    endpoint="line_items",
    columns=(
        ("identity_line_item_id", "VARCHAR"),
        ("identity_time_interval", "VARCHAR"),
        ("bill_bill_type", "VARCHAR"),  # Anniversary | Purchase | Refund
        ("bill_billing_entity", "VARCHAR"),  # "AWS" | "AWS Marketplace"
        ("bill_invoice_id", "VARCHAR"),  # blank until the bill is final
        ("bill_invoicing_entity", "VARCHAR"),
        ("bill_payer_account_id", "VARCHAR"),
        ("bill_payer_account_name", "VARCHAR"),
        ("bill_billing_period_start_date", "TIMESTAMP"),
        ("bill_billing_period_end_date", "TIMESTAMP"),
        ("line_item_usage_account_id", "VARCHAR"),
        ("line_item_usage_account_name", "VARCHAR"),
        ("line_item_line_item_type", "VARCHAR"),  # Usage, Credit, Tax, Refund, Fee, ... (classified by dbt)
        ("line_item_usage_start_date", "TIMESTAMP"),
        ("line_item_usage_end_date", "TIMESTAMP"),
        ("line_item_product_code", "VARCHAR"),  # AmazonBedrock, or a Marketplace product id
        ("line_item_usage_type", "VARCHAR"),  # e.g. USE1-Claude3Sonnet-input-tokens (mapped by dbt)
        ("line_item_operation", "VARCHAR"),
        ("line_item_resource_id", "VARCHAR"),
        ("line_item_iam_principal", "VARCHAR"),  # only when the export includes caller identity data
        ("line_item_line_item_description", "VARCHAR"),
        ("line_item_legal_entity", "VARCHAR"),  # the seller of record
        ("line_item_tax_type", "VARCHAR"),
        ("line_item_usage_amount", MONEY),  # a quantity in pricing_unit, kept exact
        ("line_item_currency_code", "VARCHAR"),
        ("line_item_unblended_cost", MONEY),
        ("line_item_net_unblended_cost", MONEY),  # only when the export includes it (after discounts)
        ("pricing_unit", "VARCHAR"),
        ("pricing_term", "VARCHAR"),
        ("pricing_public_on_demand_cost", MONEY),
        ("product_servicecode", "VARCHAR"),
        ("product_product_family", "VARCHAR"),
        ("product_product_name", "VARCHAR"),  # from product['product_name'] in CUR 2.0
        ("product_region_code", "VARCHAR"),
        ("product", "VARCHAR"),  # JSON object text: the product MAP column
        ("resource_tags", "VARCHAR"),  # JSON object text: the resource_tags MAP column
        ("file_row_number", "BIGINT"),
    ),
    partition_column="line_item_usage_start_date",
    from_files=True,
    # CUR 2.0 table dictionary: identity_line_item_id is generated per line item and unique within its
    # identity_time_interval (a refreshed export that lands beside the old one repeats them); usage amounts and
    # costs can be negative (credits, refunds), so only the row number is never negative
    key=("identity_line_item_id", "identity_time_interval"),
)
