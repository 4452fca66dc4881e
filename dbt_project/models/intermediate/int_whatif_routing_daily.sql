{#-
    The requests each routing what-if (mart_whatif_routing) covers, rolled up by day: every successful request
    of fct_request_cost in the scope of each routing rule of finops.yaml's `whatif.routing`
    (stg_config__whatif_routing: a provider and model globs, none meaning all), with its size class - 'simple'
    when prompt_tokens <= max_input_tokens and output_tokens <= max_output_tokens, else 'other' - summed per rule
    x UTC day x provider x model x service tier x prompt-size tier x size class x is_priced: requests, the token
    buckets, and the list cost (NULL for the unpriced groups, never $0). The token buckets are sums, so the
    counterfactual lines (int_whatif_routing_lines) price the same buckets as per request.

    A table, incremental by day, not a view: the lines, the mart and their tests read it on every build, and as
    a view each read every successful request again (at 100M requests, 47 s of a day's increment). A build
    replaces the days fct_request_cost rebuilt since this table's last build (requests_built_at), and every day
    when the routing rules changed (routing_version). The days it replaces are deleted first (pre-hook): a day
    can lose every request in scope (a re-landed file, a narrower rule), and then has no row to replace the old
    ones by.
-#}

{{ config(
    pre_hook="""
        {% if is_incremental() %}
            {{ delete_days_where(this, 'usage_date',
                days_rebuilt_upstream(ref('fct_request_cost'), 'requests_built_at', whatif_routing_versions())) }}
        {% endif %}
    """,
    **replace_days_config()
) }}

{%- set versions = whatif_routing_versions() -%}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    where
        status = 'success'
        {% if is_incremental() -%}
            and {{ days_rebuilt_upstream(ref('fct_request_cost'), 'requests_built_at', versions) }}
        {%- endif %}

),

rules as (

    select * from {{ ref('stg_config__whatif_routing') }}

),

-- the scope's model globs, one row per alternative, as LIKE patterns
scope_patterns as (

    {{ scope_like_patterns('rules', 'rule') }}

),

-- every successful request in each rule's scope, with its size class
in_scope as (

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
        requests.cached_tokens,
        requests.cache_write_tokens,
        requests.cache_write_1h_tokens,
        requests.output_tokens,
        requests.prompt_tokens,
        requests.list_cost_usd,
        requests.is_priced,
        requests.built_at,
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

),

final as (

    select
        ----------  ids
        rule,
        provider,
        model_id,
        service_tier,
        size_class,

        ----------  strings
        to_model,

        ----------  numerics
        max_input_tokens,
        max_output_tokens,
        prompt_tokens_gt,
        count(*) as requests,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(cached_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_write_tokens) as bigint) as cache_write_tokens,
        cast(sum(cache_write_1h_tokens) as bigint) as cache_write_1h_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(prompt_tokens) as bigint) as prompt_tokens,
        {{ to_usd_decimal('sum(list_cost_usd)') }} as list_cost_usd,

        ----------  booleans
        is_priced,

        ----------  dates
        usage_date,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month, -- noqa: RF04

        ----------  build metadata
        max(built_at) as requests_built_at,
        '{{ versions.routing_version }}' as routing_version,
        {{ build_started_at() }} as built_at

    from in_scope
    group by
        rule, to_model, max_input_tokens, max_output_tokens, usage_date, provider, model_id, service_tier,
        prompt_tokens_gt, size_class, is_priced

)

select * from final
