{#-
    FOCUS 1.2 cost-and-usage rows for all AI spend (issue 14 item 1; DESIGN §6), the rows `finops export focus`
    writes. Three kinds of row, so nothing is counted twice and BilledCost sums to the bills
    (fct_billed_cost_daily) exactly, day by day:

      usage       one row per priced row of fct_usage_cost_daily (day x provider x account x API key x model x
                  tiers x geo x token type): ChargeCategory 'Usage', ConsumedQuantity in the usage's own unit
                  (tokens), PricingQuantity in the price book's unit (1M-token blocks), ListCost / ContractedCost
                  / EffectiveCost as the ledger computes them, BilledCost = its billed estimate (prepaid-covered
                  usage billed 0). Unpriced usage has no cost to state: it is left out (never costed $0); the
                  CLI counts it (fct_usage_cost_daily.is_priced false) and what the bill charged for it is in
                  the adjustment row below.
      billed      one row per non-usage line of the bills (fct_billed_cost_daily line_type credit, tax, fee,
                  refund): ChargeCategory Credit, Tax, Purchase (fees), Adjustment (refunds and rounding); every
                  cost column = the billed amount (these lines have no list price and are not amortized here).
      adjustment  one row per day x provider x account whose billed usage lines differ from the billed estimate
                  of its priced usage rows: ChargeCategory 'Adjustment', every cost column = billed usage lines -
                  billed estimate. It holds what the usage rows cannot: price differences, unpriced usage the bill
                  charged, usage lines the usage sources do not count (tool calls, storage), and, negative, usage
                  no bill lists (yet). So sum(BilledCost) of any day range = sum(fct_billed_cost_daily.billed_cost_usd).

    ChargeClass is NULL on every row: the sources mark no line as correcting an earlier billing period. The
    billing period is the UTC calendar month; charge periods are UTC days (end exclusive). BillingAccountId is
    the provider account (OpenAI project, Anthropic workspace, cloud account) the warehouse bills under.
    ProviderName and PublisherName (FOCUS 1.0 columns, deprecated in 1.2) are kept for FOCUS 1.0 tools.
    usage_date and line_key are this mart's own (the gate's day and key); the export leaves them out.
-#}

{%- set common = [
    'usage_date', 'line_key', 'provider', 'account_id', 'account_name', 'charge_category', 'charge_frequency',
    'charge_description', 'billed_cost', 'effective_cost', 'list_cost', 'contracted_cost',
] -%}
{#- the columns only usage rows have, with their types -#}
{%- set usage_only = [
    ('consumed_quantity', 'decimal(38, 0)'), ('consumed_unit', 'string'), ('pricing_quantity', 'decimal(38, 12)'),
    ('pricing_unit', 'string'), ('list_unit_price', money_type()), ('contracted_unit_price', money_type()),
    ('sku_meter', 'string'), ('sku_price_details', 'string'), ('resource_id', 'string'),
    ('resource_name', 'string'), ('resource_type', 'string'), ('x_api_key_id', 'string'), ('x_team', 'string'),
    ('x_feature', 'string'),
] -%}

-- FOCUS names its columns in PascalCase; quoted, so every engine keeps their case
-- noqa: disable=RF06

with

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}

),

billed as (

    select * from {{ ref('fct_billed_cost_daily') }}

),

accounts as (

    select * from {{ ref('dim_account') }}

),

api_keys as (

    select * from {{ ref('dim_api_key') }}

),

owners as (

    select * from {{ ref('stg_config__ownership_owners') }}

),

usage_keys as (

    select distinct
        usage_date,
        provider,
        account_id,
        api_key_id
    from usage
    where is_priced

),

-- the team [and feature] that owns a usage row in finops.yaml (ownership.owners), as fct_allocated_cost_daily
-- picks the direct owner
owner_matches as (

    {{ direct_owner_matches('usage_keys', ['usage_date', 'provider', 'account_id', 'api_key_id']) }}

),

