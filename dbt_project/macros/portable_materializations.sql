{#-
    dbt's materializations on Spark without Delta Lake (issue 14): the snapshots and the incremental request
    marts, on plain Parquet tables, giving the rows DuckDB gives. Parquet has no MERGE, UPDATE or DELETE, so
    a snapshot is rebuilt whole (insert overwrite) and a mart's days are replaced as partitions (dynamic
    partition overwrite). DuckDB keeps dbt's own materializations: only the spark__ macros below differ.
-#}

{#-
    An incremental mart that replaces whole days (usage_date, local_date) is configured with these two:
    delete+insert by the day (unique_key) where the engine has DELETE, else insert_overwrite of a table
    partitioned by the day, which replaces exactly the days the build has rows for - the same rows as
    delete+insert by that key (dbt-spark sets spark.sql.sources.partitionOverwriteMode = DYNAMIC for it).
-#}

{% macro replace_days_config(day_column='usage_date') -%}
    {#- The config of an incremental model that replaces whole days of `day_column`, for
        `config(**replace_days_config())`: the strategy and partitioning below, new columns appended. -#}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': replace_days_strategy(),
        'unique_key': day_column,
        'partition_by': replace_days_partition_by(day_column),
        'on_schema_change': 'append_new_columns',
    }) }}
{%- endmacro %}

