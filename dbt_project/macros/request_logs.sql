{#- The request-log vocabulary shared by every request-log source's staging folder. -#}

{% macro request_line_columns() -%}
    {#- The conformed request_lines columns, (name, SQL type), in order: see int_requests_unioned.sql. -#}
    {{ return([
        ('request_id', 'string'),
        ('source', 'string'),
        ('requested_at', 'timestamp'),
        ('usage_date', 'date'),
        ('provider', 'string'),
        ('model_raw', 'string'),
        ('service_tier', 'string'),
        ('status', 'string'),
        ('latency_ms', 'bigint'),
        ('user_id', 'string'),
        ('team', 'string'),
        ('feature', 'string'),
        ('api_key_alias', 'string'),
        ('session_id', 'string'),
        ('tags', 'string'),
        ('input_tokens', 'bigint'),
        ('cache_read_tokens', 'bigint'),
        ('cache_write_tokens', 'bigint'),
        ('cache_write_1h_tokens', 'bigint'),
        ('output_tokens', 'bigint'),
        ('reasoning_tokens', 'bigint'),
        ('reported_cost_usd', 'decimal(38, 10)'),
        ('loaded_at', 'timestamp'),
    ]) }}
{%- endmacro %}


{% macro request_provider(expression) -%}
    {#-
        A provider name as gateways and SDKs spell it (LiteLLM custom_llm_provider, OTel gen_ai.provider.name
        and the older gen_ai.system, Helicone provider, ...) in the price book's vocabulary: openai, anthropic,
        google, bedrock, azure, mistral, cohere, deepseek, xai, ...; other names lower-cased as they are.
    -#}
    case
        when lower({{ expression }}) in ('openai', 'text-completion-openai', 'openai_compatible') then 'openai'
        when lower({{ expression }}) in ('anthropic', 'anthropic_text') then 'anthropic'
        when lower({{ expression }}) in (
            'google', 'gemini', 'gcp.gemini', 'gcp.vertex_ai', 'gcp.gen_ai', 'vertex_ai', 'vertex_ai_beta',
            'vertex_ai-language-models', 'vertexai', 'google_ai_studio'
        ) then 'google'
        when lower({{ expression }}) in ('bedrock', 'aws.bedrock', 'bedrock_converse', 'aws_bedrock') then 'bedrock'
        when lower({{ expression }}) in ('azure', 'azure_ai', 'azure.ai.openai', 'azure.ai.inference', 'azure_openai')
            then 'azure'
        when lower({{ expression }}) in ('mistral', 'mistral_ai', 'mistralai') then 'mistral'
        when lower({{ expression }}) in ('cohere', 'cohere_chat') then 'cohere'
        when lower({{ expression }}) in ('xai', 'x_ai', 'x-ai') then 'xai'
        when lower({{ expression }}) in ('deepseek', 'deepseek_ai') then 'deepseek'
        else lower({{ expression }})
    end
{%- endmacro %}


{% macro request_token_buckets(relation, columns) -%}
    {#-
        One row per row of `relation` x nonzero token bucket (input_tokens, cache_read_tokens,
        cache_write_tokens, cache_write_1h_tokens, output_tokens: the usage types they are priced as), with
        `columns` carried, the bucket's name as usage_type and its tokens as quantity. A SELECT for a CTE body.
        One read of `relation` (a join with the bucket names), not a union of one read per bucket: Spark copies
        a CTE into each place that reads it, and the copies multiply through the price lookup after this.
    -#}
    {%- set quantity -%}
        case buckets.usage_type
            {%- for bucket in request_bucket_types() %}
            when '{{ bucket }}' then {{ relation }}.{{ bucket }}
            {%- endfor %}
        end
    {%- endset %}
    select
        {%- for column in columns %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        buckets.usage_type,
        {{ quantity }} as quantity
    from {{ relation }}
    cross join ({{ literal_rows('usage_type', request_bucket_types()) }}) as buckets
    where {{ quantity }} > 0
{%- endmacro %}


{% macro request_bucket_types() -%}
    {#- The token buckets of a request line, each named as the usage type it is priced as. -#}
    {{ return(['input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'output_tokens']) }}
{%- endmacro %}


{% macro price_book_version() -%}
    {#- The fingerprint of the price book this build prices with (orchestration passes it; see
        orchestration.defs.transform.project.price_book_version). -#}
    {{ return(var('finops_price_book_version', 'unversioned')) }}
{%- endmacro %}


{% macro request_days_to_build(upstream, upstream_loaded_at, own_loaded_at) -%}
    {#-
        For an incremental request mart (materialized incremental, delete+insert by usage_date): a SELECT of
        the UTC days to (re)build - the days with rows of `upstream` landed after the newest row this table
        holds (new files, a re-pulled day), and the days this table built with another price book (a price
        change reprices history). Every other day is left as it is.
    -#}
    select distinct usage_date
    from {{ upstream }}
    where {{ upstream_loaded_at }} > (
        select coalesce(max({{ own_loaded_at }}), cast('1900-01-01' as timestamp)) from {{ this }}
    )
    union
    select distinct usage_date
    from {{ this }}
    where price_book_version <> '{{ price_book_version() }}'
{%- endmacro %}


{% macro request_days_predicate(upstream, upstream_loaded_at, own_loaded_at) -%}
    {#-
        The WHERE predicate of an incremental request mart: the days of request_days_to_build as date
        literals with their bounding range (macro days_in_range), or `false` when there is nothing to build. The days are
        looked up when the model runs and written in as constants, because the optimizer pushes a constant
        list down through the request views (each source's parsing and the dedupe, keyed by usage_date) to the
        raw rows of those days only; an IN (subquery) is a join it cannot push, so every raw row of every day
        would be parsed to keep one day's. The list comes with its bounding range (macro days_in_range).
    -#}
    {%- if execute -%}
        {%- set days = run_query(request_days_to_build(upstream, upstream_loaded_at, own_loaded_at)).columns[0].values() -%}
        {%- if days | length == 0 -%}
            false
        {%- else -%}
            {{ days_in_range('usage_date', days | sort) }}
        {%- endif -%}
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{% macro build_started_at() -%}
    {#-
        When this dbt invocation started (UTC) as a timestamp: the built_at of every row an incremental request mart
        writes, the same for all the days one build replaces, so that a test can find them (macro
        latest_build_split). dbt's run_started_at, one value per invocation.
    -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}


{% macro latest_build_split(relation, built_at='built_at', day_column='usage_date') -%}
    {#-
        A pair: the days (sorted) of the rows of `relation` its latest build wrote (the rows with its newest
        `built_at`), and whether any row is older than that build (false after a full build, and for an empty
        table). For an incremental table that replaces whole days, the days are those the latest build replaced,
        every day after a full build; rows of the other days are unchanged since the build that wrote and tested
        them. One read of the two columns, when called (empty and false at parse time).
    -#}
    {%- if not execute -%}
        {{ return([[], false]) }}
    {%- endif -%}
    {%- set days_sql -%}
        select
            rows_.{{ day_column }},
            bool_or(rows_.{{ built_at }} = latest.built_at) as has_latest,
            bool_and(rows_.{{ built_at }} = latest.built_at) as all_latest
        from {{ relation }} as rows_
        cross join (select max({{ built_at }}) as built_at from {{ relation }}) as latest
        group by rows_.{{ day_column }}
    {%- endset -%}
    {%- set table = run_query(days_sql) -%}
    {%- set days = [] -%}
    {%- set older = [] -%}
    {%- for row in table.rows -%}
        {%- if row[1] -%}
            {%- do days.append(row[0]) -%}
        {%- endif -%}
        {%- if not row[2] -%}
            {%- do older.append(row[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return([days | sort, older | length > 0]) }}
{%- endmacro %}


{% macro days_rebuilt_upstream(upstream, own_watermark, versions={}) -%}
    {#-
        For a table derived from an incremental request mart (`upstream`, whose rows carry built_at: macro
        build_started_at) that replaces whole days: the WHERE predicate of the days to (re)build (macro
        days_in_range), or `false` when there is none. Those are the days `upstream` rebuilt after the newest build
        this table read (`own_watermark`: the upstream built_at this table keeps); and every day (`true`) when one
        of `versions` (column -> the value this build writes) differs from what a row holds: an input other than
        `upstream` changed (a configuration's fingerprint), which can move rows to days this table has none for.
        Looked up when the model runs.
    -#}
    {%- if not execute -%}
        {{ return('false') }}
    {%- endif -%}
    {%- if versions -%}
        {%- set stale_sql -%}
            select count(*) from {{ this }}
            where {% for column, value in versions.items() %}{{ column }} <> '{{ value }}'{{ ' or ' if not loop.last }}{% endfor %}
        {%- endset -%}
        {%- if run_query(stale_sql).columns[0].values()[0] > 0 -%}
            {{ return('true') }}
        {%- endif -%}
    {%- endif -%}
    {%- set days_sql -%}
        select distinct usage_date
        from {{ upstream }}
        where built_at > (
            select coalesce(max({{ own_watermark }}), cast('1900-01-01' as timestamp)) from {{ this }}
        )
    {%- endset -%}
    {%- set days = run_query(days_sql).columns[0].values() | sort -%}
    {{ return(days_in_range('usage_date', days) if days else 'false') }}
{%- endmacro %}


{% macro relations_fingerprint(relations) -%}
    {#-
        An md5 of the content of small `relations` (configuration tables: every row, whatever its order), for a
        versions column of macro days_rebuilt_upstream: a change in any of them gives another value. Read when
        called; '' at parse time, and 'unit-test' in a unit test.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if model.resource_type == 'unit_test' -%}
        {#- a unit test's inputs are CTEs of its own query, not relations that run_query can read -#}
        {{ return('unit-test') }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for relation in relations -%}
        {%- set table = run_query('select * from ' ~ relation) -%}
        {%- set rows = [] -%}
        {%- for row in table.rows -%}
            {%- do rows.append(row.values() | map('string') | join('|')) -%}
        {%- endfor -%}
        {%- do parts.append((table.column_names | join(',')) ~ '\n' ~ (rows | sort | join('\n'))) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n\n'))) }}
{%- endmacro %}


{% macro whatif_routing_versions() -%}
    {#- The versions (macro days_rebuilt_upstream) of int_whatif_routing_daily, for its body and its pre-hook alike:
        the fingerprint of the routing rules. -#}
    {{ return({'routing_version': relations_fingerprint([ref('stg_config__whatif_routing')])}) }}
{%- endmacro %}


{% macro request_count_measures(is_priced='is_priced') -%}
    {#-
        The request and token sums of a request mart's GROUP BY (fct_request_cost_daily,
        mart_request_cost_local_daily): requests, unpriced_requests, then the five token buckets. One list, so
        the marts that aggregate requests at different grains cannot disagree on what they sum.
    -#}
    count(*) as requests,
        cast(sum(case when {{ is_priced }} then 0 else 1 end) as bigint) as unpriced_requests,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(cached_tokens) as bigint) as cached_tokens,
        cast(sum(cache_write_tokens) as bigint) as cache_write_tokens,
        cast(sum(cache_write_1h_tokens) as bigint) as cache_write_1h_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens
{%- endmacro %}


{% macro request_cost_measures() -%}
    {#- The money sums of a request mart: list cost of the priced requests (NULL when a group has only
        unpriced ones, never $0) and the cost the log itself reported. -#}
    {{ to_usd_decimal('sum(list_cost_usd)') }} as list_cost_usd,
        {{ to_usd_decimal('sum(reported_cost_usd)') }} as reported_cost_usd
{%- endmacro %}


{% macro local_days_predicates(upstream, reporting) -%}
    {#-
        For mart_request_cost_local_daily (incremental, delete+insert by local_date): the local dates to
        (re)build and the UTC days of `upstream` (fct_request_cost) to read for them, as a pair of WHERE
        predicates {'upstream': 'usage_date in (...)', 'local': 'local_date in (...)'}, or 'false' for both
        when nothing changed. Written in as constants, like request_days_predicate, so they push down.

        A request's local date is within one day of its UTC day (offsets run from -12h to +14h). So a UTC day
        re-landed upstream since this table's watermark touches its own date and the dates either side, and
        rebuilding a local date reads the UTC days either side of it. Also rebuilt: every local date built
        with another price book; and every date when the reporting time zone changed or the table was built
        by an earlier version without the watermark columns (a full rebuild).
    -#}
    {%- set nothing = {'upstream': 'false', 'local': 'false'} -%}
    {%- if not execute -%}
        {{ return(nothing) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if 'last_loaded_at' not in columns or 'price_book_version' not in columns -%}
        {#- built whole by an earlier version, without the watermark: rebuild every date once -#}
        {{ return({'upstream': 'true', 'local': 'true'}) }}
    {%- endif -%}
    {%- set time_zone = '(select time_zone from ' ~ reporting ~ ')' -%}
    {%- set tz_changed = run_query(
        'select count(*) from ' ~ this ~ ' where reporting_tz <> ' ~ time_zone
    ).columns[0].values()[0] > 0 -%}
    {%- if tz_changed -%}
        {{ return({'upstream': 'true', 'local': 'true'}) }}
    {%- endif -%}
    {%- set utc_days = run_query(
        'select distinct usage_date from ' ~ upstream ~ ' where loaded_at > (select coalesce(max(last_loaded_at), '
        ~ "cast('1900-01-01' as timestamp)) from " ~ this ~ ')'
    ).columns[0].values() -%}
    {%- set repriced = run_query(
        'select distinct local_date from ' ~ this ~ " where price_book_version <> '" ~ price_book_version() ~ "'"
    ).columns[0].values() -%}
    {%- set one_day = modules.datetime.timedelta(days=1) -%}
    {%- set local_dates = [] -%}
    {%- for day in utc_days -%}
        {%- do local_dates.extend([day - one_day, day, day + one_day]) -%}
    {%- endfor -%}
    {%- do local_dates.extend(repriced) -%}
    {%- set local_dates = local_dates | unique | sort -%}
    {%- if local_dates | length == 0 -%}
        {{ return(nothing) }}
    {%- endif -%}
    {%- set read_days = [] -%}
    {%- for day in local_dates -%}
        {%- do read_days.extend([day - one_day, day, day + one_day]) -%}
    {%- endfor -%}
    {%- set read_days = read_days | unique | sort -%}
    {{ return({
        'upstream': 'usage_date in (' ~ date_literals(read_days) ~ ')',
        'local': 'local_date in (' ~ date_literals(local_dates) ~ ')',
    }) }}
{%- endmacro %}


{% macro days_in_range(column, days) -%}
    {#-
        `column between <first day> and <last day> and column in (<each day>)` for a sorted, non-empty list of
        days. The same rows as the IN list alone, but DuckDB carries a range (not an IN list) across a join's
        equality to the other side: int_request_usage's count of each request's copies and its model-name
        lookup (resolve_model_id's names_by_day) then read only those days as well.
    -#}
    {{ column }} between date '{{ days[0] }}' and date '{{ days[-1] }}' and {{ column }} in ({{ date_literals(days) }})
{%- endmacro %}


{% macro request_usage_date() -%}
    {#-
        A request-log staging model's usage_date: the raw row's _partition_date, which the loader sets to the UTC
        day of the table's partition column, the column the model reads as requested_at (connectors/*/tables.py):
        the same day as cast(requested_at as date). A plain column, not that cast, so that a filter on the day
        reaches the raw table's scan (row groups of other days skipped): DuckDB keeps a filter on a computed
        column above the projections that parse JSON, so one day's build parsed every raw row of every day.
    -#}
    _partition_date
{%- endmacro %}


{% macro date_literals(days) -%}
    {#- Dates as a comma-separated list of SQL date literals. -#}
    {%- for day in days %}date '{{ day }}'{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}
