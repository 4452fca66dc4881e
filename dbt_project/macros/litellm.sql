{#-
    LiteLLM spend logs (LiteLLM_SpendLogs): one staging SQL for both sources that land it, the file exports
    (`litellm`) and the proxy's Postgres (`litellm_postgres`); raw columns in connectors/litellm/tables.py.
-#}

{% macro litellm_spend_logs(source_name) -%}
    {#-
        stg_<source>__spend_logs: one row per raw row, typed and cleaned ('' -> null), with the metadata
        fields the warehouse uses pulled out. The metadata JSON itself does not go on: it carries the hashed
        key (`user_api_key`) and whatever callers put in it; spend_logs_metadata keeps no key-looking entry.
    -#}
with

source as (

    select * from {{ source(source_name, 'spend_logs') }}

),

-- the metadata document parsed once for the values read from it (macro json_fields)
parsed as (

    select
        *,
        {{ json_fields('metadata', [
            ('user_api_key_alias', 'text'),
            ('user_api_key_team_alias', 'text'),
            ('user_api_key_team_id', 'text'),
            ('user_api_key_user_id', 'text'),
            ('status', 'text'),
            ('spend_logs_metadata', 'json'),
            ('usage_object', 'json'),
        ]) }} as metadata_fields
    from source

),

cleaned as (

    select

        ----------  ids
        request_id,
        nullif(api_key, '') as api_key_hash,
        nullif(team_id, '') as team_id,
        nullif(organization_id, '') as organization_id,
        nullif({{ quoted_identifier('user') }}, '') as internal_user_id,
        nullif(end_user, '') as end_user,
        nullif(session_id, '') as session_id,
        nullif(model_id, '') as model_id,

        ----------  strings
        nullif(call_type, '') as call_type,
        nullif(model, '') as model,
        nullif(model_group, '') as model_group,
        nullif(custom_llm_provider, '') as custom_llm_provider,
        nullif(api_base, '') as api_base,
        nullif(status, '') as status,
        nullif(cache_hit, '') as cache_hit,
        nullif({{ json_field('metadata_fields', 'user_api_key_alias') }}, '') as key_alias,
        nullif({{ json_field('metadata_fields', 'user_api_key_team_alias') }}, '') as team_alias,
        nullif({{ json_field('metadata_fields', 'user_api_key_team_id') }}, '') as metadata_team_id,
        nullif({{ json_field('metadata_fields', 'user_api_key_user_id') }}, '') as metadata_user_id,
        nullif({{ json_field('metadata_fields', 'status') }}, '') as metadata_status,

        ----------  json
        case when {{ json_is('request_tags', "'ARRAY'") }} then request_tags end as request_tags,
        case
            when {{ json_field_is('metadata_fields', 'spend_logs_metadata', "'OBJECT'") }}
                then {{ json_field('metadata_fields', 'spend_logs_metadata', 'json') }}
        end as spend_logs_metadata,
        case
            when {{ json_field_is('metadata_fields', 'usage_object', "'OBJECT'") }}
                then {{ json_field('metadata_fields', 'usage_object', 'json') }}
        end as usage_object,

        ----------  numerics
        spend as spend_usd,
        prompt_tokens,
        completion_tokens,
        total_tokens,
        request_duration_ms,

        ----------  timestamps
        starttime as started_at,
        endtime as ended_at,
        completionstarttime as completion_started_at,
        {{ request_usage_date() }} as usage_date,
        _loaded_at as loaded_at

    from parsed

),

final as (

    select
        request_id,
        api_key_hash,
        team_id,
        organization_id,
        internal_user_id,
        end_user,
        session_id,
        model_id,
        call_type,
        model,
        model_group,
        custom_llm_provider,
        api_base,
        status,
        cache_hit,
        key_alias,
        team_alias,
        metadata_team_id,
        metadata_user_id,
        metadata_status,
        request_tags,
        -- entries of spend_logs_metadata whose name looks like it holds a credential (macro credential_name) are
        -- dropped (row by row, with list functions: no join or aggregate, so a filter on usage_date reaches the raw
        -- rows). Only a document whose text could hold such a name is taken apart (macro may_name_a_credential):
        -- taking every document apart was about a tenth of the request lines' time at 10M rows; almost none has one.
        case
            when not {{ may_name_a_credential('spend_logs_metadata') }} then spend_logs_metadata
            when spend_logs_metadata is not null
                then {{ json_without_keys('spend_logs_metadata', 'k', credential_name('k')) }}
        end as spend_logs_metadata,
        usage_object,
        spend_usd,
        prompt_tokens,
        completion_tokens,
        total_tokens,
        request_duration_ms,
        started_at,
        ended_at,
        completion_started_at,
        usage_date,
        loaded_at
    from cleaned

)

select * from final
{%- endmacro %}


{% macro litellm_request_lines(spend_logs_model, source_name) -%}
    {#-
        stg_<source>__request_lines: the conformed request lines (int_requests_unioned.sql) of a spend log.

        Tokens come from metadata.usage_object (litellm's Usage, as logged; the columns prompt_tokens /
        completion_tokens when it is absent) and are made DISJOINT. What litellm's prompt_tokens holds
        (BerriAI/litellm):
        * OpenAI-style providers (OpenAI, Azure, Gemini, ...): the provider's prompt_tokens, which INCLUDES
          prompt_tokens_details.cached_tokens; so input = prompt_tokens - cached_tokens.
        * Anthropic (litellm/llms/anthropic/chat/transformation.py, calculate_usage): litellm builds
          prompt_tokens from Anthropic's disjoint counts and writes cache_read_input_tokens and
          cache_creation_input_tokens at the top level of the usage object. Current litellm adds both to
          prompt_tokens ("prompt_tokens += cache_creation_input_tokens", "prompt_tokens +=
          cache_read_input_tokens") and records Anthropic's own input_tokens as prompt_tokens_details.text_tokens,
          with cache_creation_tokens and cache_creation_token_details (5m / 1h) beside it. From PR #9838
          (April 2025, "don't double count cache creation input tokens") until cache_creation_tokens appeared in
          prompt_tokens_details, prompt_tokens held input + cache reads only (issue #15056 shows such a row:
          prompt_tokens 31, cache_creation_input_tokens 1253).
        So for a usage object with top-level cache_*_input_tokens: input = text_tokens when logged; else
        prompt_tokens - cache reads when prompt_tokens_details has no cache_creation_tokens; else
        prompt_tokens - cache reads - cache writes. Logs older than PR #9838 (before v1.66) counted writes in
        prompt_tokens without saying so: their input is understated by the writes (floored at 0).
        Cache writes split by TTL from cache_creation_token_details.ephemeral_1h_input_tokens (the rest: 5m).
        Output = completion_tokens (reasoning included); reasoning from completion_tokens_details.

        Who: user_id = end_user (the `user` the calling application sent for this request: the most specific
        person), else `user` (the key owner's internal user, metadata.user_api_key_user_id, which for a shared
        service key is the service), else metadata.user_api_key_user_id. team = the key's team alias, else the
        team_id column, else metadata.user_api_key_team_id. Tags = request_tags ('k:v' -> k = v, a bare tag
        -> tag = '') with spend_logs_metadata's entries over them (the caller's explicit k/v wins); feature =
        tag 'feature'. Names that look like credentials are dropped (macro credential_name).
    -#}
with

logs as (

    select * from {{ ref(spend_logs_model) }}

),

-- tag entries {k, p, v}: request_tags ('k:v' -> k = v, a bare tag -> tag = ''; p = 1) less the names that look
-- like credentials, and spend_logs_metadata's entries (p = 2; its credential-looking names are already gone, dropped
-- by stg_litellm__spend_logs with the same macro credential_name), less empty names, sorted by name, then p, then
-- value. Row by row, with list functions (no join or aggregate), so a filter on usage_date reaches the raw rows.
-- The entries are checked one by one only in a row whose text could hold a name to drop: a credential-looking one in
-- the request tags (macro may_name_a_credential) or an empty one, which needs '""' (an empty name, or an empty
-- tag) or '":' (a tag that starts with ':'). Checking every entry of every row took over a third of the entries' time
-- at 10M requests; a row that could hold one is checked as before, at the old cost plus the text tests'.
{%- set entries = list_concat_two(
    "coalesce(" ~ list_map(json_string_list('request_tags'), 't', struct_of([
        ('k', "case when contains(t, ':') then split_part(t, ':', 1) else t end"),
        ('p', '1'),
        ('v', "case when contains(t, ':') then substr(t, instr(t, ':') + 1) else '' end"),
    ])) ~ ", " ~ empty_list() ~ ")",
    "coalesce(" ~ list_map(json_object_entries('spend_logs_metadata'), 'm', struct_of([
        ('k', 'm.key'),
        ('p', '2'),
        ('v', "coalesce(m.value, '')"),
    ])) ~ ", " ~ empty_list() ~ ")"
) %}
tag_entries as (

    select
        *,
        {{ list_sorted(
            "case when " ~ may_name_a_credential('request_tags')
            ~ " or instr(request_tags, '\"\"') > 0 or instr(request_tags, '\":') > 0"
            ~ " or instr(spend_logs_metadata, '\"\"') > 0 then "
            ~ list_filter_where(entries, 'e', "e.k != '' and (e.p = 2 or not " ~ credential_name('e.k') ~ ")")
            ~ " else " ~ entries ~ " end"
        ) }} as entries
    from logs

),

-- each name's winning entry, once, in name order: the last of its run in the sorted entries, so the caller's
-- explicit metadata wins over a request tag, and for a name twice in one of them the largest value. A linear pass
-- (macro list_last_of_runs): comparing every entry with every other one took a third of the tags' time.
tagged as (

    select
        *,
        {{ json_object_of(list_last_of_runs('entries', 'k'), 'e', 'e.k', 'e.v') }} as tags
    from tag_entries

),

-- the usage object parsed once for the token counts read from it (macro json_fields)
usage_parsed as (

    select
        *,
        {{ json_fields('usage_object', [
            ('prompt_tokens', 'text'),
            ('completion_tokens', 'text'),
            ('cache_read_input_tokens', 'text'),
            ('cache_creation_input_tokens', 'text'),
            (['prompt_tokens_details', 'cached_tokens'], 'text'),
            (['prompt_tokens_details', 'cache_creation_tokens'], 'text'),
            (['prompt_tokens_details', 'cache_creation_token_details', 'ephemeral_1h_input_tokens'], 'text'),
            (['prompt_tokens_details', 'text_tokens'], 'text'),
            (['completion_tokens_details', 'reasoning_tokens'], 'text'),
        ]) }} as usage_fields
    from tagged

),

usage as (

    select
        usage_parsed.*,
        usage_object is not null
        and (
            {{ json_has_key('usage_object', 'cache_read_input_tokens') }}
            or {{ json_has_key('usage_object', 'cache_creation_input_tokens') }}
        ) as anthropic_style,
        coalesce(cast({{ json_field('usage_fields', 'prompt_tokens') }} as bigint), prompt_tokens, 0)
            as usage_prompt_tokens,
        coalesce(cast({{ json_field('usage_fields', 'completion_tokens') }} as bigint), completion_tokens, 0)
            as usage_completion_tokens,
        coalesce(
            cast({{ json_field('usage_fields', 'cache_read_input_tokens') }} as bigint),
            cast({{ json_field('usage_fields', ['prompt_tokens_details', 'cached_tokens']) }} as bigint),
            0
        ) as cache_read,
        coalesce(
            cast({{ json_field('usage_fields', 'cache_creation_input_tokens') }} as bigint),
            cast({{ json_field('usage_fields', ['prompt_tokens_details', 'cache_creation_tokens']) }} as bigint),
            0
        ) as cache_write_all,
        coalesce(
            cast(
                {{ json_field(
                    'usage_fields',
                    ['prompt_tokens_details', 'cache_creation_token_details', 'ephemeral_1h_input_tokens']
                ) }}
                as bigint
            ),
            0
        ) as cache_write_1h,
        cast({{ json_field('usage_fields', ['prompt_tokens_details', 'text_tokens']) }} as bigint) as text_tokens,
        ({{ json_field('usage_fields', ['prompt_tokens_details', 'cache_creation_tokens']) }}) is not null
            as writes_in_details,
        coalesce(cast({{ json_field('usage_fields', ['completion_tokens_details', 'reasoning_tokens']) }} as bigint), 0)
            as reasoning
    from usage_parsed

),

final as (

    select
        request_id,
        '{{ source_name }}' as source,
        started_at as requested_at,
        usage_date,
        {{ request_provider(
            "coalesce(custom_llm_provider, case when contains(model, '/') then split_part(model, '/', 1) end)"
        ) }} as provider,
        case
            when
                contains(model, '/')
                and lower(split_part(model, '/', 1)) = lower(coalesce(custom_llm_provider, split_part(model, '/', 1)))
                then substr(model, instr(model, '/') + 1)
            else coalesce(model, model_group)
        end as model_raw,
        'standard' as service_tier,
        case when lower(coalesce(status, metadata_status, '')) = 'failure' then 'error' else 'success' end as status,
        coalesce(
            cast(request_duration_ms as bigint), {{ milliseconds_between('started_at', 'ended_at') }}
        ) as latency_ms,
        coalesce(end_user, internal_user_id, metadata_user_id) as user_id,
        coalesce(team_alias, team_id, metadata_team_id) as team,
        {{ json_text('tags', 'feature') }} as feature,
        coalesce(key_alias, api_key_hash) as api_key_alias,
        session_id,
        tags,
        greatest(
            case
                when anthropic_style and text_tokens is not null then text_tokens
                when anthropic_style and not writes_in_details then usage_prompt_tokens - cache_read
                else usage_prompt_tokens - cache_read - cache_write_all
            end,
            0
        ) as input_tokens,
        cache_read as cache_read_tokens,
        cache_write_all - cache_write_1h as cache_write_tokens,
        cache_write_1h as cache_write_1h_tokens,
        usage_completion_tokens as output_tokens,
        reasoning as reasoning_tokens,
        cast(spend_usd as decimal(38, 10)) as reported_cost_usd,
        loaded_at
    from usage

)

select * from final
{%- endmacro %}


{% macro from_first_window_day(counters) -%}
    {#-
        The WHERE predicate of mart_gateway_budget_audit's request logs: usage_date on or after the UTC day of the
        earliest window_start of LiteLLM's budget counters (`counters`, stg_litellm_postgres__budget_counters),
        or `false` when no counter has a window. The day is looked up when the model runs (a few rows) and written
        in as a constant, so that it reaches the raw spend logs' scan; a unit test, whose inputs are CTEs of its
        own query, gets the same predicate as a subquery.
    -#}
    {%- set earliest = 'select cast(min(window_start) as date) from ' ~ counters -%}
    {%- if not execute -%}
        {{ return('false') }}
    {%- elif model.resource_type == 'unit_test' -%}
        {{ return('usage_date >= (' ~ earliest ~ ')') }}
    {%- endif -%}
    {%- set day = run_query(earliest).columns[0].values()[0] -%}
    {{ return("usage_date >= date '" ~ day ~ "'" if day else 'false') }}
{%- endmacro %}
