{#-
    Conformed price lines (kind price_lines, read by stg_pricing__price_book): OpenRouter's own list prices as
    effective-dated price-book rows, from every version its /models has shown (snap_openrouter__model_prices).

    A version is in effect from the UTC day of the load that first saw it (observed_at) to the day the next
    version was seen. /models shows only prices now, so the first version seen is taken to hold since the
    model was listed (created_at): date_conf 'C' for that back-dated window, 'B' for the observed ones.
    Prices per token become per 1M tokens, per request per 1k requests, exactly. A missing request price is
    no per-request fee (0); other missing prices give no row. Negative prices (-1: variable, openrouter/auto)
    give no row, so such usage stays unpriced.
-#}

{%- set prices = [
    ('input_tokens', 'pricing_prompt', 1000000, 'per_1m_tokens'),
    ('output_tokens', 'pricing_completion', 1000000, 'per_1m_tokens'),
    ('requests', 'coalesce(pricing_request, 0)', 1000, 'per_1k_requests'),
    ('cache_read_tokens', 'pricing_input_cache_read', 1000000, 'per_1m_tokens'),
    ('cache_write_tokens', 'pricing_input_cache_write', 1000000, 'per_1m_tokens'),
    ('cache_write_1h_tokens', 'pricing_input_cache_write_1h', 1000000, 'per_1m_tokens'),
    ('output_reasoning_tokens', 'pricing_internal_reasoning', 1000000, 'per_1m_tokens'),
    ('input_audio_tokens', 'pricing_audio', 1000000, 'per_1m_tokens'),
    ('output_audio_tokens', 'pricing_audio_output', 1000000, 'per_1m_tokens'),
    ('input_image_tokens', 'pricing_image_token', 1000000, 'per_1m_tokens'),
    ('output_image_tokens', 'pricing_image_output', 1000000, 'per_1m_tokens'),
    ('web_search_requests', 'pricing_web_search', 1000, 'per_1k_requests'),
] -%}

with

versions as (

    select
        *,
        row_number() over (partition by model_id order by dbt_valid_from) as version_number
    from {{ ref('snap_openrouter__model_prices') }}

),

dated as (

    select
        *,
        case
            when version_number = 1 then least(cast(created_at as date), cast(observed_at as date))
            else cast(observed_at as date)
        end as effective_from
    from versions

),

windowed as (

    select
        *,
        lead(effective_from) over (partition by model_id order by dbt_valid_from) as effective_to
    from dated

),

unpivoted as (

    {%- for usage_type, column, per, unit in prices %}
        select
            model_id,
            version_number,
            effective_from,
            effective_to,
            '{{ usage_type }}' as usage_type,
            '{{ unit }}' as unit,
            cast({{ column }} as decimal(38, 18)) * {{ per }} as unit_price
        from windowed
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        'openrouter' as provider,
        model_id,
        usage_type,
        'standard' as service_tier,
        0 as prompt_tokens_gt,
        effective_from,
        effective_to,
        unit,
        'USD' as currency,
        cast(unit_price as decimal(18, 9)) as unit_price_usd,
        'A' as price_conf,
        case when version_number = 1 then 'C' else 'B' end as date_conf,
        'OPENROUTER-MODELS' as sources,
        'OpenRouter /models, snapshotted every run' as notes
    from unpivoted
    where
        unit_price >= 0
        -- a version replaced on the day it was seen has no day of its own
        and (effective_to is null or effective_from < effective_to)

)

select * from final
