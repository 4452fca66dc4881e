{#-
    Helicone requests, one row per raw row. Token buckets are already disjoint as Helicone stores them (see
    connectors/helicone/tables.py for the source lines). Properties: keys `team` and `feature` (any case) give
    team and feature; properties whose key looks like it holds a credential (macro credential_name) are dropped; the
    rest are tags.
-#}

with

source as (

    select * from {{ source('helicone', 'requests') }}

),

entries as (

    select
        *,
        map_entries({{ json_string_map("coalesce(request_properties, '{}')") }}) as property_entries
    from source

),

renamed as (

    -- the list lambdas' element fields (e.key) read as qualified references
    -- noqa: disable=RF03
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
        {{ request_usage_date() }} as usage_date,
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
        {{ list_first(list_filter_where('property_entries', 'e', "lower(e.key) = 'team'")) }}.value as team,
        {{ list_first(list_filter_where('property_entries', 'e', "lower(e.key) = 'feature'")) }}.value as feature,
        {{ list_first(list_filter_where('property_entries', 'e', "lower(e.key) = 'helicone-session-id'")) }}.value
            as session_id,
        -- team, feature and the session id have their own columns (a session id as a tag would make one
        -- tag value per session in the tag roll-up)
        cast(to_json(map_from_entries({{ list_filter_where(
            'property_entries',
            'e',
            "lower(e.key) not in ('team', 'feature', 'helicone-session-id') and not " ~ credential_name('e.key')
        ) }})) as string) as tags
    from entries
    -- noqa: enable=RF03

)

select * from renamed
