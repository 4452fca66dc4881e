{#-
    DuckDB and Spark SQL spellings of what the billing staging models (anthropic, aws_cur, azure_cost,
    gcp_billing) need (issue 14). Each macro is dispatched: `default__` is DuckDB's spelling, `spark__` Spark's.

    Regular expressions are given as Jinja strings, backslashes doubled as in a Python string ('\\s', '\\b'):
    billing_re writes the SQL literal, whose backslashes DuckDB reads as they are and Spark reads as escapes.
    Every dispatched macro takes SQL text only (expressions, literals), so sqlfluff's stand-in dispatch
    (sqlfluff_libs/adapter.py) renders it as a parsable function call.
-#}

{% macro billing_re(pattern) -%}
    {#- A regular expression (Jinja string) as a SQL string literal of the engine. -#}
    {{ return(adapter.dispatch('billing_re_literal')("'" ~ (pattern | replace("'", "''")) ~ "'")) }}
{%- endmacro %}

{% macro default__billing_re_literal(literal) -%}
    {{ literal }}
{%- endmacro %}

{% macro spark__billing_re_literal(literal) -%}
    {#- DuckDB's literal has no escapes but '' for a quote: Spark's escapes a backslash and a quote. -#}
    '{{ literal[1:-1] | replace("\\", "\\\\") | replace("''", "\\'") }}'
{%- endmacro %}


{% macro billing_re_matches(expr, pattern) -%}
    {#- True when `pattern` matches somewhere in expr (NULL for NULL). -#}
    {{ return(adapter.dispatch('billing_re_matches')(expr, billing_re(pattern))) }}
{%- endmacro %}

{% macro default__billing_re_matches(expr, pattern_literal) -%}
    regexp_matches({{ expr }}, {{ pattern_literal }})
{%- endmacro %}

{% macro spark__billing_re_matches(expr, pattern_literal) -%}
    ({{ expr }} rlike {{ pattern_literal }})
{%- endmacro %}


{% macro billing_re_full_match(expr, pattern) -%}
    {#- True when `pattern` matches the whole of expr: DuckDB's SIMILAR TO (NULL for NULL). -#}
    {{ return(adapter.dispatch('billing_re_full_match')(expr, billing_re(pattern))) }}
{%- endmacro %}

{% macro default__billing_re_full_match(expr, pattern_literal) -%}
    {{ expr }} similar to {{ pattern_literal }}
{%- endmacro %}

{% macro spark__billing_re_full_match(expr, pattern_literal) -%}
    ({{ expr }} rlike concat('^(?:', {{ pattern_literal }}, ')\\z'))
{%- endmacro %}


{% macro billing_re_replace_all(expr, pattern, replacement) -%}
    {#- Every match of `pattern` in expr replaced by the SQL expression `replacement` (no backreferences). -#}
    {{ return(adapter.dispatch('billing_re_replace_all')(expr, billing_re(pattern), replacement)) }}
{%- endmacro %}

{% macro default__billing_re_replace_all(expr, pattern_literal, replacement) -%}
    regexp_replace({{ expr }}, {{ pattern_literal }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__billing_re_replace_all(expr, pattern_literal, replacement) -%}
    regexp_replace({{ expr }}, {{ pattern_literal }}, {{ replacement }})
{%- endmacro %}


{% macro billing_json_text(expr, path) -%}
    {#- The text at JSON path `path` (a SQL literal, '$.a') of the JSON text expr, NULL when absent or null. -#}
    {{ return(adapter.dispatch('billing_json_text')(expr, path)) }}
{%- endmacro %}

{% macro default__billing_json_text(expr, path) -%}
    json_extract_string({{ expr }}, {{ path }})
{%- endmacro %}

{% macro spark__billing_json_text(expr, path) -%}
    get_json_object({{ expr }}, {{ path }})
{%- endmacro %}


{% macro billing_star_except(columns) -%}
    {#- Every column of the FROM clause but `columns` (a list of names), in their order. -#}
    {{ return(adapter.dispatch('billing_star_except')(columns | join(', '))) }}
{%- endmacro %}

{% macro default__billing_star_except(column_list) -%}
    * exclude ({{ column_list }})
{%- endmacro %}

{% macro spark__billing_star_except(column_list) -%}
    * except ({{ column_list }})
{%- endmacro %}


{% macro billing_unnest(list_expr) -%}
    {#- One row per element of the list (array) list_expr, in a SELECT list: none for an empty or NULL list. -#}
    {{ return(adapter.dispatch('billing_unnest')(list_expr)) }}
{%- endmacro %}

{% macro default__billing_unnest(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}

{% macro spark__billing_unnest(list_expr) -%}
    explode({{ list_expr }})
{%- endmacro %}


{% macro billing_json_map_of_structs(expr, fields) -%}
    {#-
        The JSON object text expr, whose every value is an object, as a MAP from its keys to STRUCTs of `fields`
        (a dict: field name -> type, in both engines' spelling: bigint, double, string). Read the fields with
        `<struct>.<field>`.
    -#}
    {%- set duckdb_members = [] -%}
    {%- set spark_members = [] -%}
    {%- for name, kind in fields.items() -%}
        {%- do duckdb_members.append(name ~ ' ' ~ (kind | upper)) -%}
        {%- do spark_members.append('`' ~ name ~ '`: ' ~ kind) -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('billing_json_map_of_structs')(
        expr,
        "'\"MAP(VARCHAR, STRUCT(" ~ (duckdb_members | join(', ')) ~ "))\"'",
        "'map<string, struct<" ~ (spark_members | join(', ')) ~ ">>'"
    )) }}
{%- endmacro %}

{% macro default__billing_json_map_of_structs(expr, duckdb_structure, spark_schema) -%}
    json_transform({{ expr }}, {{ duckdb_structure }})
{%- endmacro %}

{% macro spark__billing_json_map_of_structs(expr, duckdb_structure, spark_schema) -%}
    from_json({{ expr }}, {{ spark_schema }})
{%- endmacro %}


{% macro billing_json_array_elements(expr, fields) -%}
    {#-
        A table function for `cross join <this> as <alias>`: one row per element of the JSON array text expr,
        none for an empty or NULL array. Each element is an object: read its `fields` (a dict: key -> SQL type)
        with billing_json_array_field(alias, key, type). Spark parses numbers straight to their type (never
        through DOUBLE), as DuckDB casts the element's text.
    -#}
    {%- set spark_members = [] -%}
    {%- for name, kind in fields.items() -%}{%- do spark_members.append('`' ~ name ~ '`: ' ~ kind) -%}{%- endfor -%}
    {{ return(adapter.dispatch('billing_json_array_elements')(
        expr, "'array<struct<" ~ (spark_members | join(', ')) ~ ">>'"
    )) }}
{%- endmacro %}

{% macro default__billing_json_array_elements(expr, spark_schema) -%}
    json_each({{ expr }})
{%- endmacro %}

{% macro spark__billing_json_array_elements(expr, spark_schema) -%}
    lateral explode(from_json({{ expr }}, {{ spark_schema }}))
{%- endmacro %}


{% macro billing_json_array_field(alias, key, type='string') -%}
    {#- The value of `key` of the element `alias` of billing_json_array_elements, as `type` (NULL when absent). -#}
    {{ return(adapter.dispatch('billing_json_array_field')(alias, key, type)) }}
{%- endmacro %}

{% macro default__billing_json_array_field(alias, key, type) -%}
    {%- if type == 'string' -%}
        {{ alias }}.value ->> '$.{{ key }}'
    {%- else -%}
        cast({{ alias }}.value ->> '$.{{ key }}' as {{ type }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__billing_json_array_field(alias, key, type) -%}
    {{ alias }}.col.`{{ key }}`
{%- endmacro %}


{% macro spark__exact_divide(amount, divisor) -%}
    {#-
        Spark's exact_divide (macros/money.sql): the same quotient, rounded half away from zero to 12 places.
        With A = |amount| x 10^12 and D = divisor x 10^12 (whole DECIMAL(38,0) numbers), q = (A x 2 x 10^12 + D)
        / 2D truncated (whole_quotient, which Spark lacks as an operator). Exact for amounts below 5 x 10^13
        (DECIMAL(38,0) holds less than DuckDB's HUGEINT), divisors below 5 x 10^9 and quotients below 10^15;
        beyond, Spark stops with an overflow error.
    -#}
    {%- set scaled_amount = 'abs(cast(cast(' ~ amount ~ ' as decimal(38,12)) * 1000000000000 as decimal(38,0)))' -%}
    {%- set scaled_divisor = 'cast(cast(' ~ divisor ~ ' as decimal(38,12)) * 1000000000000 as decimal(38,0))' -%}
    cast(
        cast(
            case when cast({{ amount }} as decimal(38,12)) < 0 then -1 else 1 end
            * {{ whole_quotient(
                '(' ~ scaled_amount ~ ' * 2000000000000 + ' ~ scaled_divisor ~ ')', scaled_divisor ~ ' * 2'
            ) }}
            as decimal(38,0)
        )
        * cast(0.000000000001 as decimal(13,12))
        as {{ money_type() }}
    )
{%- endmacro %}
