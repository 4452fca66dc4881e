{#- What the providers billed, one row per UTC day x provider x account x line item (DESIGN §6). -#}

with

billed as (

    select * from {{ ref('int_billed_costs_unioned') }}

),

final as (

    select
        ----------  ids
        usage_date,
        provider,
        account_id,
        line_item,
        model_id,

        ----------  strings
        line_type,
        usage_type,
        currency,

        ----------  booleans
        is_long_context,

        ----------  numerics
        billed_cost_usd

    from billed

)

select * from final
