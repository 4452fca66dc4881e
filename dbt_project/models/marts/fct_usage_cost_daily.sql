{#-
    Priced usage, one row per UTC day x provider x account x api key x model x service tier x context tier x
    inference geo x usage type (DESIGN §6). Unpriced usage stays, with is_priced = false and NULL costs (never 0).
    Costs as FOCUS 1.2 defines them, after finops.yaml's contracts (int_usage_contracted): list, contracted
    (less the negotiated discount), effective (amortized: prepaid-covered usage at what the credit cost) and
    the billed estimate (prepaid-covered usage billed 0). Without contracts all four equal list_cost_usd.
-#}

with

priced_usage as (

    select * from {{ ref('int_usage_contracted') }}

),

accounts as (

    select * from {{ ref('dim_account') }}

),

final as (

    select
        ----------  ids
        priced_usage.usage_date,
        priced_usage.provider,
        priced_usage.account_id,
        priced_usage.api_key_id,
        priced_usage.model_raw,
        priced_usage.model_id,
        priced_usage.service_tier,
        priced_usage.context_tier,
        priced_usage.inference_geo,
        priced_usage.usage_type,

        ----------  strings
        accounts.account_name,
        priced_usage.contract_name,
        priced_usage.priced_usage_type,
        priced_usage.unit,
        priced_usage.price_source,
        priced_usage.price_confidence,

        ----------  numerics
        priced_usage.prompt_tokens_gt,
        priced_usage.quantity,
        priced_usage.unit_price_usd,
        priced_usage.price_multiplier,
        priced_usage.list_cost_usd,
        priced_usage.discount_pct,
        priced_usage.contracted_cost_usd,
        priced_usage.prepaid_covered_usd,
        priced_usage.effective_cost_usd,
        priced_usage.billed_cost_estimate_usd,

        ----------  booleans
        priced_usage.is_priced,

        ----------  dates
        priced_usage.price_effective_from

    from priced_usage
    left join accounts
        on
            priced_usage.provider = accounts.provider
            and priced_usage.account_id = accounts.account_id

)

select * from final
