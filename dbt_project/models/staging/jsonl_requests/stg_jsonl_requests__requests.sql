with

source as (

    select * from {{ source('jsonl_requests', 'requests') }}

),

renamed as (

    -- the list lambdas' element fields (e.key) read as qualified references
    -- noqa: disable=RF03
    select
        request_id,
        requested_at,
        provider as provider_raw,
        status,
        latency_ms,
        user_id,
        team,
        feature,
        session_id,
        input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        cache_write_1h_tokens,
        output_tokens,
        reasoning_tokens,
        cost_usd,
        _loaded_at as loaded_at,
        {{ request_usage_date() }} as usage_date,
        {{ request_provider('provider') }} as provider,
        regexp_replace(model, '^[^/]+/', '') as model_raw,
        case
            when lower(service_tier) in ('default', 'auto', 'scale', 'standard') then 'standard'
            else lower(service_tier)
        end as service_tier,
        cast(to_json(map_from_entries({{ list_filter_where(
            "map_entries(" ~ json_string_map("coalesce(tags, '{}')") ~ ")",
            'e',
            "not " ~ credential_name('e.key')
        ) }})) as string) as tags
    from source
    -- noqa: enable=RF03

)

select * from renamed
