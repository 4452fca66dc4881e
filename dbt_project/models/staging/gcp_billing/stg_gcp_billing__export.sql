{#-
    Google Cloud Billing export lines (Vertex AI and the Gemini API), typed, in US dollars. Google: "cost ÷
    currency_conversion_rate is the cost in US dollars"; each line is converted with its own rate (macro
    usd_at_rate, exact), a USD line is taken as it is. Vertex AI and the Gemini API are priced apart (Vertex
    has its own endpoints and uplifts), so they are two providers: google_vertex and google.
-#}

with

source as (

    select * from {{ source('gcp_billing', 'export') }}

),

renamed as (

    select

        ----------  ids
        billing_account_id,
        -- a line without a project (tax not tied to one) belongs to the billing account
        coalesce(project_id, billing_account_id) as account_id,
        service_id,
        sku_id,

        ----------  strings
        case
            when service_id = 'C7E2-9256-1C43' or service_description = 'Vertex AI' then 'google_vertex'
            else 'google'
        end as provider,
        service_description,
        sku_description,
        project_name,
        location_region,
        upper(currency) as currency,
        lower(replace(cost_type, ' ', '_')) as cost_type,  -- Google writes both 'rounding error' and rounding_error
        json_extract_string(adjustment_info, '$.type') as adjustment_type,
        usage_unit,
        usage_pricing_unit,
        labels,
        project_labels,
        credits,
        _file as source_file,

        ----------  numerics
        cost,
        currency_conversion_rate,
        credits_amount,
        case
            when upper(currency) = 'USD' then {{ to_usd_decimal('cost') }}
            else {{ usd_at_rate('cost', 'currency_conversion_rate') }}
        end as cost_usd,
        case
            when upper(currency) = 'USD' then {{ to_usd_decimal('credits_amount') }}
            else {{ usd_at_rate('credits_amount', 'currency_conversion_rate') }}
        end as credits_usd,
        usage_amount,
        usage_amount_in_pricing_units,

        ----------  dates and timestamps
        cast(usage_start_time as date) as usage_date,
        usage_start_time as usage_start_at,
        usage_end_time as usage_end_at,
        export_time as exported_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
