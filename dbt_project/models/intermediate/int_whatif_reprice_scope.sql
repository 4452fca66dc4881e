{#-
    The usage each repricing what-if (mart_whatif_reprice) covers: every row of int_usage_priced, priced or
    not, in the scope of each scenario of finops.yaml's `whatif` section (stg_config__whatif_scenarios: a
    provider and model globs, none meaning all), with the scenario's settings, the row's month and the date its
    counterfactual is priced on (rule usage_date: the usage date; today: the build date; fixed: price_date).
    One row per scenario x int_usage_priced row in scope.
-#}

with

usage_priced as (

    select * from {{ ref('int_usage_priced') }}

),

scenarios as (

    select * from {{ ref('stg_config__whatif_scenarios') }}

),

-- the scope's model globs, one row per alternative, as LIKE patterns
scope_patterns as (

    {{ scope_like_patterns('scenarios', 'scenario') }}

),

-- every actual usage row in each scenario's scope, priced or not, with the date its counterfactual is priced on
final as (

    select
        scenarios.scenario,
        scenarios.to_model,
        scenarios.to_service_tier,
        scenarios.price_date_rule,
        scenarios.cache_hit_rate,
        scenarios.batch_share,
        usage_priced.usage_date,
        usage_priced.provider,
        usage_priced.account_id,
        usage_priced.api_key_id,
        usage_priced.model_id,
        usage_priced.service_tier,
        usage_priced.context_tier,
        usage_priced.inference_geo,
        usage_priced.usage_type,
        usage_priced.prompt_tokens_gt,
        usage_priced.quantity,
        usage_priced.list_cost_usd,
        usage_priced.is_priced,
        cast({{ dbt.date_trunc('month', 'usage_priced.usage_date') }} as date) as month, -- noqa: RF04
        case scenarios.price_date_rule
            when 'usage_date' then usage_priced.usage_date
            when 'today' then cast({{ dbt.current_timestamp() }} as date)
            else scenarios.price_date
        end as price_on
    from usage_priced
    inner join scenarios
        on scenarios.scope_provider is null or usage_priced.provider = scenarios.scope_provider
    where
        scenarios.scope_models is null
        or exists (
            select 1 from scope_patterns
            where
                scope_patterns.scenario = scenarios.scenario
                and {{ like_escaped("usage_priced.model_id", "scope_patterns.model_like") }}
        )

)

select * from final
