{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): every Google Cloud Billing
    export line of Vertex AI and the Gemini API, and each of its credits as a line of its own, in US dollars.
    The lines of a day net to Google's own formula, SUM(cost) + SUM(credits.amount).

    Line types from cost_type: regular -> usage, tax -> tax, adjustment and rounding_error -> refund
    (corrections of earlier charges); each credits[] entry -> credit (negative). A token SKU's line carries the
    model and token type read from the SKU (stg_gcp_billing__export), so reconciliation compares it with the
    same tokens' computed cost; every other line (storage, grounding, tax, credits) is reported apart.
-#}

{#- an element of credits[]: its keys read here, with their types -#}
{%- set credit_fields = {'type': 'string', 'name': 'string', 'amount': 'decimal(38, 10)'} %}

with

export as (

    select * from {{ ref('stg_gcp_billing__export') }}

),

credits as (

    select
        export.usage_date,
        export.provider,
        export.account_id,
        export.sku_description,
        export.currency,
        export.currency_conversion_rate,
        {{ billing_json_array_field('credit', 'type') }} as credit_type,
        {{ billing_json_array_field('credit', 'name') }} as credit_name,
        {{ billing_json_array_field('credit', 'amount', 'decimal(38, 10)') }} as amount
    from export
    cross join {{ billing_json_array_elements('export.credits', credit_fields) }} as credit

),

charges as (

    select
        usage_date,
        provider,
        account_id,
        -- a tax or adjustment line of a SKU is a line item of its own (a line item has one line type)
        concat_ws(
            ' | ', service_description, sku_description, case when cost_type <> 'regular' then cost_type end
        ) as line_item,
        case
            when cost_type = 'tax' then 'tax'
            when cost_type in ('adjustment', 'rounding_error') then 'refund'
            else 'usage'
        end as line_type,
        model_raw,
        token_usage_type as usage_type,
        -- a Gemini SKU of the long-context tier ('... long input', '(long)'): stg_gcp_billing__export
        coalesce(context_tier = 'long', false) as is_long_context,
        currency,
        cost_usd as billed_cost_usd
    from export

),

credit_lines as (

    select
        usage_date,
        provider,
        account_id,
        'credit | ' || coalesce(credit_type, 'unknown type') || ' | ' || coalesce(credit_name, '') as line_item,
        'credit' as line_type,
        cast(null as string) as model_raw,
        cast(null as string) as usage_type,
        false as is_long_context,
        currency,
        case
            when currency = 'USD' then {{ to_usd_decimal('amount') }}
            else {{ usd_at_rate('amount', 'currency_conversion_rate') }}
        end as billed_cost_usd
    from credits

),

lines as (

    select * from charges

    union all

    select * from credit_lines

),

final as (

    -- the columns of the billed_lines kind, in its order
    select
        usage_date,
        provider,
        account_id,
        line_item,
        line_type,
        model_raw,
        usage_type,
        is_long_context,
        currency,
        billed_cost_usd
    from lines

)

select * from final
