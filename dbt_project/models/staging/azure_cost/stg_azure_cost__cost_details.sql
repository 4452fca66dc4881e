{#-
    Azure Cost Management cost-details lines of Azure OpenAI / Foundry Models, typed, in US dollars: the
    export's own USD amount (MCA costInUsd) when it has one; else the billing-currency cost when that is USD;
    else the billing-currency cost divided by the line's exchange rate from USD pricing (macro usd_at_rate,
    exact). The reader refused a file with a line none of these can convert.
-#}

with

source as (

    select * from {{ source('azure_cost', 'cost_details') }}

),

renamed as (

    select

        ----------  ids
        billing_account_id,
        subscription_id as account_id,
        resource_id,
        meter_id,

        ----------  strings
        'azure_openai' as provider,
        subscription_name,
        resource_group,
        resource_location,
        meter_category,
        meter_subcategory,
        meter_name,
        meter_region,
        product_name,
        unit_of_measure,
        upper(billing_currency) as currency,
        upper(pricing_currency) as pricing_currency,
        charge_type,
        pricing_model,
        tags,
        export_schema,
        _file as source_file,

        ----------  numerics
        quantity,
        effective_price,
        cost_in_billing_currency,
        exchange_rate_pricing_to_billing,
        case
            when cost_in_usd is not null then {{ to_usd_decimal('cost_in_usd') }}
            when upper(billing_currency) = 'USD' then {{ to_usd_decimal('cost_in_billing_currency') }}
            when upper(pricing_currency) = 'USD'
                then {{ usd_at_rate('cost_in_billing_currency', 'exchange_rate_pricing_to_billing') }}
        end as cost_usd,

        ----------  dates and timestamps
        cast(date as date) as usage_date,
        _loaded_at as loaded_at

    from source

)

select * from renamed
