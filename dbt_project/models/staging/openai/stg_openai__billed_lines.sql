{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): OpenAI costs, one row per
    raw row (day x project x line item [x api key]; the union sums the api-key splits).

    line_type: the Costs API documents no credit, tax or refund lines; a line item that names one is
    classified as such, every other line is usage. usage_type: the price book's usage type of the line - a
    token line's from its charge and modality (stg_openai__costs), a tool or storage line's from its name -
    where the usage endpoints count the same thing; NULL otherwise, and reconciliation shows those lines apart.
-#}

with

costs as (

    select * from {{ ref('stg_openai__costs') }}

),

final as (

    -- the columns of the billed_lines kind, in its order
    select
        usage_date,
        provider,
        account_id,
        line_item,
        case
            when lower(line_item) like '%credit%' then 'credit'
            when lower(line_item) like '%refund%' then 'refund'
            when lower(line_item) like 'tax%' or lower(line_item) like '% tax%' then 'tax'
            else 'usage'
        end as line_type,
        line_item_model_raw as model_raw,
        case
            -- tool and storage lines, as the pricing page names them on invoices ('web search tool calls'),
            -- where the usage endpoints count the same thing
            when lower(line_item) like 'web search tool calls%' then 'web_search_requests'
            when lower(line_item) like 'file search tool calls%' then 'file_search_calls'
            when lower(line_item) like 'vector storage%' then 'vector_store_bytes'
            when lower(line_item) like 'code interpreter%' then 'code_interpreter_sessions'
            when line_item_model_raw is null then null
            when line_item_charge = 'audio' and lower(line_item_model_raw) like 'whisper%' then 'transcription_seconds'
            when line_item_charge = 'input' and line_item_modality = 'audio' then 'input_audio_tokens'
            when line_item_charge = 'input' and line_item_modality = 'image' then 'input_image_tokens'
            when line_item_charge = 'input' then 'input_tokens'
            when line_item_charge = 'cached input' and line_item_modality = 'audio' then 'cache_audio_read_tokens'
            when line_item_charge = 'cached input' and line_item_modality = 'image' then 'cache_image_read_tokens'
            when line_item_charge = 'cached input' then 'cache_read_tokens'
            when line_item_charge = 'cache write input' then 'cache_write_tokens'
            when line_item_charge = 'output' and line_item_modality = 'audio' then 'output_audio_tokens'
            when line_item_charge = 'output' and line_item_modality = 'image' then 'output_image_tokens'
            when line_item_charge = 'output' then 'output_tokens'
        end as usage_type,
        is_long_context,
        currency,
        billed_cost_usd
    from costs

)

select * from final