usage_rows as (

    select
        usage.usage_date,
        concat_ws(
            '|', 'usage', usage.provider, usage.account_id, usage.api_key_id, usage.model_raw,
            usage.service_tier, usage.context_tier, coalesce(usage.inference_geo, ''), usage.usage_type
        ) as line_key,
        usage.provider,
        usage.account_id,
        coalesce(usage.account_name, usage.account_id) as account_name,
        'Usage' as charge_category,
        'Usage-Based' as charge_frequency,
        concat(usage.model_id, ' ', replace(usage.usage_type, '_', ' '), ' (', usage.service_tier, ' tier)')
            as charge_description,
        usage.billed_cost_estimate_usd as billed_cost,
        usage.effective_cost_usd as effective_cost,
        usage.list_cost_usd as list_cost,
        usage.contracted_cost_usd as contracted_cost,
        cast(usage.quantity as decimal(38, 0)) as consumed_quantity,
        case
            when usage.unit = 'per_1m_tokens' then 'Tokens'
            when usage.unit = 'per_1m_characters' then 'Characters'
            when usage.unit = 'per_1k_requests' then 'Requests'
            when usage.unit = 'per_1k_searches' then 'Searches'
            when usage.unit = 'per_image' then 'Images'
            when usage.unit = 'per_second' then 'Seconds'
            when usage.unit = 'per_session' then 'Sessions'
            when usage.unit = 'per_gib_day' then 'Byte-Days'
            else usage.unit
        end as consumed_unit,
        case
            when usage.unit in ('per_1m_tokens', 'per_1m_characters')
                then cast(cast(usage.quantity as decimal(38, 0)) * cast(0.000001 as decimal(7, 6)) as decimal(38, 12))
            when usage.unit in ('per_1k_requests', 'per_1k_searches')
                then cast(cast(usage.quantity as decimal(38, 0)) * cast(0.001 as decimal(4, 3)) as decimal(38, 12))
            when usage.unit = 'per_gib_day'
                then cast(
                    cast(usage.quantity as decimal(38, 0))
                    * cast(0.000000000931322574615478515625 as decimal(31, 30))
                    as decimal(38, 12)
                )
            else cast(usage.quantity as decimal(38, 12))
        end as pricing_quantity,
        case
            when usage.unit = 'per_1m_tokens' then '1M Tokens'
            when usage.unit = 'per_1m_characters' then '1M Characters'
            when usage.unit = 'per_1k_requests' then '1K Requests'
            when usage.unit = 'per_1k_searches' then '1K Searches'
            when usage.unit = 'per_image' then 'Images'
            when usage.unit = 'per_second' then 'Seconds'
            when usage.unit = 'per_session' then 'Sessions'
            when usage.unit = 'per_gib_day' then 'GiB-Days'
            else usage.unit
        end as pricing_unit,
        usage.unit_price_usd as list_unit_price,
        {{ to_usd_decimal(
            'usage.unit_price_usd * cast(100 - usage.discount_pct as decimal(18, 6)) * cast(0.01 as decimal(3, 2))'
        ) }} as contracted_unit_price,
        usage.model_id as sku_id,
        usage.usage_type as sku_meter,
        {{ json_object_text([
            ('provider', 'usage.provider'),
            ('model_id', 'usage.model_id'),
            ('model_raw', 'usage.model_raw'),
            ('token_type', 'usage.usage_type'),
            ('service_tier', 'usage.service_tier'),
            ('context_tier', 'usage.context_tier'),
            ('inference_geo', 'usage.inference_geo'),
            ('price_unit', 'usage.unit'),
            ('price_effective_from', 'cast(usage.price_effective_from as string)'),
        ]) }} as sku_price_details,
        concat_ws(
            ':', usage.provider, usage.model_id, usage.usage_type, usage.service_tier, usage.context_tier,
            cast(usage.price_effective_from as string)
        ) as sku_price_id,
        usage.api_key_id as resource_id,
        coalesce(api_keys.api_key_name, usage.api_key_id) as resource_name,
        'API Key' as resource_type,
        usage.api_key_id as x_api_key_id,
        owner_matches.team as x_team,
        owner_matches.feature as x_feature
    from usage
    left join api_keys
        on
            usage.provider = api_keys.provider
            and usage.api_key_id = api_keys.api_key_id
    left join owner_matches
        on
            usage.usage_date = owner_matches.usage_date
            and usage.provider = owner_matches.provider
            and usage.account_id = owner_matches.account_id
            and usage.api_key_id = owner_matches.api_key_id
            and owner_matches.match_rank = 1
    where usage.is_priced

),

