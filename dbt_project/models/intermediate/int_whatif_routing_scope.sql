{#-
    The requests each routing what-if (mart_whatif_routing) covers: every successful request of
    fct_request_cost in the scope of each routing rule of finops.yaml's `whatif.routing`
    (stg_config__whatif_routing: a provider and model globs, none meaning all), with the rule's settings, the
    month, and its size class: 'simple' when prompt_tokens <= max_input_tokens and output_tokens <=
    max_output_tokens, else 'other'. One row per rule x request in scope.
-#}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    where status = 'success'

),

rules as (

    select * from {{ ref('stg_config__whatif_routing') }}

),

-- the scope's model globs, one row per alternative, as LIKE patterns
scope_patterns as (

    {{ scope_like_patterns('rules', 'rule') }}

),

-- every successful request in each rule's scope, with its size class
final as (

    select
        rules.rule,
        rules.to_model,
        rules.max_input_tokens,
        rules.max_output_tokens,
        requests.usage_date,
        requests.provider,
        coalesce(requests.model_id, '(none)') as model_id,
        requests.service_tier,
        requests.prompt_tokens_gt,
        requests.input_tokens,
        requests.cached_tokens as cache_read_tokens,
        requests.cache_write_tokens,
        requests.cache_write_1h_tokens,
        requests.output_tokens,
        requests.prompt_tokens,
        requests.list_cost_usd,
        requests.is_priced,
        cast({{ dbt.date_trunc('month', 'requests.usage_date') }} as date) as month, -- noqa: RF04
        case
            when
                requests.prompt_tokens <= rules.max_input_tokens
                and requests.output_tokens <= rules.max_output_tokens
                then 'simple'
            else 'other'
        end as size_class
    from requests
    inner join rules
        on requests.provider = rules.scope_provider
    where
        rules.scope_models is null
        or exists (
            select 1 from scope_patterns
            where
                scope_patterns.rule = rules.rule
                and {{ like_escaped("requests.model_id", "scope_patterns.model_like") }}
        )

)

select * from final
