with

source as (

    select * from {{ source('openai', 'costs') }}

),

renamed as (

    select

        ----------  ids
        coalesce(project_id, '(none)') as account_id,
        coalesce(api_key_id, '(none)') as api_key_id,

        ----------  strings
        'openai' as provider,
        coalesce(line_item, '(none)') as line_item,
        -- line items read `<model>, <charge type>`; the part before the first ', ' is a model when it has
        -- no spaces (product lines such as 'Image models' or 'File search' are not)
        case
            when
                {{ dbt.position("', '", 'line_item') }} > 0
                and {{ dbt.position("' '", dbt.split_part('line_item', "', '", 1)) }} = 0
                then {{ dbt.split_part('line_item', "', '", 1) }}
        end as line_item_model_raw,
        upper(amount_currency) as currency,
        quantity_unit,

        ----------  numerics (amount_value is already dollars)
        {{ to_usd_decimal('amount_value') }} as billed_cost_usd,
        quantity,

        ----------  dates
        cast(bucket_start as date) as usage_date,

        ----------  timestamps
        bucket_start as bucket_start_at,
        bucket_end as bucket_end_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