{% macro replace_days_strategy() -%}
    {#- The incremental_strategy of a mart that replaces whole days. -#}
    {{ return(adapter.dispatch('replace_days_strategy')()) }}
{%- endmacro %}

{% macro default__replace_days_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__replace_days_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}


{% macro replace_days_partition_by(day_column) -%}
    {#- The partition_by of a mart that replaces whole days: none, or the day column where it is replaced as a
        partition. -#}
    {{ return(adapter.dispatch('replace_days_partition_by')(day_column)) }}
{%- endmacro %}

{% macro default__replace_days_partition_by(day_column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__replace_days_partition_by(day_column) -%}
    {{ return([day_column]) }}
{%- endmacro %}


{% macro delete_days_where(relation, day_column, predicate) -%}
    {#-
        A statement that deletes the rows of `relation` matching `predicate` (SQL), in a table replaced by
        day (replace_days_config). Where the engine has no DELETE, the partitions (days) that hold such rows
        are dropped whole: only right when every row of those days matches, as when the predicate marks rows
        of a build that is then rebuilt entirely (mart_request_cost_local_daily's other time zone).
    -#}
    {{ return(adapter.dispatch('delete_days_where')(relation, day_column, predicate)) }}
{%- endmacro %}

{% macro default__delete_days_where(relation, day_column, predicate) -%}
    delete from {{ relation }}
    where {{ predicate }}
{%- endmacro %}

{% macro spark__delete_days_where(relation, day_column, predicate) -%}
    {%- if execute -%}
        {%- set days = run_query(
            'select distinct ' ~ day_column ~ ' from ' ~ relation ~ ' where ' ~ predicate
        ).columns[0].values() | sort -%}
        {%- if days | length > 0 -%}
            alter table {{ relation }} drop if exists
            {%- for day in days %}
                partition ({{ day_column }} = date '{{ day }}'){{ ',' if not loop.last }}
            {%- endfor %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    Snapshots. dbt-spark's snapshot materialization refuses any format but Delta, Iceberg and Hudi (MERGE
    INTO), whose jars Spark would download at run time. This one is dbt-spark's without that check: the first
    run creates the table (as dbt-spark does), a later one builds the staging view of the strategy (dbt's
    own SQL: inserts, updates, deletes) and hands it to spark__snapshot_merge_sql, which writes MERGE's result
    to a table and overwrites the snapshot with it.
-#}

{% materialization snapshot, adapter='spark' %}

    {%- set target_table = model.get('alias', model.get('name')) -%}

    {%- set strategy_name = config.get('strategy') -%}
    {%- set grant_config = config.get('grants') -%}

    {% set target_relation_exists, target_relation = get_or_create_relation(
            database=none,
            schema=model.schema,
            identifier=target_table,
            type='table') -%}

    {% if not adapter.check_schema_exists(model.database, model.schema) %}
        {% do create_schema(model.schema) %}
    {% endif %}

    {%- if not target_relation.is_table -%}
        {% do exceptions.relation_wrong_type(target_relation, 'table') %}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}

    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% set strategy_macro = strategy_dispatch(strategy_name) %}
    {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

    {% if not target_relation_exists %}

        {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
        {% set final_sql = create_table_as(False, target_relation, build_sql) %}

    {% else %}

        {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}

        {{ adapter.valid_snapshot_target(target_relation, columns) }}

        {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}

        {% do adapter.expand_target_column_types(from_relation=staging_table, to_relation=target_relation) %}

        {% set remove_columns = ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY'] %}
        {% if strategy.unique_key | is_list %}
            {% for key in strategy.unique_key %}
                {% do remove_columns.append('dbt_unique_key_' + loop.index | string) %}
                {% do remove_columns.append('DBT_UNIQUE_KEY_' + loop.index | string) %}
            {% endfor %}
        {% endif %}

        {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                     | rejectattr('name', 'in', remove_columns)
                                     | list %}

        {% do create_columns(target_relation, missing_columns) %}

        {% set source_columns = adapter.get_columns_in_relation(staging_table)
                                    | rejectattr('name', 'in', remove_columns)
                                    | list %}

        {% set quoted_source_columns = [] %}
        {% for column in source_columns %}
            {% do quoted_source_columns.append(adapter.quote(column.name)) %}
        {% endfor %}

        {% set final_sql = snapshot_merge_sql(
              target = target_relation,
              source = staging_table,
              insert_cols = quoted_source_columns
           )
        %}

    {% endif %}

    {% call statement('main') %}
        {{ final_sql }}
    {% endcall %}

    {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
    {% do apply_grants(target_relation, grant_config, should_revoke) %}

    {% do persist_docs(target_relation, model) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}

    {{ adapter.commit() }}

    {% if staging_table is defined %}
        {% do post_snapshot(staging_table) %}
    {% endif %}

    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}


{% macro spark_snapshot_merged_relation(target) -%}
    {#- The table spark__snapshot_merge_sql writes MERGE's result to, beside the snapshot. -#}
    {{ return(api.Relation.create(
        identifier=target.identifier ~ '__dbt_merged', schema=target.schema, database=none, type='table'
    )) }}
{%- endmacro %}


{% macro spark__snapshot_merge_sql(target, source, insert_cols) -%}
    {#-
        MERGE INTO of dbt's default__snapshot_merge_sql, as a rebuild: writes every row of the snapshot
        (`target`) with dbt_valid_to set where the staging relation (`source`) closes a current version
        (change type update or delete), plus the staging rows of change type insert whose dbt_scd_id is not
        in the snapshot yet, to a table, and returns the statement that overwrites the snapshot with it
        (Spark cannot overwrite a table in a query that reads it). The columns are the snapshot's, in its
        order. Parquet has no transactions: a failed overwrite leaves the snapshot as it was.
    -#}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set merged = spark_snapshot_merged_relation(target) -%}
    {%- set insert_names = insert_cols | map('replace', '`', '') | map('lower') | list -%}
    {%- set target_columns = adapter.get_columns_in_relation(target) -%}
    {%- if config.get("dbt_valid_to_current") -%}
        {%- set is_current -%}
            (DBT_INTERNAL_DEST.{{ columns.dbt_valid_to }} = {{ config.get('dbt_valid_to_current') }}
            or DBT_INTERNAL_DEST.{{ columns.dbt_valid_to }} is null)
        {%- endset -%}
    {%- else -%}
        {%- set is_current = 'DBT_INTERNAL_DEST.' ~ columns.dbt_valid_to ~ ' is null' -%}
    {%- endif -%}

    {% call statement('drop_snapshot_merged') %}
        drop table if exists {{ merged }}
    {% endcall %}

    {% call statement('build_snapshot_merged') %}
        create table {{ merged }}
        using parquet
        as
        -- when matched (a current version the staging rows close): update set dbt_valid_to
        select
            {%- for column in target_columns %}
                {%- if column.name | lower == columns.dbt_valid_to | lower %}
                case
                    when {{ is_current }} and DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }} is not null
                        then DBT_INTERNAL_SOURCE.{{ columns.dbt_valid_to }}
                    else DBT_INTERNAL_DEST.{{ columns.dbt_valid_to }}
                end as {{ adapter.quote(column.name) }}
                {%- else %}
                DBT_INTERNAL_DEST.{{ adapter.quote(column.name) }}
                {%- endif -%}
                {{ ',' if not loop.last }}
            {%- endfor %}
        from {{ target }} as DBT_INTERNAL_DEST
        left join (
            select
                {{ columns.dbt_scd_id }},
                {{ columns.dbt_valid_to }}
            from {{ source }}
            where dbt_change_type in ('update', 'delete')
        ) as DBT_INTERNAL_SOURCE
            on DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }} = DBT_INTERNAL_DEST.{{ columns.dbt_scd_id }}

        union all

        -- when not matched and dbt_change_type = 'insert': insert
        select
            {%- for column in target_columns %}
                {%- if column.name | lower in insert_names %}
                DBT_INTERNAL_SOURCE.{{ adapter.quote(column.name) }}
                {%- else %}
                cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }}
                {%- endif -%}
                {{ ',' if not loop.last }}
            {%- endfor %}
        from {{ source }} as DBT_INTERNAL_SOURCE
        where
            DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'
            and not exists (
                select 1
                from {{ target }} as DBT_INTERNAL_DEST
                where DBT_INTERNAL_DEST.{{ columns.dbt_scd_id }} = DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }}
            )
    {% endcall %}

    insert overwrite table {{ target }}
    select * from {{ merged }}
{%- endmacro %}


