-- One provider's usage of a day comes from one source: two sources that both report a provider's tokens (a
-- usage API and a billing export of the same provider, say) would count them twice in fct_usage_cost_daily.
-- Fails with the provider, the day and the conformed models that both report it.
{%- set models = var('finops_conformed', {}).get('usage_lines', []) %}

with

reported as (

    {%- for model in models %}
        select distinct
            provider,
            usage_date,
            '{{ model }}' as model_name
        from {{ ref(model) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
    {%- if models | length == 0 %}
        select
            cast(null as string) as provider,
            cast(null as date) as usage_date,
            cast(null as string) as model_name
        where 1 = 0
    {%- endif %}

),

doubled as (

    select
        provider,
        usage_date,
        {{ sorted_string_agg('model_name', "', '") }} as models
    from reported
    group by provider, usage_date
    having count(distinct model_name) > 1

)

select * from doubled
