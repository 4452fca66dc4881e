{#-
    Requests by tag (DESIGN §6): one row per UTC day x tag key x tag value x source x provider x model. A request
    with three tags counts in three rows, so sums across different tag keys overlap; sums within one tag key
    do not. Requests without tags are not here (fct_request_cost_daily has every request).
    A key with more values in a day than the dbt var request_tag_values_per_day (10,000) is an identifier rather
    than a dimension (a trace or request id as a tag): that day keeps its costliest values and sums the rest under
    the value '(other values)', so the roll-up stays a roll-up and the sums stay exact (fct_request_cost keeps
    every request's own tags).
    Incremental like fct_request_cost: only the days it rebuilt are rebuilt here.
-#}

{{ config(**replace_days_config()) }}

{%- set grain = ['usage_date', 'tag_key', 'tag_value', 'source', 'provider', 'model_id'] -%}
{#- a value past the day's costliest request_tag_values_per_day of its key counts under '(other values)' -#}
{%- set kept_value = "case when value_rank <= " ~ var('request_tag_values_per_day', 10000)
    ~ " then tag_value else '(other values)' end" -%}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    {% if is_incremental() -%}
        where {{ request_days_predicate(ref('fct_request_cost'), 'loaded_at', 'last_loaded_at') }}
    {%- endif %}

),

tag_keys as (

    select
        usage_date,
        source,
        provider,
        coalesce(model_id, '(none)') as model_id,
        tags,
        {{ json_object_keys_unnested('tags') }} as tag_key,
        input_tokens + cached_tokens + cache_write_tokens + cache_write_1h_tokens as prompt_tokens,
        output_tokens,
        reported_cost_usd,
        list_cost_usd,
        is_priced,
        loaded_at
    from requests
    where tags is not null and tags <> '{}'

),

tagged as (

    select
        tag_keys.*,
        -- a path that quotes the key, so keys with dots or a leading '$' are read as keys (macro json_key_text)
        {{ json_key_text('tag_keys.tags', 'tag_keys.tag_key') }} as tag_value
    from tag_keys

),

grouped as (

    select
        {{ grain | join(',\n        ') }},
        count(*) as requests,
        cast(sum(case when is_priced then 0 else 1 end) as bigint) as unpriced_requests,
        cast(sum(prompt_tokens) as bigint) as prompt_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        sum(list_cost_usd) as list_cost_usd,
        sum(reported_cost_usd) as reported_cost_usd,
        max(loaded_at) as last_loaded_at
    from tagged
    group by {{ grain | join(', ') }}

),

-- each value's rank within its day and key: costliest first (an unpriced value, whose cost is unknown, after the
-- priced ones), then by requests, then by the value itself, so that every build ranks the same
ranked as (

    select
        *,
        dense_rank() over (
            partition by usage_date, tag_key
            order by value_cost desc nulls last, value_requests desc, tag_value asc nulls last
        ) as value_rank
    from (
        select
            *,
            sum(list_cost_usd) over (partition by usage_date, tag_key, tag_value) as value_cost,
            sum(requests) over (partition by usage_date, tag_key, tag_value) as value_requests
        from grouped
    ) as valued

),

final as (

    select
        usage_date,
        tag_key,
        {{ kept_value }} as tag_value,
        source,
        provider,
        model_id,
        cast(sum(requests) as bigint) as requests,
        cast(sum(unpriced_requests) as bigint) as unpriced_requests,
        cast(sum(prompt_tokens) as bigint) as prompt_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        {{ to_usd_decimal('sum(list_cost_usd)') }} as list_cost_usd,
        {{ to_usd_decimal('sum(reported_cost_usd)') }} as reported_cost_usd,
        max(last_loaded_at) as last_loaded_at,
        '{{ price_book_version() }}' as price_book_version
    from ranked
    group by usage_date, tag_key, {{ kept_value }}, source, provider, model_id

)

select * from final
