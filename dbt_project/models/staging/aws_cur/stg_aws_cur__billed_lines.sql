{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): every Bedrock line item of
    the CUR, in US dollars (unblended cost: discounts and credits are lines of their own, so the lines net to
    the bill).

    Line types from line_item_line_item_type (AWS's CUR data dictionary): Usage, DiscountedUsage and
    SavingsPlanCoveredUsage -> usage; Credit and the discount lines (Discount, BundledDiscount, EdpDiscount,
    PrivateRateDiscount, SavingsPlanNegation, DistributorDiscount) -> credit; Tax -> tax; Refund -> refund; Fee,
    RIFee and the Savings Plan fees -> fee. An unknown type is kept as usage. A token line carries the model and
    token type read from its usage type (stg_aws_cur__line_items), so reconciliation compares it with the same
    tokens' computed cost; other usage (provisioned throughput, images) is reported apart.
-#}

with

line_items as (

    select * from {{ ref('stg_aws_cur__line_items') }}

),

final as (

    -- the columns of the billed_lines kind, in its order
    select
        usage_date,
        provider,
        account_id,
        -- a tax line has no usage type: concat_ws leaves NULL parts out
        concat_ws(' | ', product_name, usage_type_raw, line_item_type) as line_item,
        case
            when line_item_type in (
                'Credit', 'Discount', 'BundledDiscount', 'EdpDiscount', 'PrivateRateDiscount',
                'SavingsPlanNegation', 'DistributorDiscount'
            ) then 'credit'
            when line_item_type = 'Tax' then 'tax'
            when line_item_type = 'Refund' then 'refund'
            when line_item_type in (
                'Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee'
            ) then 'fee'
            else 'usage'
        end as line_type,
        model_raw,
        token_usage_type as usage_type,
        -- the export names no long-context charge: its token lines carry one price per model and route
        false as is_long_context,
        currency,
        cost_usd as billed_cost_usd
    from line_items

)

select * from final
