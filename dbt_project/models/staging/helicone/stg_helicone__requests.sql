{#-
    Helicone requests, one row per raw row. Token buckets are already disjoint as Helicone stores them (see
    connectors/helicone/tables.py for the source lines). Properties: keys `team` and `feature` (any case) give
    team and feature; key-looking properties (api key, authorization, secret, password, token) are dropped; the
    rest are tags.
-#}

with

source as (

    select * from {{ source('helicone', 'requests') }}

),

entries as (

    select
        *,
        map_entries(
            cast(cast(coalesce(request_properties, '{}') as json) as map (string, string))
        ) as property_entries
    from source

),

renamed as (

    select
        request_id,
        request_created_at as requested_at,
        provider as provider_raw,
        response_status,
        delay_ms as latency_ms,
        prompt_tokens,
        prompt_cache_read_tokens,
        prompt_cache_write_tokens,
        completion_tokens,
        reasoning_tokens,
        prompt_audio_tokens,
        completion_audio_tokens,
        cost,
        cost_usd,
        _loaded_at as loaded_at,
        cast(request_created_at as date) as usage_date,
        {{ request_provider('provider') }} as provider,
        regexp_replace(
            coalesce(
                nullif(model_override, ''),
                nullif(model, ''),
                nullif(response_model, ''),
                nullif(request_model, ''),
                '(none)'
            ),
            '^[^/]+/',
            ''
        ) as model_raw,
        case when response_status between 200 and 299 then 'success' else 'error' end as status,
        coalesce(nullif(request_user_id, ''), nullif(helicone_user, '')) as user_id,
        struct_extract(
            list_filter(property_entries, lambda e: lower(struct_extract(e, 'key')) = 'team')[1], 'value'
        ) as team,
        struct_extract(
            list_filter(property_entries, lambda e: lower(struct_extract(e, 'key')) = 'feature')[1], 'value'
        ) as feature,
        struct_extract(
            list_filter(property_entries, lambda e: lower(struct_extract(e, 'key')) = 'helicone-session-id')[1],
            'value'
        ) as session_id,
        cast(to_json(map_from_entries(list_filter(
            property_entries,
            -- team, feature and the session id have their own columns (a session id as a tag would make one
            -- tag value per session in the tag roll-up)
            lambda e: lower(struct_extract(e, 'key')) not in ('team', 'feature', 'helicone-session-id')
            and not regexp_matches(
                lower(struct_extract(e, 'key')), 'api[-_]?key|authorization|secret|password|token|bearer'
            )
        ))) as string) as tags
    from entries

)

select * from renamed
