{#-
    Requests by tag (DESIGN §6): one row per UTC day x tag key x tag value x source x provider x model. A request
    with three tags counts in three rows, so sums across different tag keys overlap; sums within one tag key
    do not. Requests without tags are not here (fct_request_cost_daily has every request).
    Incremental like fct_request_cost: only the days it rebuilt are rebuilt here.
-#}

{{ config(**replace_days_config()) }}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    {% if is_incremental() -%}
        where {{ request_days_predicate(ref('fct_request_cost'), 'loaded_at', 'last_loaded_at') }}
    {%- endif %}

),

-- the requests summed by their whole tags object first: many requests share one (at 10M generated requests, 3.4M
-- rows here), so each object is taken apart once per distinct object below, not once per request
by_tags as (

    select
        usage_date,
        source,
        provider,
        coalesce(model_id, '(none)') as model_id,
        tags,
        count(*) as requests,
        sum(case when is_priced then 0 else 1 end) as unpriced_requests,
        sum(input_tokens + cached_tokens + cache_write_tokens + cache_write_1h_tokens) as prompt_tokens,
        sum(output_tokens) as output_tokens,
        sum(list_cost_usd) as list_cost_usd,
        sum(reported_cost_usd) as reported_cost_usd,
        max(loaded_at) as last_loaded_at
    from requests
    where tags is not null and tags <> '{}'
    group by usage_date, source, provider, coalesce(model_id, '(none)'), tags

),

-- each distinct tags object's entries, the object parsed once (macro json_object_entries); a value as json_key_text
-- reads it. An object with a key twice (no source writes one) gives the rows that reading it key by key gave:
-- json_object_entries falls back to that.
tag_entries as (

    select
        tags,
        {{ json_object_entries_unnested('tags') }} as tag
    from (select distinct tags from by_tags) as tag_objects

),

tagged as (

    select
        by_tags.*,
        tag_entries.tag.key as tag_key,
        tag_entries.tag.value as tag_value
    from by_tags
    inner join tag_entries
        on by_tags.tags = tag_entries.tags

),

final as (

    select
        usage_date,
        tag_key,
        tag_value,
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
    from tagged
    group by usage_date, tag_key, tag_value, source, provider, model_id

)

select * from final
