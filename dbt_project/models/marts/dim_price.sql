{#- The list-price book as history: one row per price component and effective window (pricing_seeds/price_book.csv). -#}

with

price_book as (

    select * from {{ ref('stg_pricing__price_book') }}

),

final as (

    select
        ----------  ids
        provider,
        model_id,
        usage_type,
        service_tier,

        ----------  strings
        unit,
        currency,
        price_conf,
        date_conf,
        sources,
        notes,

        ----------  numerics
        prompt_tokens_gt,
        {{ to_usd_decimal('unit_price_usd') }} as unit_price_usd,

        ----------  booleans
        effective_from <= cast({{ dbt.current_timestamp() }} as date)
        and (effective_to is null or effective_to > cast({{ dbt.current_timestamp() }} as date))
            as is_current,

        ----------  dates
        effective_from,
        effective_to

    from price_book

)

select * from final
