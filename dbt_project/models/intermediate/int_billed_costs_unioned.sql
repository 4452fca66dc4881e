{#-
    What every registered source billed, one row per (usage_date, provider, account_id, line_item), with its
    line type (usage, credit, tax, fee, refund), the usage type of a token line, whether it is billed at a
    long-context rate, and the model resolved through model_aliases as usage is (macro resolve_model_id,
    int_usage_priced rule 1).

    Each source picks its line items, models and amounts in its conformed model stg_<source>__billed_lines
    (the dbt var finops_conformed names them; macro union_conformed).
-#}

with

billed_lines as (

    {{ union_conformed('billed_lines', [
        ('usage_date', 'date'),
        ('provider', 'string'),
        ('account_id', 'string'),
        ('line_item', 'string'),
        ('line_type', 'string'),
        ('model_raw', 'string'),
        ('usage_type', 'string'),
        ('is_long_context', 'boolean'),
        ('currency', 'string'),
        ('billed_cost_usd', money_type()),
    ]) }}

),

model_aliases as (

    select * from {{ ref('stg_pricing__model_aliases') }}

),

price_book as (

    select * from {{ ref('stg_pricing__price_book') }}

),

genai_prices_model_matches as (

    select * from {{ ref('stg_pricing__genai_prices_model_matches') }}

),

resolved as (

    {{ resolve_model_id('billed_lines') }}

),

aggregated as (

    select
        usage_date,
        provider,
        account_id,
        line_item,
        -- one line item has one line type: grouped by it, a source that gave one line item two line types
        -- fails the unique test on (day, provider, account, line item) instead of being folded silently
        line_type,
        -- one line item names one model, usage type and currency; max() only folds the (api key, hour) splits
        max(model_id) as model_id,
        max(usage_type) as usage_type,
        bool_or(is_long_context) as is_long_context,
        max(currency) as currency,
        sum(billed_cost_usd) as billed_cost_usd
    from resolved
    group by usage_date, provider, account_id, line_item, line_type

)

select
    usage_date,
    provider,
    account_id,
    line_item,
    line_type,
    model_id,
    usage_type,
    is_long_context,
    currency,
    {{ to_usd_decimal('billed_cost_usd') }} as billed_cost_usd
from aggregated
