{#-
    OpenAI costs, one row per raw row (day x project x line item [x api key]).

    line_item is free text. The shapes seen in real organisations' Costs API output (see the model's yml):
        [<tier> | ]<model>[ <modality>], <charge>[, long context][ (<tier>)]
    e.g. 'gpt-4o-mini-2024-07-18, cached input', 'priority | gpt-5.6-sol, output, long context',
    'gpt-audio-mini-2025-12-15 audio, input', 'whisper-1, audio'; and lines without a model
    ('web search tool calls', 'Vector storage', 'Image models'). The parts are read here once; what a part
    means (usage type, line type) is decided in stg_openai__billed_lines.
-#}

with

source as (

    select * from {{ source('openai', 'costs') }}

),

parsed as (

    select
        *,
        -- an optional '<tier> | ' prefix (priority) is set aside before the model is read
        regexp_replace(coalesce(line_item, ''), '^[a-z_]+ [|] ', '') as line_item_body,
        nullif(regexp_extract(coalesce(line_item, ''), '^([a-z_]+) [|] ', 1), '') as line_item_tier_prefix
    from source

),

renamed as (

    select

        ----------  ids
        coalesce(project_id, '(none)') as account_id,
        coalesce(api_key_id, '(none)') as api_key_id,

        ----------  strings
        'openai' as provider,
        coalesce(line_item, '(none)') as line_item,
        -- the model: one word (no spaces) before ', ', optionally followed by a modality word
        nullif(regexp_extract(line_item_body, '^([^ ,|]+)( (audio|image|text))?, ', 1), '') as line_item_model_raw,
        nullif(regexp_extract(line_item_body, '^[^ ,|]+ (audio|image|text), ', 1), '') as line_item_modality,
        -- the charge: the text after the model's ', ', without ', long context' and a '(tier)' suffix
        nullif(
            regexp_extract(
                line_item_body,
                '^[^ ,|]+(?: (?:audio|image|text))?, ([a-z ]+?)(?:, long context)?(?: [(][a-z_]+[)])?$',
                1
            ),
            ''
        ) as line_item_charge,
        coalesce(
            line_item_tier_prefix,
            nullif(regexp_extract(line_item_body, ' [(]([a-z_]+)[)]$', 1), '')
        ) as line_item_tier,
        line_item_body like '%, long context%' as is_long_context,
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

    from parsed

)

select * from renamed
