{#-
    What each provider billed, one row per (usage_date, provider, account_id, line_item), with the model
    resolved through model_aliases like usage is (int_usage_priced rule 1).

    OpenAI line items are given ("gpt-4o-2024-08-06, input"); the model is the text before the first ', '.
    Anthropic line items are the description plus ' | ' service tier / context window / token type, so they
    are unique per day x workspace; the model comes from the `model` column.
-#}

with

openai_costs as (

    select * from {{ ref('stg_openai__costs') }}

),

anthropic_costs as (

    select * from {{ ref('stg_anthropic__cost_report') }}

),

model_aliases as (

    select * from {{ ref('stg_pricing__model_aliases') }}

),

unioned as (

    select
        usage_date,
        provider,
        account_id,
        line_item,
        line_item_model_raw as model_raw,
        currency,
        billed_cost_usd
    from openai_costs

    union all

    select
        usage_date,
        provider,
        account_id,
        line_item,
        model_raw,
        currency,
        billed_cost_usd
    from anthropic_costs

),

resolved as (

    select
        unioned.usage_date,
        unioned.provider,
        unioned.account_id,
        unioned.line_item,
        coalesce(model_aliases.model_id, unioned.model_raw) as model_id,
        unioned.currency,
        unioned.billed_cost_usd
    from unioned
    left join model_aliases
        on unioned.provider = model_aliases.provider
        and unioned.model_raw = model_aliases.alias
        and {{ in_effective_window('unioned.usage_date', 'model_aliases') }}

),

aggregated as (

    select
        usage_date,
        provider,
        account_id,
        line_item,
        -- one line item names one model and one currency; max() only folds the (api key, hour) splits
        max(model_id) as model_id,
        max(currency) as currency,
        sum(billed_cost_usd) as billed_cost_usd
    from resolved
    group by usage_date, provider, account_id, line_item

)

select
    usage_date,
    provider,
    account_id,
    line_item,
    model_id,
    currency,
    {{ to_usd_decimal('billed_cost_usd') }} as billed_cost_usd
from aggregated
