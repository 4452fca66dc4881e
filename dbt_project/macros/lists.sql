{#- Helpers for the price_modifiers seed, whose model_pattern and usage_types hold `|`-separated lists. -#}

{% macro small_numbers(n) -%}
    {#- A derived table of part_number 1..n (portable: no generate_series). -#}
    {%- for i in range(1, n + 1) %}
    select {{ i }} as part_number{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{% macro literal_rows(column, values) -%}
    {#- A derived table of one text column `column`, one row per string in `values` (portable: no VALUES list). -#}
    {%- for value in values %}
    select '{{ value }}' as {{ column }}{% if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{% macro sql_literals(values) -%}
    {#- values as a comma-separated list of SQL literals: a string quoted (a quote in it doubled), a boolean as true
        or false, a number as itself (portable). -#}
    {%- for value in values -%}
    {%- if value is sameas true or value is sameas false -%}{{ 'true' if value else 'false' }}
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ value | replace("'", "''") }}'
    {%- endif -%}
    {{- ', ' if not loop.last -}}
    {%- endfor -%}
{%- endmacro %}


{% macro pipe_list_max_parts() -%}
    {#- Lists longer than this are rejected by the seed test assert_price_modifier_lists_are_short. -#}
    {{ return(8) }}
{%- endmacro %}


{% macro pipe_list_contains(list_column, value) -%}
    {#- True when the `|`-separated list contains value, or `*`, as a whole element. -#}
    (
        {{ dbt.position("'|*|'", dbt.concat(["'|'", list_column, "'|'"])) }} > 0
        or {{ dbt.position(dbt.concat(["'|'", value, "'|'"]), dbt.concat(["'|'", list_column, "'|'"])) }} > 0
    )
{%- endmacro %}


{% macro glob_to_like(glob) -%}
    {#- A shell-style glob (`*` = any text) as a LIKE pattern; use with `escape '\'`. -#}
    {{ dbt.replace(dbt.replace(glob, "'_'", "'\\_'"), "'*'", "'%'") }}
{%- endmacro %}


{% macro scope_like_patterns(relation, key) -%}
    {#-
        A SELECT for a CTE body: one row per (`key`, LIKE pattern) for each model glob of `relation`'s
        '|'-joined `scope_models` (the what-if scenarios' and routing rules' model scope). A row without globs
        gives none.
    -#}
    select
        {{ relation }}.{{ key }},
        {{ glob_to_like(dbt.split_part(relation ~ '.scope_models', "'|'", 'parts.part_number')) }} as model_like
    from {{ relation }}
    cross join ({{ small_numbers(pipe_list_max_parts()) }}) as parts
    where {{ dbt.split_part(relation ~ '.scope_models', "'|'", 'parts.part_number') }} <> ''
{%- endmacro %}
