{#- OpenRouter's credit balance as last landed, one row (the snapshot keeps its history). -#}

with

source as (

    select * from {{ source('openrouter', 'credits') }}

),

renamed as (

    select
        'openrouter' as provider,
        total_credits as total_credits_usd,
        total_usage as total_usage_usd,
        total_credits - total_usage as balance_usd,
        _loaded_at as observed_at
    from source

)

select * from renamed
