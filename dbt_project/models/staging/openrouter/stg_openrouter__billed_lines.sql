{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): what an activity row (day x
    model x provider endpoint) cost, as reported, in up to two lines of line type usage:

      '<model> | <provider>'                  usage type model_usage: the row's `usage`, what OpenRouter billed
                                              in credits (its fee on bring-your-own-key requests included, as
                                              the API does not report it apart); one line per row, $0 included
      'BYOK inference | <model> | <provider>' usage type byok_inference: the row's `byok_usage_inference`,
                                              billed by the upstream provider on the caller's own key, never by
                                              OpenRouter; only where it is not 0

    The row's tokens count both kinds of request (stg_openrouter__usage_lines), so the reconciliation compares
    their computed cost with both lines; a sum of what OpenRouter itself billed takes the lines of line item
    '<model> | <provider>'.

    Where finops.yaml openrouter.byok_billed_by_upstream lists the row's upstream provider
    (is_byok_counted_elsewhere), that provider's own source bills the BYOK inference and reports its tokens: the
    BYOK line is left out (it stays listed in fct_openrouter_byok_daily), the row's tokens
    are not usage here (stg_openrouter__usage_lines), and the row's OpenRouter line keeps what OpenRouter billed
    with usage type NULL, reported beside the reconciliation's variance instead of compared with tokens.
-#}

with

activity as (

    select * from {{ ref('stg_openrouter__activity') }}

),

lines as (

    select
        usage_date,
        provider,
        account_id,
        model_raw || ' | ' || provider_name as line_item,
        model_raw,
        case when not is_byok_counted_elsewhere then 'model_usage' end as usage_type,
        credits_usd as amount_usd
    from activity

    union all

    select
        usage_date,
        provider,
        account_id,
        'BYOK inference | ' || model_raw || ' | ' || provider_name as line_item,
        model_raw,
        'byok_inference' as usage_type,
        byok_inference_usd as amount_usd
    from activity
    where byok_inference_usd <> 0 and not is_byok_counted_elsewhere

),

final as (

    -- the columns of the billed_lines kind, in its order
    select
        usage_date,
        provider,
        account_id,
        line_item,
        'usage' as line_type,
        model_raw,
        usage_type,
        -- OpenRouter's activity names no long-context charge (a model's price per token is one number)
        false as is_long_context,
        'USD' as currency,
        {{ to_usd_decimal('amount_usd') }} as billed_cost_usd
    from lines

)

select * from final
