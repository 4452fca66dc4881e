{#-
    One row per (provider, model_id): every model of the price book, every alias target, and every model seen
    in usage (priced or not), with the span of its price history.
-#}

with

price_book as (

    select * from {{ ref('stg_pricing__price_book') }}

),

model_aliases as (

    select * from {{ ref('stg_pricing__model_aliases') }}

),

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}

),

models as (

    select distinct
        provider,
        model_id
    from price_book

    union

    select distinct
        provider,
        model_id
    from model_aliases

    union

    select distinct
        provider,
        model_id
    from usage

),

price_history as (

    select
        provider,
        model_id,
        min(effective_from) as first_price_date,
        max(effective_from) as last_price_date,
        -- exclusive end of the last window; null while any price is open-ended
        case when count(*) = count(effective_to) then max(effective_to) end as price_end_date,
        sum(case
            when
                effective_from <= cast({{ dbt.current_timestamp() }} as date)
                and (effective_to is null or effective_to > cast({{ dbt.current_timestamp() }} as date))
                then 1
            else 0
        end) as current_price_rows
    from price_book
    group by provider, model_id

),

final as (

    select
        ----------  ids
        models.provider,
        models.model_id,

        ----------  booleans
        coalesce(price_history.current_price_rows, 0) > 0 as is_current,
        price_history.model_id is not null as has_price,

        ----------  dates
        price_history.first_price_date,
        price_history.last_price_date,
        price_history.price_end_date

    from models
    left join price_history
        on
            models.provider = price_history.provider
            and models.model_id = price_history.model_id

)

select * from final
