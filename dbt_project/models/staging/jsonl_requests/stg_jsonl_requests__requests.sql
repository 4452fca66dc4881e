with

source as (

    select * from {{ source('jsonl_requests', 'requests') }}

),

renamed as (

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
        cast(requested_at as date) as usage_date,
        {{ request_provider('provider') }} as provider,
        regexp_replace(model, '^[^/]+/', '') as model_raw,
        case
            when lower(service_tier) in ('default', 'auto', 'scale', 'standard') then 'standard'
            else lower(service_tier)
        end as service_tier,
        cast(to_json(map_from_entries(list_filter(
            map_entries(cast(cast(coalesce(tags, '{}') as json) as map (string, string))),
            lambda e: not regexp_matches(
                lower(struct_extract(e, 'key')), 'api[-_]?key|authorization|secret|password|token|bearer'
            )
        ))) as string) as tags
    from source

)

select * from renamed
