{#-
    Requests pre-aggregated for the app (DESIGN §6): one row per UTC day x source x provider x model x team x
    feature x user x status. A request with no team / feature / user counts under '(none)'. list_cost_usd sums
    the priced requests; unpriced_requests counts the others, whose cost is unknown (never counted as $0):
    a group of only unpriced requests has list_cost_usd NULL. Tags are rolled up apart, in
    fct_request_tag_cost_daily, so this grain stays small.
    Incremental like fct_request_cost: only the days it rebuilt are rebuilt here.
-#}

{{ config(**replace_days_config()) }}

{%- set grain = ['usage_date', 'source', 'provider', 'model_id', 'team', 'feature', 'user_id', 'status'] -%}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    {% if is_incremental() -%}
        where {{ request_days_predicate(ref('fct_request_cost'), 'loaded_at', 'last_loaded_at') }}
    {%- endif %}

),

labelled as (

    select
        usage_date,
        source,
        provider,
        coalesce(model_id, '(none)') as model_id,
        coalesce(team, '(none)') as team,
        coalesce(feature, '(none)') as feature,
        coalesce(user_id, '(none)') as user_id,
        status,
        input_tokens,
        cached_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        latency_ms,
        reported_cost_usd,
        list_cost_usd,
        is_priced,
        loaded_at
    from requests

),

final as (

    select
        {{ grain | join(',\n        ') }},
        {{ request_count_measures() }},
        cast(sum(reasoning_tokens) as bigint) as reasoning_tokens,
        cast(sum(latency_ms) as bigint) as latency_ms_total,
        count(latency_ms) as latency_ms_count,
        {{ request_cost_measures() }},
        max(loaded_at) as last_loaded_at,
        '{{ price_book_version() }}' as price_book_version,
        -- when the build that wrote the row started: one value for all the days a build replaces
        {{ build_started_at() }} as built_at
    from labelled
    group by {{ grain | join(', ') }}

)

select * from final
