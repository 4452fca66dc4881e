{#-
    Langfuse generations, one row per raw row, with the request-line meanings worked out (see
    _langfuse__models.yml for every rule and where it comes from).
-#}

with

source as (

    select * from {{ source('langfuse', 'generations') }}

),

parsed as (

    select
        *,

        ----------  the model as logged, and a routing prefix ('openai/gpt-4o') if any
        case
            when instr(provided_model_name, '/') > 0
                then substr(provided_model_name, instr(provided_model_name, '/') + 1)
            else provided_model_name
        end as model_name,
        case
            when instr(provided_model_name, '/') > 0 then split_part(provided_model_name, '/', 1)
        end as model_prefix,

        ----------  who and what: metadata keys
        nullif({{ json_text('metadata', 'team') }}, '') as metadata_team,
        nullif({{ json_text('metadata', 'feature') }}, '') as metadata_feature,
        nullif(coalesce(
            {{ json_text('metadata', 'provider') }},
            {{ json_text('metadata', 'ls_provider') }},
            {{ json_text('metadata', ['attributes', 'gen_ai.provider.name']) }},
            {{ json_text('metadata', ['attributes', 'gen_ai.system']) }}
        ), '') as metadata_provider,
        nullif(split_part({{ json_text('model_parameters', 'system') }}, '.', 1), '') as parameters_provider,
        lower({{ json_text('model_parameters', 'service_tier') }}) as parameters_service_tier,
        {{ json_string_list('tags') }} as tag_list,

        ----------  usageDetails keys (disjoint as Langfuse stores them)
        cast({{ json_text('usage_details', 'input') }} as bigint) as usage_input,
        cast({{ json_text('usage_details', 'input_audio_tokens') }} as bigint) as usage_input_audio,
        cast(coalesce(
            {{ json_text('usage_details', 'input_cached_tokens') }},
            {{ json_text('usage_details', 'input_cache_read') }},
            {{ json_text('usage_details', 'cache_read_input_tokens') }}
        ) as bigint) as usage_cache_read,
        cast(coalesce(
            {{ json_text('usage_details', 'input_cache_creation_5m') }},
            {{ json_text('usage_details', 'cache_creation_ephemeral_5m_input_tokens') }}
        ) as bigint) as usage_cache_write_5m,
        cast(coalesce(
            {{ json_text('usage_details', 'input_cache_creation_1h') }},
            {{ json_text('usage_details', 'cache_creation_ephemeral_1h_input_tokens') }}
        ) as bigint) as usage_cache_write_1h,
        cast(coalesce(
            {{ json_text('usage_details', 'input_cache_creation') }},
            {{ json_text('usage_details', 'input_cache_write') }},
            {{ json_text('usage_details', 'cache_write_tokens') }}
        ) as bigint) as usage_cache_write_rest,
        cast({{ json_text('usage_details', 'cache_creation_input_tokens') }} as bigint) as usage_cache_write_all,
        cast({{ json_text('usage_details', 'output') }} as bigint) as usage_output,
        cast(coalesce(
            {{ json_text('usage_details', 'output_reasoning_tokens') }},
            {{ json_text('usage_details', 'output_reasoning') }},
            {{ json_text('usage_details', 'reasoning_tokens') }}
        ) as bigint) as usage_reasoning,
        cast({{ json_text('usage_details', 'output_audio_tokens') }} as bigint) as usage_output_audio,
        cast({{ json_text('usage_details', 'output_accepted_prediction_tokens') }} as bigint)
            as usage_output_accepted_prediction,
        cast({{ json_text('usage_details', 'output_rejected_prediction_tokens') }} as bigint)
            as usage_output_rejected_prediction

    from source

),

tagged as (

    -- tags 'k:v' -> {"k": "v"}, a bare tag -> {"x": ""}, a name that looks like it holds a credential dropped
    -- (macro credential_name); for a key given twice the largest value (row by row,
    -- with list functions: no correlated subquery, so a filter on the day reaches the raw rows)
    -- noqa: disable=RF03
    select
        *,
        cast(to_json(map_from_entries({{ list_filter_where(
            list_distinct_sorted('tag_entries'),
            'e',
            list_size(list_filter_where('tag_entries', 'other', 'other.k = e.k and other.v > e.v')) ~ ' = 0'
            ~ ' and not ' ~ credential_name('e.k')
        ) }})) as string) as tags_object
    from (
        select
            *,
            coalesce({{ list_map('tag_list', 'tag', struct_of([
                ('k', "case when instr(tag, ':') > 0 then left(tag, instr(tag, ':') - 1) else tag end"),
                ('v', "case when instr(tag, ':') > 0 then substr(tag, instr(tag, ':') + 1) else '' end"),
            ])) }}, {{ empty_list() }}) as tag_entries
        from parsed
    ) as listed
    -- noqa: enable=RF03

),

renamed as (

    select

        ----------  ids
        id as generation_id,
        trace_id,
        parent_observation_id,
        project_id,
        session_id,
        user_id,

        ----------  strings
        name as generation_name,
        trace_name,
        environment,
        level,
        status_message,
        provided_model_name,
        model_name as model_raw,
        {{ request_provider("coalesce(
            metadata_provider,
            parameters_provider,
            model_prefix,
            case
                when " ~ regex_search(
                    'lower(model_name)', "'^(gpt-|chatgpt-|text-embedding-|o[134]($|-))'"
                ) ~ " then 'openai'
                when lower(model_name) like 'claude-%' then 'anthropic'
                when lower(model_name) like 'gemini-%' then 'google'
            end,
            'unknown'
        )") }} as provider,
        case
            when parameters_service_tier in ('batch', 'flex', 'priority') then parameters_service_tier
            else 'standard'
        end as service_tier,
        case when level = 'ERROR' then 'error' else 'success' end as status,
        coalesce(metadata_team, {{ json_text('tags_object', 'team') }}) as team,
        coalesce(metadata_feature, {{ json_text('tags_object', 'feature') }}) as feature,
        tags_object as tags,

        ----------  numerics
        coalesce(
            cast(round(latency_seconds * 1000) as bigint),
            {{ milliseconds_between('start_time', 'end_time') }}
        ) as latency_ms,
        coalesce(usage_input, 0) + coalesce(usage_input_audio, 0) as input_tokens,
        coalesce(usage_cache_read, 0) as cache_read_tokens,
        coalesce(usage_cache_write_5m, 0) + coalesce(
            usage_cache_write_rest,
            case when usage_cache_write_5m is null and usage_cache_write_1h is null then usage_cache_write_all end,
            0
        ) as cache_write_tokens,
        coalesce(usage_cache_write_1h, 0) as cache_write_1h_tokens,
        coalesce(usage_output, 0)
        + coalesce(usage_reasoning, 0)
        + coalesce(usage_output_audio, 0)
        + coalesce(usage_output_accepted_prediction, 0)
        + coalesce(usage_output_rejected_prediction, 0) as output_tokens,
        coalesce(usage_reasoning, 0) as reasoning_tokens,
        cast(total_cost as decimal(38, 10)) as reported_cost_usd,
        prompt_name,
        prompt_version,

        ----------  json
        usage_details,
        cost_details,

        ----------  timestamps
        start_time as requested_at,
        {{ request_usage_date() }} as usage_date,
        end_time,
        completion_start_time,
        _loaded_at as loaded_at

    from tagged

)

select * from renamed
