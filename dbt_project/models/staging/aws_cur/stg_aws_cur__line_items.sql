{#-
    AWS CUR 2.0 line items of Amazon Bedrock, typed. CUR states every line's cost in line_item_currency_code
    and has no exchange-rate column: a line in another currency than USD gets a NULL cost_usd, which a
    blocking test turns into an error naming it (never summed as dollars).
-#}

with

source as (

    select * from {{ source('aws_cur', 'line_items') }}

),

renamed as (

    select

        ----------  ids
        identity_line_item_id as line_item_id,
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as account_id,
        line_item_resource_id as resource_id,

        ----------  strings
        'aws_bedrock' as provider,
        line_item_line_item_type as line_item_type,
        line_item_product_code as product_code,
        line_item_usage_type as usage_type_raw,
        line_item_operation as aws_operation,
        line_item_line_item_description as description,
        bill_billing_entity as billing_entity,
        product_product_name as product_name,
        product_region_code as region_code,
        pricing_unit,
        upper(line_item_currency_code) as currency,
        resource_tags,
        _file as source_file,

        ----------  numerics
        line_item_usage_amount as usage_amount,
        line_item_unblended_cost as unblended_cost,
        case when upper(line_item_currency_code) = 'USD' then {{ to_usd_decimal('line_item_unblended_cost') }} end
            as cost_usd,

        ----------  dates and timestamps
        cast(line_item_usage_start_date as date) as usage_date,
        line_item_usage_start_date as usage_start_at,
        line_item_usage_end_date as usage_end_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