{% macro spark__post_snapshot(staging_relation) -%}
    {#- dbt-spark's (drop the staging view), and the table spark__snapshot_merge_sql wrote. -#}
    {% do adapter.drop_relation(staging_relation) %}
    {% call statement('drop_snapshot_merged') %}
        drop table if exists {{ spark_snapshot_merged_relation(staging_relation.incorporate(
            path={'identifier': staging_relation.identifier | replace('__dbt_tmp', '')}
        )) }}
    {% endcall %}
{%- endmacro %}


{#- The tags of a request (a JSON object as text), one row per key: fct_request_tag_cost_daily. -#}

{% macro json_object_keys_unnested(json_text) -%}
    {#- In a SELECT list: one row per key of the JSON object `json_text` (a generator: unnest / explode). -#}
    {{ return(adapter.dispatch('json_object_keys_unnested')(json_text)) }}
{%- endmacro %}

{% macro default__json_object_keys_unnested(json_text) -%}
    unnest(json_keys(cast({{ json_text }} as json)))
{%- endmacro %}

{% macro spark__json_object_keys_unnested(json_text) -%}
    explode(json_object_keys({{ json_text }}))
{%- endmacro %}


{% macro json_key_text(json_text, key) -%}
    {#- The value of key `key` (SQL text) of the JSON object `json_text`, as text (JSON text if not a string). -#}
    {{ return(adapter.dispatch('json_key_text')(json_text, key)) }}
{%- endmacro %}

{% macro default__json_key_text(json_text, key) -%}
    {#- a quoted JSON path, so keys with dots or a leading '$' are read as keys -#}
    json_extract_string(
            cast({{ json_text }} as json), '$."' || replace({{ key }}, '"', '\"') || '"'
        )
{%- endmacro %}

{% macro spark__json_key_text(json_text, key) -%}
    {#- a bracketed JSON path, so keys with dots are read as keys (a key with a quote in it finds nothing:
        Spark's paths cannot escape one) -#}
    get_json_object({{ json_text }}, concat('$[\'', {{ key }}, '\']'))
{%- endmacro %}
