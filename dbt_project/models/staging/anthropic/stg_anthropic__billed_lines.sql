{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): the Anthropic cost report,
    one row per raw row (day x workspace x line item). The model is the report's `model` column.
-#}

with

cost_report as (

    select * from {{ ref('stg_anthropic__cost_report') }}

),

final as (

    -- the columns of the billed_lines kind, in its order
    select
        usage_date,
        provider,
        account_id,
        line_item,
        model_raw,
        currency,
        billed_cost_usd
    from cost_report

)

select * from final
