{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): OpenAI costs, one row per
    raw row (day x project x line item [x api key]; the union sums the api-key splits). The model is the
    text before the first ', ' of the line item when it looks like a model id, else null.
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
        line_item_model_raw as model_raw,
        currency,
        billed_cost_usd
    from costs

)

select * from final
