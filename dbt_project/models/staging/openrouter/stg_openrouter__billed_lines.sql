{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): what OpenRouter billed, one
    line per activity row (day x model x provider endpoint). OpenRouter's reported cost is what was billed.

    A credit-paid row is usage of usage type model_usage: one amount for all of a model's tokens and requests,
    compared whole with their computed cost. A bring-your-own-key row's `usage` is OpenRouter's fee (line type
    fee); the inference it routed was billed by the upstream provider, so it is no OpenRouter line at all
    (stg_openrouter__activity keeps it as byok_inference_usd).
-#}

with

activity as (

    select * from {{ ref('stg_openrouter__activity') }}

),

final as (

    -- the columns of the billed_lines kind, in its order
    select
        usage_date,
        provider,
        account_id,
        case
            when is_byok then 'BYOK fee | ' || model_raw || ' | ' || provider_name
            else model_raw || ' | ' || provider_name
        end as line_item,
        case when is_byok then 'fee' else 'usage' end as line_type,
        model_raw,
        case when is_byok then null else 'model_usage' end as usage_type,
        'USD' as currency,
        {{ to_usd_decimal('credits_usd') }} as billed_cost_usd
    from activity

)

select * from final