-- the bills' own lines that are not usage: credits, tax, fees, refunds, each as billed
billed_rows as (

    select
        billed.usage_date,
        concat_ws('|', 'billed', billed.provider, billed.account_id, billed.line_item) as line_key,
        billed.provider,
        billed.account_id,
        coalesce(accounts.account_name, billed.account_id) as account_name,
        case billed.line_type
            when 'credit' then 'Credit'
            when 'tax' then 'Tax'
            when 'fee' then 'Purchase'
            when 'refund' then 'Adjustment'
        end as charge_category,
        case when billed.line_type = 'fee' then 'One-Time' else 'Usage-Based' end as charge_frequency,
        billed.line_item as charge_description,
        billed.billed_cost_usd as billed_cost,
        billed.billed_cost_usd as effective_cost,
        billed.billed_cost_usd as list_cost,
        billed.billed_cost_usd as contracted_cost,
        billed.model_id as sku_id,
        -- FOCUS wants a SkuPriceId on a Purchase row: the bill's line item is the only price id a fee has
        case when billed.line_type = 'fee' then concat_ws(':', billed.provider, billed.line_item) end as sku_price_id
    from billed
    left join accounts
        on
            billed.provider = accounts.provider
            and billed.account_id = accounts.account_id
    where billed.line_type <> 'usage'

),

billed_usage as (

    select
        usage_date,
        provider,
        account_id,
        sum(billed_cost_usd) as billed_usage_usd
    from billed
    where line_type = 'usage'
    group by usage_date, provider, account_id

),

estimated_usage as (

    select
        usage_date,
        provider,
        account_id,
        sum(billed_cost) as estimated_usd
    from usage_rows
    group by usage_date, provider, account_id

),

-- what the bill's usage lines charged beyond (or short of) the usage rows' billed estimate, per day x account
adjustment_rows as (

    select
        coalesce(billed_usage.usage_date, estimated_usage.usage_date) as usage_date,
        coalesce(billed_usage.provider, estimated_usage.provider) as provider,
        coalesce(billed_usage.account_id, estimated_usage.account_id) as account_id,
        {{ to_usd_decimal(
            'coalesce(billed_usage.billed_usage_usd, 0) - coalesce(estimated_usage.estimated_usd, 0)'
        ) }} as amount
    from billed_usage
    full outer join estimated_usage
        on
            billed_usage.usage_date = estimated_usage.usage_date
            and billed_usage.provider = estimated_usage.provider
            and billed_usage.account_id = estimated_usage.account_id

),

adjustments as (

    select
        adjustment_rows.usage_date,
        concat_ws('|', 'adjustment', adjustment_rows.provider, adjustment_rows.account_id) as line_key,
        adjustment_rows.provider,
        adjustment_rows.account_id,
        coalesce(accounts.account_name, adjustment_rows.account_id) as account_name,
        'Adjustment' as charge_category,
        'Usage-Based' as charge_frequency,
        'Billed usage lines less the billed estimate of the priced usage rows (price differences, unpriced '
        || 'usage, usage lines not counted by the usage sources, usage not billed yet)' as charge_description,
        adjustment_rows.amount as billed_cost,
        adjustment_rows.amount as effective_cost,
        adjustment_rows.amount as list_cost,
        adjustment_rows.amount as contracted_cost
    from adjustment_rows
    left join accounts
        on
            adjustment_rows.provider = accounts.provider
            and adjustment_rows.account_id = accounts.account_id
    where adjustment_rows.amount <> 0

),

-- one column list for the three kinds of row (a plain UNION ALL, which every engine has); what a kind lacks is NULL
unioned as (

    select
        {{ common | join(', ') }},
        sku_id,
        sku_price_id,
        {{ usage_only | map(attribute=0) | join(', ') }}
    from usage_rows
    union all
    select
        {{ common | join(', ') }},
        sku_id,
        sku_price_id,
        {% for column, type in usage_only %}cast(null as {{ type }}) as {{ column }}{{ ', ' if not loop.last }}{% endfor %} -- noqa: LT05
    from billed_rows
    union all
    select
        {{ common | join(', ') }},
        cast(null as string) as sku_id,
        cast(null as string) as sku_price_id,
        {% for column, type in usage_only %}cast(null as {{ type }}) as {{ column }}{{ ', ' if not loop.last }}{% endfor %} -- noqa: LT05
    from adjustments

),

