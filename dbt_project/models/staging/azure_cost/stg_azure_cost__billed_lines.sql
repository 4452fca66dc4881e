{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): every Azure OpenAI / Foundry
    Models cost-details line, in US dollars.

    Line types from ChargeType (Microsoft's cost-details fields): Usage -> usage; Purchase (provisioned
    throughput reservations bought), UnusedReservation and UnusedSavingsPlan -> fee; Refund -> refund; Tax ->
    tax; RoundingAdjustment -> refund (a correction); Credit -> credit. An unknown type is kept as usage. The
    meter does not yet name the model and token type here (usage_type NULL).
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
        cast(null as varchar) as model_raw,
        cast(null as varchar) as usage_type,
        currency,
        cost_usd as billed_cost_usd
    from cost_details

)

select * from final
