{#-
    Where DuckDB and Spark SQL spell a thing differently (issue 14: the same models on both engines). Each
    macro is dispatched (`adapter.dispatch`), so a model names the operation, never the engine's spelling.
-#}

{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    {#- dbt-spark's own version needs a literal part number; Spark 3.3+ has split_part natively. -#}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
    {#-
        dbt-spark's own version binds every value as the text '<value>': a quote in a seed's text breaks the
        statement, an empty cell becomes the string 'None', and numbers pass through float. Here each value
        is a literal: NULL for an empty cell, else the cell's text, escaped, cast to the column's type.
    -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set col_name = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}


{% macro iso_day_of_week(date_expr) -%}
    {#- ISO day of the week: 1 = Monday .. 7 = Sunday. -#}
    {{ return(adapter.dispatch('iso_day_of_week')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    extract(isodow from {{ date_expr }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expr) -%}
    extract(dayofweek_iso from {{ date_expr }})
{%- endmacro %}


{% macro iso_year(date_expr) -%}
    {#- The ISO 8601 week-numbering year, which `extract(week ...)` (the ISO week on both engines) belongs to. -#}
    {{ return(adapter.dispatch('iso_year')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_year(date_expr) -%}
    extract(isoyear from {{ date_expr }})
{%- endmacro %}

{% macro spark__iso_year(date_expr) -%}
    extract(yearofweek from {{ date_expr }})
{%- endmacro %}


{% macro like_escaped(value, pattern) -%}
    {#-
        value LIKE pattern, with `\` as the escape character (glob_to_like's patterns). DuckDB's string literal
        '\' is one backslash; Spark's string literals treat a backslash as an escape, so there it is '\\'.
    -#}
    {{ return(adapter.dispatch('like_escaped')(value, pattern)) }}
{%- endmacro %}

{% macro default__like_escaped(value, pattern) -%}
    {{ value }} like {{ pattern }} escape '\'
{%- endmacro %}

{% macro spark__like_escaped(value, pattern) -%}
    {{ value }} like {{ pattern }} escape '\\'
{%- endmacro %}


{% macro agg_distinct_list(expression) -%}
    {#- An aggregate: the distinct values of expression as a list, in no particular order (Spark leaves out NULL). -#}
    {{ return(adapter.dispatch('agg_distinct_list')(expression)) }}
{%- endmacro %}

{% macro default__agg_distinct_list(expression) -%}
    list(distinct {{ expression }})
{%- endmacro %}

{% macro spark__agg_distinct_list(expression) -%}
    collect_set({{ expression }})
{%- endmacro %}


{% macro list_max_below(list_expression, bound) -%}
    {#- The largest element of a list of numbers that is below bound; NULL when none is. -#}
    {{ return(adapter.dispatch('list_max_below')(list_expression, bound)) }}
{%- endmacro %}

{% macro default__list_max_below(list_expression, bound) -%}
    list_max(list_filter({{ list_expression }}, lambda element: element < {{ bound }}))
{%- endmacro %}

{% macro spark__list_max_below(list_expression, bound) -%}
    array_max(filter({{ list_expression }}, element -> element < {{ bound }}))
{%- endmacro %}


{% macro sorted_string_agg(expression, delimiter, distinct=false) -%}
    {#-
        An aggregate: the non-null values of expression, sorted, joined by delimiter (a SQL string literal);
        NULL when there are none. With distinct=true, each value once.
    -#}
    {{ return(adapter.dispatch('sorted_string_agg')(expression, delimiter, distinct)) }}
{%- endmacro %}

{% macro default__sorted_string_agg(expression, delimiter, distinct) -%}
    string_agg({{ 'distinct ' if distinct }}{{ expression }}, {{ delimiter }} order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_string_agg(expression, delimiter, distinct) -%}
    case
        when count({{ expression }}) > 0
            then array_join(array_sort({{ 'collect_set' if distinct else 'collect_list' }}({{ expression }})), {{ delimiter }})
    end
{%- endmacro %}


{% macro day_rows(first_day, last_day) -%}
    {#- In a SELECT list: one row per date from first_day to last_day, both included (none when last < first). -#}
    {{ return(adapter.dispatch('day_rows')(first_day, last_day)) }}
{%- endmacro %}

{% macro default__day_rows(first_day, last_day) -%}
    cast(unnest(generate_series({{ first_day }}, {{ last_day }}, interval 1 day)) as date)
{%- endmacro %}

{% macro spark__day_rows(first_day, last_day) -%}
    explode(
        case
            when {{ last_day }} >= {{ first_day }}
                then sequence(cast({{ first_day }} as date), cast({{ last_day }} as date), interval 1 day)
        end
    )
{%- endmacro %}


{% macro json_object_text(pairs) -%}
    {#-
        A JSON object as text, its keys in the given order and a NULL value kept as null: pairs is a list of
        (key, SQL expression) with string values. Both engines write it compactly, {"key":"value",...}.
    -#}
    {{ return(adapter.dispatch('json_object_text')(pairs)) }}
{%- endmacro %}

{% macro default__json_object_text(pairs) -%}
    cast(json_object({% for key, value in pairs %}'{{ key }}', {{ value }}{{ ', ' if not loop.last }}{% endfor %}) as string)
{%- endmacro %}

{% macro spark__json_object_text(pairs) -%}
    to_json(
        named_struct({% for key, value in pairs %}'{{ key }}', {{ value }}{{ ', ' if not loop.last }}{% endfor %}),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}


{% macro whole_number_type() -%}
    {#- The type of whole numbers past BIGINT (money in units of 10^-12 USD times a weight): HUGEINT, or
        DECIMAL(38,0) where there is none (Spark). -#}
    {{ return(adapter.dispatch('whole_number_type')()) }}
{%- endmacro %}

{% macro default__whole_number_type() -%}
    hugeint
{%- endmacro %}

{% macro spark__whole_number_type() -%}
    decimal(38, 0)
{%- endmacro %}


{% macro whole_quotient(numerator, denominator) -%}
    {#- numerator / denominator truncated toward zero, for whole numbers past BIGINT (whole_number_type) with
        numerator >= 0 and denominator > 0. Two BIGINTs divide with integer_divide (portable_requests.sql): Spark's
        `div` is exact there. -#}
    {{ return(adapter.dispatch('whole_quotient')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__whole_quotient(numerator, denominator) -%}
    ({{ numerator }}) // ({{ denominator }})
{%- endmacro %}

{% macro spark__whole_quotient(numerator, denominator) -%}
    {#-
        Spark has no integer division of decimals (`div` returns a BIGINT and overflows without a word), so the
        quotient is taken from its decimal quotient (dividing by a DECIMAL(22,0) keeps 27 whole digits) and
        corrected by one where that quotient's rounding crossed a whole number (the remainder must lie in
        [0, denominator)). Exact for numerators below 10^38 and denominators below 10^22; beyond, Spark stops
        with an overflow error.
    -#}
    {%- set d = 'cast(' ~ denominator ~ ' as decimal(22, 0))' -%}
    {%- set n = 'cast(' ~ numerator ~ ' as decimal(38, 0))' -%}
    {%- set estimate = 'floor(' ~ n ~ ' / ' ~ d ~ ')' -%}
    {%- set remainder = '(' ~ n ~ ' - ' ~ estimate ~ ' * ' ~ d ~ ')' -%}
    cast(
        {{ estimate }} + case when {{ remainder }} < 0 then -1 when {{ remainder }} >= {{ d }} then 1 else 0 end
        as decimal(38, 0)
    )
{%- endmacro %}
