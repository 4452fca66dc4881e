{#-
    Requests rolled up for the questions asked most (DESIGN §6): one row per UTC day x source x provider x model
    x team x status. fct_request_cost_daily without feature and user: that grain grows with the users, so at
    10M requests its totals by day, provider, model or team scan nearly as many rows as fct_request_cost; this
    one grows with the teams and models only. Sums are fct_request_cost_daily's, so the two agree exactly
    (tests/marts/assert_request_rollups_sum_to_requests.sql).
    Incremental like fct_request_cost_daily: only the days it rebuilt are rebuilt here.
-#}

{{ config(**replace_days_config()) }}

{%- set grain = ['usage_date', 'source', 'provider', 'model_id', 'team', 'status'] -%}
{#- fct_request_cost_daily's counts, summed again (its money sums come from request_cost_measures, as there) -#}
{%- set counts = [
    'requests', 'unpriced_requests', 'input_tokens', 'cached_tokens', 'cache_write_tokens', 'cache_write_1h_tokens',
    'output_tokens', 'reasoning_tokens', 'latency_ms_total', 'latency_ms_count',
] -%}

with

requests_daily as (

    select * from {{ ref('fct_request_cost_daily') }}
    {% if is_incremental() -%}
        where {{ request_days_predicate(ref('fct_request_cost_daily'), 'last_loaded_at', 'last_loaded_at') }}
    {%- endif %}

),

final as (

    select
        {{ grain | join(',\n        ') }},
        {%- for count in counts %}
            cast(sum({{ count }}) as bigint) as {{ count }},
        {%- endfor %}
        {{ request_cost_measures() }},
        max(last_loaded_at) as last_loaded_at,
        '{{ price_book_version() }}' as price_book_version
    from requests_daily
    group by {{ grain | join(', ') }}

)

select * from final
