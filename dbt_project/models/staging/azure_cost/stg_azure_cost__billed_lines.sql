{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): every Azure OpenAI / Foundry
    Models cost-details line, in US dollars.

    Line types from ChargeType (Microsoft's cost-details fields): Usage -> usage; Purchase (provisioned
    throughput reservations bought), UnusedReservation and UnusedSavingsPlan -> fee; Refund -> refund; Tax ->
    tax; RoundingAdjustment -> refund (a correction); Credit -> credit. An unknown type is kept as usage. A token
    meter's line carries the model and token type read from the meter (stg_azure_cost__cost_details), so
    reconciliation compares it with the same tokens' computed cost; other usage is reported apart.
-#}

with

cost_details as (

    select * from {{ ref('stg_azure_cost__cost_details') }}

),

final as (

    -- the columns of the billed_lines kind, in its order
    select
        usage_date,
        provider,
        account_id,
        concat_ws(' | ', meter_subcategory, coalesce(meter_name, product_name, '(no meter)'), charge_type)
            as line_item,
        case
            when charge_type in ('Purchase', 'UnusedReservation', 'UnusedSavingsPlan') then 'fee'
            when charge_type in ('Refund', 'RoundingAdjustment') then 'refund'
            when charge_type = 'Tax' then 'tax'
            when charge_type = 'Credit' then 'credit'
            else 'usage'
        end as line_type,
        model_raw,
        token_usage_type as usage_type,
        -- the export names no long-context charge: its token lines carry one price per model and route
        false as is_long_context,
        currency,
        cost_usd as billed_cost_usd
    from cost_details

)

select * from final
