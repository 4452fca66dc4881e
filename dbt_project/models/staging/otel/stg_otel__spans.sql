{#-
    OpenTelemetry spans, one row per raw span, with the GenAI semantic-convention attributes read out
    (open-telemetry/semantic-conventions model/gen-ai; provider-apis.md 7.4). Current names first, then the
    deprecated ones older instrumentations still emit: gen_ai.provider.name else gen_ai.system;
    gen_ai.usage.input_tokens else gen_ai.usage.prompt_tokens; gen_ai.usage.output_tokens else
    gen_ai.usage.completion_tokens; gen_ai.usage.cache_read.input_tokens else gen_ai.usage.cache_read_input_tokens
    and gen_ai.usage.cache_write.input_tokens else gen_ai.usage.cache_creation.input_tokens (the earlier name:
    opentelemetry-semantic-conventions 0.66b2 still defines it as GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS) else gen_ai.usage.cache_creation_input_tokens
    (OpenLLMetry, Sentry);
    gen_ai.usage.reasoning.output_tokens else gen_ai.usage.reasoning_tokens (OpenLLMetry);
    openai.response.service_tier else gen_ai.openai.response.service_tier (else the request's tier).
    Team, feature and user come from the attribute keys the dbt vars otel_team_attributes,
    otel_feature_attributes and otel_user_attributes list (dbt_project.yml): every key on the span first, then
    every key on its resource. tags keeps only the keys of otel_tag_attributes (span value over resource value).
-#}

{%- set team_keys = var('otel_team_attributes', ['app.team']) -%}
{%- set feature_keys = var('otel_feature_attributes', ['app.feature']) -%}
{%- set user_keys = var('otel_user_attributes', ['user.id']) -%}
{%- set tag_keys = var('otel_tag_attributes', [
    'service.name', 'service.namespace', 'deployment.environment.name', 'deployment.environment'
]) -%}

with

source as (

    select * from {{ source('otel', 'spans') }}

),

attributes as (

    select
        *,
        {{ json_text('attributes', 'gen_ai.operation.name') }} as operation_name,
        coalesce(
            {{ json_text('attributes', 'gen_ai.provider.name') }},
            {{ json_text('attributes', 'gen_ai.system') }}
        ) as provider_name,
        {{ json_text('attributes', 'gen_ai.request.model') }} as request_model,
        {{ json_text('attributes', 'gen_ai.response.model') }} as response_model,
        {{ json_text('attributes', 'error.type') }} as error_type,
        coalesce(
            {{ json_text('attributes', 'gen_ai.conversation.id') }},
            {{ json_text('attributes', 'session.id') }}
        ) as conversation_id,
        coalesce(
            {{ json_text('attributes', 'openai.response.service_tier') }},
            {{ json_text('attributes', 'gen_ai.openai.response.service_tier') }},
            {{ json_text('attributes', 'openai.request.service_tier') }},
            {{ json_text('attributes', 'gen_ai.openai.request.service_tier') }}
        ) as service_tier_raw,
        try_cast(coalesce(
            {{ json_text('attributes', 'gen_ai.usage.input_tokens') }},
            {{ json_text('attributes', 'gen_ai.usage.prompt_tokens') }}
        ) as bigint) as usage_input_tokens,
        try_cast(coalesce(
            {{ json_text('attributes', 'gen_ai.usage.cache_read.input_tokens') }},
            {{ json_text('attributes', 'gen_ai.usage.cache_read_input_tokens') }}
        ) as bigint) as usage_cache_read_tokens,
        try_cast(coalesce(
            -- the registry's name now (semantic-conventions-genai), and what the official Python instrumentations
            -- emit (opentelemetry-util-genai 1.3b0, _GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, written by
            -- opentelemetry-instrumentation-genai-anthropic 1.3b0: tests/connectors/test_otel_real_instrumentation.py)
            {{ json_text('attributes', 'gen_ai.usage.cache_write.input_tokens') }},
            {{ json_text('attributes', 'gen_ai.usage.cache_creation.input_tokens') }},
            {{ json_text('attributes', 'gen_ai.usage.cache_creation_input_tokens') }}
        ) as bigint) as usage_cache_creation_tokens,
        try_cast(coalesce(
            {{ json_text('attributes', 'gen_ai.usage.output_tokens') }},
            {{ json_text('attributes', 'gen_ai.usage.completion_tokens') }}
        ) as bigint) as usage_output_tokens,
        try_cast(coalesce(
            {{ json_text('attributes', 'gen_ai.usage.reasoning.output_tokens') }},
            {{ json_text('attributes', 'gen_ai.usage.reasoning_tokens') }}
        ) as bigint) as usage_reasoning_tokens,
        coalesce(
            {%- for key in team_keys %}
                {{ json_text('attributes', key) }},
            {%- endfor %}
            {%- for key in team_keys %}
                {{ json_text('resource_attributes', key) }},
            {%- endfor %}
            cast(null as string)
        ) as team,
        coalesce(
            {%- for key in feature_keys %}
                {{ json_text('attributes', key) }},
            {%- endfor %}
            {%- for key in feature_keys %}
                {{ json_text('resource_attributes', key) }},
            {%- endfor %}
            cast(null as string)
        ) as feature,
        coalesce(
            {%- for key in user_keys %}
                {{ json_text('attributes', key) }},
            {%- endfor %}
            {%- for key in user_keys %}
                {{ json_text('resource_attributes', key) }},
            {%- endfor %}
            cast(null as string)
        ) as user_id,
        '{' || concat_ws(
            ',',
            {#- a key listed twice is written once: a JSON object with a repeated name is read differently by each
                reader (DuckDB and Python take the last, others the first or refuse it) -#}
            {%- for key in tag_keys | unique %}
                {{ json_quote("'" ~ key ~ "'") }} || ':' || {{ json_quote(
                    'coalesce(' ~ json_text('attributes', key) ~ ', ' ~ json_text('resource_attributes', key) ~ ')'
                ) }},
            {%- endfor %}
            cast(null as string)
        ) || '}' as tags
    from source

),

renamed as (

    select

        ----------  ids
        trace_id,
        span_id,
        parent_span_id,
        conversation_id,

        ----------  strings
        name as span_name,
        scope_name,
        scope_version,
        operation_name,
        provider_name,
        request_model,
        response_model,
        case
            when lower(service_tier_raw) in ('batch', 'flex', 'priority') then lower(service_tier_raw)
            else 'standard'
        end as service_tier,
        service_tier_raw,
        error_type,
        status_message,
        team,
        feature,
        user_id,
        tags,

        ----------  numerics
        kind as span_kind,
        status_code,
        usage_input_tokens,
        usage_cache_read_tokens,
        usage_cache_creation_tokens,
        usage_output_tokens,
        usage_reasoning_tokens,
        {{ integer_divide('end_time_unix_nano - start_time_unix_nano', '1000000') }} as duration_ms,

        ----------  booleans
        coalesce(
            operation_name in ('chat', 'generate_content', 'text_completion', 'embeddings')
            or (
                operation_name is null
                and provider_name is not null
                and (usage_input_tokens is not null or usage_output_tokens is not null)
            ),
            false
        ) as is_model_call,

        ----------  dates
        {{ request_usage_date() }} as usage_date,

        ----------  timestamps
        start_time as started_at,
        end_time as ended_at,
        _loaded_at as loaded_at

    from attributes

)

select * from renamed
