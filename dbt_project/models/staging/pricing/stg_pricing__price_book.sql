{#-
    The list-price book: the curated rows of pricing_seeds/price_book.csv, the list prices sources publish
    themselves (kind price_lines: OpenRouter's /models, as effective-dated history), and the rows generated
    from the genai-prices package (`finops prices sync`), under the same columns, with price_origin saying which.
    The curated book wins: a generated row is dropped when price_book.csv has a row (any window) for the same
    (provider, model_id, usage_type, service_tier, prompt_tokens_gt); a source that publishes prices for a model
    owns that model, so generated rows of a model with published rows are dropped too.
-#}

{%- set columns = [
    ('provider', 'string'),
    ('model_id', 'string'),
    ('usage_type', 'string'),
    ('service_tier', 'string'),
    ('unit', 'string'),
    ('currency', 'string'),
    ('price_conf', 'string'),
    ('date_conf', 'string'),
    ('sources', 'string'),
    ('notes', 'string'),
    ('prompt_tokens_gt', 'bigint'),
    ('unit_price_usd', 'decimal(18, 9)'),
    ('effective_from', 'date'),
    ('effective_to', 'date'),
] -%}

{%- set seed_select -%}
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
{%- endset -%}

with

-- the curated book and the generated one are seeds of the same columns, read alike
curated as (

    {{ seed_select }}
    from {{ ref('price_book') }}

),

published as (

    {{ union_conformed('price_lines', columns) }}

),

generated as (

    {{ seed_select }}
    from {{ ref('genai_prices__price_book') }}

),

generated_not_overridden as (

    select generated.*
    from generated
    where
        not exists (
            select 1
            from curated
            where
                lower(curated.provider) = lower(generated.provider)
                and lower(curated.model_id) = lower(generated.model_id)
                and curated.usage_type = generated.usage_type
                and lower(curated.service_tier) = lower(generated.service_tier)
                and curated.prompt_tokens_gt = generated.prompt_tokens_gt
        )
        and not exists (
            select 1
            from published
            where
                lower(published.provider) = lower(generated.provider)
                and lower(published.model_id) = lower(generated.model_id)
        )

),

unioned as (

    select
        *,
        'curated' as price_origin
    from curated

    union all

    select
        *,
        'published' as price_origin
    from published

    union all

    select
        *,
        'genai-prices' as price_origin
    from generated_not_overridden

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
        -- curated (pricing_seeds/price_book.csv), published (a source's price_lines) or genai-prices (generated)
        price_origin,

        ----------  numerics
        prompt_tokens_gt,
        unit_price_usd,

        ----------  dates
        effective_from,
        effective_to

    from unioned

)

select * from renamed
