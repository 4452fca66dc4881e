{#-
    Conformed billed lines (kind billed_lines, read by int_billed_costs_unioned): the Anthropic cost report,
    one row per raw row (day x workspace x line item). The model is the report's `model` column.

    Every cost-report line is usage (the API documents no credit or tax lines). usage_type: token lines by
    token_type, web search by cost_type; NULL for code execution and session usage, which the usage report
    does not count (the vendor says code execution is "not included in the usage endpoint"), so
    reconciliation shows them apart from token billing.
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
        'usage' as line_type,
        model_raw,
        case
            when cost_type = 'web_search' then 'web_search_requests'
            when token_type = 'uncached_input_tokens' then 'input_tokens'
            when token_type = 'cache_read_input_tokens' then 'cache_read_tokens'
            when token_type = 'cache_creation.ephemeral_5m_input_tokens' then 'cache_write_tokens'
            when token_type = 'cache_creation.ephemeral_1h_input_tokens' then 'cache_write_1h_tokens'
            when token_type = 'output_tokens' then 'output_tokens'
        end as usage_type,
        -- the long-context tier of a request over 200K input tokens, which the usage report prices too
        coalesce(context_window = '200k-1M', false) as is_long_context,
        currency,
        billed_cost_usd
    from cost_report

)

select * from final