final as (

    select
        ----------  this mart's own (not FOCUS columns; the export leaves them out)
        usage_date,
        line_key,

        ----------  FOCUS 1.2 (and the 1.0 columns ProviderName, PublisherName)
        account_id as {{ adapter.quote('BillingAccountId') }},
        account_name as {{ adapter.quote('BillingAccountName') }},
        cast(date_trunc('month', usage_date) as timestamp) as {{ adapter.quote('BillingPeriodStart') }},
        cast(date_trunc('month', usage_date) + interval 1 month as timestamp)
            as {{ adapter.quote('BillingPeriodEnd') }},
        cast(usage_date as timestamp) as {{ adapter.quote('ChargePeriodStart') }},
        cast(usage_date + interval 1 day as timestamp) as {{ adapter.quote('ChargePeriodEnd') }},
        charge_category as {{ adapter.quote('ChargeCategory') }},
        cast(null as string) as {{ adapter.quote('ChargeClass') }},
        charge_description as {{ adapter.quote('ChargeDescription') }},
        charge_frequency as {{ adapter.quote('ChargeFrequency') }},
        {{ to_usd_decimal('billed_cost') }} as {{ adapter.quote('BilledCost') }},
        {{ to_usd_decimal('effective_cost') }} as {{ adapter.quote('EffectiveCost') }},
        {{ to_usd_decimal('list_cost') }} as {{ adapter.quote('ListCost') }},
        {{ to_usd_decimal('contracted_cost') }} as {{ adapter.quote('ContractedCost') }},
        'USD' as {{ adapter.quote('BillingCurrency') }},
        'USD' as {{ adapter.quote('PricingCurrency') }},
        consumed_quantity as {{ adapter.quote('ConsumedQuantity') }},
        consumed_unit as {{ adapter.quote('ConsumedUnit') }},
        pricing_quantity as {{ adapter.quote('PricingQuantity') }},
        pricing_unit as {{ adapter.quote('PricingUnit') }},
        case when charge_category = 'Usage' then 'Standard' end as {{ adapter.quote('PricingCategory') }},
        {{ to_usd_decimal('list_unit_price') }} as {{ adapter.quote('ListUnitPrice') }},
        contracted_unit_price as {{ adapter.quote('ContractedUnitPrice') }},
        {{ focus_provider_name('provider') }} as {{ adapter.quote('ServiceProviderName') }},
        {{ focus_provider_name('provider') }} as {{ adapter.quote('HostProviderName') }},
        {{ focus_provider_name('provider') }} as {{ adapter.quote('InvoiceIssuerName') }},
        {{ focus_provider_name('provider') }} as {{ adapter.quote('ProviderName') }},
        {{ focus_provider_name('provider') }} as {{ adapter.quote('PublisherName') }},
        'AI and Machine Learning' as {{ adapter.quote('ServiceCategory') }},
        'Generative AI' as {{ adapter.quote('ServiceSubcategory') }},
        {{ focus_provider_name('provider') }} || ' API' as {{ adapter.quote('ServiceName') }},
        sku_id as {{ adapter.quote('SkuId') }},
        sku_meter as {{ adapter.quote('SkuMeter') }},
        sku_price_details as {{ adapter.quote('SkuPriceDetails') }},
        sku_price_id as {{ adapter.quote('SkuPriceId') }},
        cast(null as string) as {{ adapter.quote('RegionId') }},
        cast(null as string) as {{ adapter.quote('RegionName') }},
        cast(null as string) as {{ adapter.quote('AvailabilityZone') }},
        resource_id as {{ adapter.quote('ResourceId') }},
        resource_name as {{ adapter.quote('ResourceName') }},
        resource_type as {{ adapter.quote('ResourceType') }},
        cast(null as string) as {{ adapter.quote('SubAccountId') }},
        cast(null as string) as {{ adapter.quote('SubAccountName') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountCategory') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountId') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountName') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountStatus') }},
        cast(null as string) as {{ adapter.quote('CommitmentDiscountType') }},
        case
            when x_team is null then '{}'
            when x_feature is null then {{ json_object_text([('team', 'x_team')]) }}
            else {{ json_object_text([('team', 'x_team'), ('feature', 'x_feature')]) }}
        end as {{ adapter.quote('Tags') }},
        x_api_key_id as {{ adapter.quote('x_ApiKeyId') }},
        x_team as {{ adapter.quote('x_Team') }},
        x_feature as {{ adapter.quote('x_Feature') }}
    from unioned

)

select * from final
