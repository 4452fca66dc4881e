with

source as (

    select * from {{ source('anthropic', 'cost_report') }}

),

renamed as (

    select

        ----------  ids
        coalesce(workspace_id, 'default') as account_id,

        ----------  strings
        'anthropic' as provider,
        -- description alone repeats across service tiers, context windows and token types: append them
        {{ dbt.concat([
            "coalesce(description, cost_type, '(none)')",
            "coalesce(" ~ dbt.concat(["' | '", "service_tier"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["' | '", "speed"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["' | '", "context_window"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["' | '", "token_type"]) ~ ", '')",
        ]) }} as line_item,
        description,
        cost_type,
        model as model_raw,
        token_type,
        service_tier,
        context_window,
        inference_geo,
        speed,
        upper(currency) as currency,

        ----------  numerics
        amount_cents,
        -- cents -> dollars by an exact decimal multiplication (a division would yield DOUBLE in DuckDB)
        {{ cents_to_usd('amount_cents') }} as billed_cost_usd,

        ----------  dates
        cast(bucket_start as date) as usage_date,

        ----------  timestamps
        bucket_start as bucket_start_at,
        bucket_end as bucket_end_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
