"""The raw table of Azure Cost Management cost-details exports: one row per AI-service line of the file (see
``connectors/azure_cost/reader.py`` for which lines those are), the columns every export schema shares under one
name each, typed.

Column names follow Microsoft's cost-details fields ("Understand cost details fields",
learn.microsoft.com/azure/cost-management-billing/automate/understand-usage-details-fields, and the dataset schemas
under learn.microsoft.com/azure/cost-management-billing/dataset-schema/). Money is in the unit the column names:
``cost_in_billing_currency`` in ``billing_currency`` (EUR, USD, ...), ``cost_in_pricing_currency`` in
``pricing_currency``, ``cost_in_usd`` in USD; nothing is converted here (dbt does). ``exchange_rate_pricing_to_billing``
is billing-currency units per pricing-currency unit (cost in pricing currency x rate = cost in billing currency).
EA and pay-as-you-go files have no USD, pricing-currency or rate columns: those land NULL.
"""

from connectors.schema import RawTable

MONEY = "DECIMAL(38,10)"

AZURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "TIMESTAMP"),  # the usage day, at midnight UTC (Date / date / UsageDateTime)
    ("billing_account_id", "VARCHAR"),
    ("subscription_id", "VARCHAR"),  # SubscriptionId / SubscriptionGuid
    ("subscription_name", "VARCHAR"),
    ("resource_group", "VARCHAR"),  # ResourceGroup / resourceGroupName
    ("resource_id", "VARCHAR"),  # ResourceId / InstanceId / InstanceName
    ("resource_location", "VARCHAR"),
    ("meter_id", "VARCHAR"),
    ("meter_category", "VARCHAR"),  # "Service name" in cost analysis
    ("meter_subcategory", "VARCHAR"),  # "Service tier" in cost analysis: "Azure OpenAI"
    ("meter_name", "VARCHAR"),  # names the model, the token type and the deployment type
    ("meter_region", "VARCHAR"),
    ("consumed_service", "VARCHAR"),  # e.g. Microsoft.CognitiveServices
    ("product_name", "VARCHAR"),  # ProductName / Product
    ("unit_of_measure", "VARCHAR"),  # the pricing block: "1K", "1M", "1 Hour", ...
    ("quantity", MONEY),  # Quantity / UsageQuantity, in units (not blocks)
    ("effective_price", MONEY),  # EffectivePrice / ResourceRate, per unit of measure, billing currency
    ("unit_price", MONEY),
    ("cost_in_billing_currency", MONEY),  # CostInBillingCurrency / Cost / PreTaxCost
    ("billing_currency", "VARCHAR"),  # BillingCurrency / BillingCurrencyCode / Currency
    ("cost_in_usd", MONEY),  # MCA only
    ("exchange_rate_pricing_to_billing", MONEY),  # MCA only (ExchangeRatePricingToBilling / ExchangeRate)
    ("pricing_currency", "VARCHAR"),  # MCA only
    ("cost_in_pricing_currency", MONEY),  # MCA only
    ("charge_type", "VARCHAR"),  # Usage, Purchase, Refund, UnusedReservation, RoundingAdjustment, Tax, ...
    ("pricing_model", "VARCHAR"),  # OnDemand, Reservation, SavingsPlan, Spot
    ("publisher_type", "VARCHAR"),  # Azure (EA, PAYG), Microsoft (MCA), Marketplace
    ("tags", "VARCHAR"),  # a JSON object, text; braces added where older exports leave them out
    ("additional_info", "VARCHAR"),  # a JSON object, text, as above
    ("export_schema", "VARCHAR"),  # the export the row came from: 'ea', 'mca' or 'payg'
)
AZURE_COLUMN_NAMES = tuple(name for name, _ in AZURE_COLUMNS)

AZURE_COST_DETAILS = RawTable(
    source="azure_cost",
    endpoint="cost_details",
    columns=AZURE_COLUMNS,
    partition_column="date",
    from_files=True,
    # cost details carry no line id, and two lines may differ only in an amount: a duplicate is a whole line
    # repeated; costs and quantities can be negative (refunds, rounding adjustments)
    key=("date", *(name for name in AZURE_COLUMN_NAMES if name != "date")),
    non_negative=(),
)
