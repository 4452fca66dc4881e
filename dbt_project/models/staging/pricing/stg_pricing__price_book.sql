{#-
    The list-price book: the curated rows of pricing_seeds/price_book.csv, then the list prices sources publish
    themselves (kind price_lines: OpenRouter's /models, as effective-dated history), under the same columns.
-#}

{%- set columns = [
    ('provider', 'varchar'),
    ('model_id', 'varchar'),
    ('usage_type', 'varchar'),
    ('service_tier', 'varchar'),
    ('unit', 'varchar'),
    ('currency', 'varchar'),
    ('price_conf', 'varchar'),
    ('date_conf', 'varchar'),
    ('sources', 'varchar'),
    ('notes', 'varchar'),
    ('prompt_tokens_gt', 'bigint'),
    ('unit_price_usd', 'decimal(18, 9)'),
    ('effective_from', 'date'),
    ('effective_to', 'date'),
] -%}

with

curated as (

    select
        provider,
        model_id,
        usage_type,
        service_tier,
        unit,
        currency,
        price_conf,
        date_conf,
        sources,
        notes,
        -- threshold of the long-context tier: the row applies when the prompt is > this many tokens
        cast(coalesce(prompt_tokens_gt, 0) as bigint) as prompt_tokens_gt,
        -- list price in USD per `unit` (per 1M tokens, per 1k requests, ...)
        cast(unit_price as decimal(18, 9)) as unit_price_usd,
        -- [effective_from, effective_to), UTC; null effective_to = still current
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to
    from {{ ref('price_book') }}

),

published as (

    {{ union_conformed('price_lines', columns) }}

),

unioned as (

    select * from curated

    union all

    select * from published

),

renamed as (

    select

        ----------  ids
        lower(provider) as provider,
        lower(model_id) as model_id,
        usage_type,
        lower(service_tier) as service_tier,

        ----------  strings
        unit,
        upper(currency) as currency,
        price_conf,
        date_conf,
        sources,
        notes,

        ----------  numerics
        prompt_tokens_gt,
        unit_price_usd,

        ----------  dates
        effective_from,
        effective_to

    from unioned

)

select * from renamed
