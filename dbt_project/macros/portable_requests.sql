{#-
    The request-log staging folders' DuckDB / Spark differences (issue 14): JSON reading, lists and their
    lambdas, struct literals, a regular-expression test, integer division and interval arithmetic. Each macro is
    dispatched: `default__` is DuckDB's spelling (the SQL the models always had), `spark__` Spark's.
-#}

{#- ----------  JSON -#}

{% macro json_text(expression, keys) -%}
    {#-
        The text of the JSON value at `keys` (a key name, or a list of key names from the top) of a JSON
        document: a string unquoted, a number, true or false as written, an object or array as compact JSON,
        NULL for a JSON null or a missing key (DuckDB json_extract_string, `->>`). Keys may hold dots.
    -#}
    {{ return(adapter.dispatch('json_text')(expression, [keys] if keys is string else keys)) }}
{%- endmacro %}

{% macro default__json_text(expression, keys) -%}
    json_extract_string({{ expression }}, '${% for key in keys %}."{{ key }}"{% endfor %}')
{%- endmacro %}

{% macro spark__json_text(expression, keys) -%}
    get_json_object({{ expression }}, '${% for key in keys %}[\'{{ key }}\']{% endfor %}')
{%- endmacro %}


{% macro json_member(expression, key) -%}
    {#-
        The JSON value of top-level `key` of a JSON document (DuckDB `->`), for a value known to be an object
        or an array (json_member_is): as compact JSON text on both engines.
    -#}
    {{ return(adapter.dispatch('json_member')(expression, key)) }}
{%- endmacro %}

{% macro default__json_member(expression, key) -%}
    {{ expression }} -> '$.{{ key }}'
{%- endmacro %}

{% macro spark__json_member(expression, key) -%}
    get_json_object({{ expression }}, '$.{{ key }}')
{%- endmacro %}


{% macro json_is(expression, kind) -%}
    {#-
        True when a JSON document is of `kind`, a SQL string literal ('OBJECT' or 'ARRAY'); false for another
        kind, NULL for NULL.
    -#}
    {{ return(adapter.dispatch('json_is')(expression, kind)) }}
{%- endmacro %}

{% macro default__json_is(expression, kind) -%}
    json_type({{ expression }}) = {{ kind }}
{%- endmacro %}

{% macro spark__json_is(expression, kind) -%}
    startswith(schema_of_variant(try_parse_json({{ expression }})), {{ kind }})
{%- endmacro %}


{% macro json_member_is(expression, key, kind) -%}
    {#- True when top-level `key` of a JSON document holds a value of `kind` ('OBJECT' or 'ARRAY', as json_is). -#}
    {{ return(adapter.dispatch('json_member_is')(expression, key, kind)) }}
{%- endmacro %}

{% macro default__json_member_is(expression, key, kind) -%}
    json_type({{ expression }} -> '$.{{ key }}') = {{ kind }}
{%- endmacro %}

{% macro spark__json_member_is(expression, key, kind) -%}
    startswith(schema_of_variant(variant_get(try_parse_json({{ expression }}), '$.{{ key }}', 'variant')), {{ kind }})
{%- endmacro %}


{% macro json_has_key(expression, keys) -%}
    {#-
        True when the JSON object at `keys` but the last (the document itself for one key) has the last key,
        whatever its value, a JSON null too (DuckDB: `->` gives the JSON value null there, not SQL NULL).
    -#}
    {{ return(adapter.dispatch('json_has_key')(expression, [keys] if keys is string else keys)) }}
{%- endmacro %}

{% macro default__json_has_key(expression, keys) -%}
    ({{ expression }} -> '${% for key in keys %}."{{ key }}"{% endfor %}') is not null
{%- endmacro %}

{% macro spark__json_has_key(expression, keys) -%}
    coalesce(array_contains(json_object_keys(
        {%- if keys | length > 1 %}{{ spark__json_text(expression, keys[:-1]) }}{% else %}{{ expression }}{% endif -%}
    ), '{{ keys[-1] }}'), false)
{%- endmacro %}


{% macro json_fields(expression, fields) -%}
    {#-
        A JSON document read for several of its values at once, for a CTE column that json_field then reads:
        `fields` lists (keys, kind), keys a key name or a list of key names from the top, kind 'text' (the value
        as json_text gives it) or 'json' (as json_member: compact JSON text, NULL for a JSON null). DuckDB:
        json_transform to a STRUCT, so the document is parsed once, not once per value (at 1M LiteLLM spend-log
        rows that halves their staging). Spark: the document itself, each value read by its own path as before.
    -#}
    {{ return(adapter.dispatch('json_fields')(expression, fields)) }}
{%- endmacro %}

{% macro default__json_fields(expression, fields) -%}
    {%- set tree = {} -%}
    {%- for keys, kind in fields -%}
        {%- set path = [keys] if keys is string else keys -%}
        {%- set node = namespace(level=tree) -%}
        {%- for key in path[:-1] -%}
            {%- if key not in node.level -%}{%- do node.level.update({key: {}}) -%}{%- endif -%}
            {%- set node.level = node.level[key] -%}
        {%- endfor -%}
        {%- do node.level.update({path[-1]: 'JSON' if kind == 'json' else 'VARCHAR'}) -%}
    {%- endfor -%}
    json_transform({{ expression }}, '{{ tojson(tree, sort_keys=true) }}')
{%- endmacro %}

{% macro spark__json_fields(expression, fields) -%}
    {{ expression }}
{%- endmacro %}


{% macro json_field(column, keys, kind='text') -%}
    {#- One value of a json_fields column, by the keys and kind it was listed with. -#}
    {{ return(adapter.dispatch('json_field')(column, [keys] if keys is string else keys, kind)) }}
{%- endmacro %}

{% macro default__json_field(column, keys, kind) -%}
    {{ column }}{% for key in keys %}."{{ key }}"{% endfor %}
{%- endmacro %}

{% macro spark__json_field(column, keys, kind) -%}
    {%- if kind == 'json' and keys | length > 1 -%}
        {{ exceptions.raise_compiler_error('json_field: a json kind is read at the top level only, not ' ~ keys) }}
    {%- elif kind == 'json' -%}
        {{ spark__json_member(column, keys[0]) }}
    {%- else -%}
        {{ spark__json_text(column, keys) }}
    {%- endif -%}
{%- endmacro %}


{% macro json_field_is(column, key, kind) -%}
    {#- True when top-level `key` of a json_fields column, listed with kind 'json', holds a value of `kind`
        ('OBJECT' or 'ARRAY', as json_member_is). -#}
    {{ return(adapter.dispatch('json_field_is')(column, key, kind)) }}
{%- endmacro %}

{% macro default__json_field_is(column, key, kind) -%}
    json_type({{ column }}."{{ key }}") = {{ kind }}
{%- endmacro %}

{% macro spark__json_field_is(column, key, kind) -%}
    {{ spark__json_member_is(column, key, kind) }}
{%- endmacro %}

{% macro json_string_map(expression) -%}
    {#- A JSON object as map(string, string): string values unquoted, other values as their JSON text. -#}
    {{ return(adapter.dispatch('json_string_map')(expression)) }}
{%- endmacro %}

{% macro default__json_string_map(expression) -%}
    cast(cast({{ expression }} as json) as map (string, string))
{%- endmacro %}

{% macro spark__json_string_map(expression) -%}
    from_json({{ expression }}, 'map<string,string>')
{%- endmacro %}


{% macro json_string_list(expression) -%}
    {#- A JSON array as a list of strings (string elements unquoted, others as their JSON text). -#}
    {{ return(adapter.dispatch('json_string_list')(expression)) }}
{%- endmacro %}

{% macro default__json_string_list(expression) -%}
    from_json({{ expression }}, '["VARCHAR"]')
{%- endmacro %}

{% macro spark__json_string_list(expression) -%}
    from_json({{ expression }}, 'array<string>')
{%- endmacro %}


{% macro json_object_entries(expression) -%}
    {#-
        A JSON object's entries in document order, as a list of {key, value}: value as json_text gives it
        (NULL for a JSON null).
    -#}
    {{ return(adapter.dispatch('json_object_entries')(expression)) }}
{%- endmacro %}

{% macro default__json_object_entries(expression) -%}
    {#-
        The document parsed once, as a map (a value as json_extract_string gives it); an object with a name twice,
        which a map cannot hold (Postgres jsonb never has one), read name by name as before.
    -#}
    coalesce(map_entries(json_transform({{ expression }}, '"MAP(VARCHAR, VARCHAR)"')), list_transform(
        json_keys({{ expression }}),
        lambda k: {
            'key': k,
            'value': json_extract_string({{ expression }}, '$."' || replace(k, '"', '\"') || '"')
        }
    ))
{%- endmacro %}

{% macro spark__json_object_entries(expression) -%}
    map_entries(from_json({{ expression }}, 'map<string,string>'))
{%- endmacro %}


{% macro json_without_keys(expression, name, predicate) -%}
    {#-
        A JSON object without its top-level entries whose key, named `name` in `predicate`, satisfies
        `predicate`; the rest as they were, in their order, as compact JSON.
    -#}
    {{ return(adapter.dispatch('json_without_keys')(expression, name, predicate)) }}
{%- endmacro %}

{% macro default__json_without_keys(expression, name, predicate) -%}
    json_merge_patch(
        {{ expression }},
        coalesce(
            to_json(map_from_entries(list_transform(
                list_filter(json_keys({{ expression }}), lambda {{ name }}: {{ predicate }}),
                lambda {{ name }}: {'k': {{ name }}, 'v': null}
            ))),
            '{}'
        )
    )
{%- endmacro %}

{% macro spark__json_without_keys(expression, name, predicate) -%}
    {#-
        Rebuilt from the kept entries when one is dropped: an object or array value as Spark's text of it
        (compact, in its order), any other value as JSON from its variant (a number in its shortest form).
    -#}
    case
        when exists(json_object_keys({{ expression }}), {{ name }} -> {{ predicate }})
            then concat('{', array_join(transform(
                map_entries(map_filter(
                    from_json({{ expression }}, 'map<string,string>'), ({{ name }}, json_value) -> not ({{ predicate }})
                )),
                json_entry -> concat(
                    {{ spark__json_quote('json_entry.key') }},
                    ':',
                    case
                        when schema_of_variant(from_json({{ expression }}, 'map<string,variant>')[json_entry.key])
                            rlike '^(OBJECT|ARRAY)'
                            then json_entry.value
                        else coalesce(
                            to_json(from_json({{ expression }}, 'map<string,variant>')[json_entry.key]), 'null'
                        )
                    end
                )
            ), ','), '}')
        else {{ expression }}
    end
{%- endmacro %}


{% macro json_object_of(list, name, key, value) -%}
    {#-
        A JSON object (text) of the elements of `list`, each called `name` in `key` and `value` (strings; the keys
        distinct), in the list's order; '{}' for an empty list.
    -#}
    {{ return(adapter.dispatch('json_object_of')(list, name, key, value)) }}
{%- endmacro %}

{% macro default__json_object_of(list, name, key, value) -%}
    {#- written out as text: to_json(map_from_entries(...)) gave the same text at twice the cost -#}
    '{' || array_to_string(
        list_transform({{ list }}, lambda {{ name }}: to_json({{ key }}) || ':' || to_json({{ value }})), ','
    ) || '}'
{%- endmacro %}

{% macro spark__json_object_of(list, name, key, value) -%}
    to_json(map_from_entries(transform({{ list }}, {{ name }} -> named_struct('k', {{ key }}, 'v', {{ value }}))))
{%- endmacro %}


{% macro json_quote(expression) -%}
    {#- A string as a JSON string literal (quoted, escaped); NULL for NULL. -#}
    {{ return(adapter.dispatch('json_quote')(expression)) }}
{%- endmacro %}

{% macro default__json_quote(expression) -%}
    to_json({{ expression }})
{%- endmacro %}

{% macro spark__json_quote(expression) -%}
    case when {{ expression }} is not null then regexp_extract(to_json(array({{ expression }})), '^\\[(.*)\\]$', 1) end
{%- endmacro %}


{#- ----------  lists -#}

{% macro list_filter_where(list, name, predicate) -%}
    {#- The elements of `list` (each called `name` in `predicate`) for which `predicate` holds, in order. -#}
    {{ return(adapter.dispatch('list_filter_where')(list, name, predicate)) }}
{%- endmacro %}

{% macro default__list_filter_where(list, name, predicate) -%}
    list_filter({{ list }}, lambda {{ name }}: {{ predicate }})
{%- endmacro %}

{% macro spark__list_filter_where(list, name, predicate) -%}
    filter({{ list }}, {{ name }} -> {{ predicate }})
{%- endmacro %}


{% macro list_map(list, name, expression) -%}
    {#- `expression` of each element of `list` (called `name` in it), in order. -#}
    {{ return(adapter.dispatch('list_map')(list, name, expression)) }}
{%- endmacro %}

{% macro default__list_map(list, name, expression) -%}
    list_transform({{ list }}, lambda {{ name }}: {{ expression }})
{%- endmacro %}

{% macro spark__list_map(list, name, expression) -%}
    transform({{ list }}, {{ name }} -> {{ expression }})
{%- endmacro %}


{% macro list_size(list) -%}
    {{ return(adapter.dispatch('list_size')(list)) }}
{%- endmacro %}

{% macro default__list_size(list) -%}
    len({{ list }})
{%- endmacro %}

{% macro spark__list_size(list) -%}
    size({{ list }})
{%- endmacro %}


{% macro list_first(list) -%}
    {#- The first element of `list`, NULL for an empty list. -#}
    {{ return(adapter.dispatch('list_first')(list)) }}
{%- endmacro %}

{% macro default__list_first(list) -%}
    ({{ list }})[1]
{%- endmacro %}

{% macro spark__list_first(list) -%}
    try_element_at({{ list }}, 1)
{%- endmacro %}


{% macro list_concat_two(first, second) -%}
    {{ return(adapter.dispatch('list_concat_two')(first, second)) }}
{%- endmacro %}

{% macro default__list_concat_two(first, second) -%}
    list_concat({{ first }}, {{ second }})
{%- endmacro %}

{% macro spark__list_concat_two(first, second) -%}
    concat({{ first }}, {{ second }})
{%- endmacro %}


{% macro empty_list() -%}
    {{ return(adapter.dispatch('empty_list')()) }}
{%- endmacro %}

{% macro default__empty_list() -%}
    []
{%- endmacro %}

{% macro spark__empty_list() -%}
    array()
{%- endmacro %}


{% macro list_sorted(list) -%}
    {#- `list` sorted ascending (structs by their fields in order). -#}
    {{ return(adapter.dispatch('list_sorted')(list)) }}
{%- endmacro %}

{% macro default__list_sorted(list) -%}
    list_sort({{ list }})
{%- endmacro %}

{% macro spark__list_sorted(list) -%}
    array_sort({{ list }})
{%- endmacro %}


{% macro list_last_of_runs(list, field) -%}
    {#-
        The elements of `list` (structs, sorted by `field`; a column, read twice) that end a run of equal `field`:
        each value of `field` once, its last element. One pass over the list.
    -#}
    {{ return(adapter.dispatch('list_last_of_runs')(list, field)) }}
{%- endmacro %}

{% macro default__list_last_of_runs(list, field) -%}
    list_filter({{ list }}, lambda e, i: i = len({{ list }}) or {{ list }}[i + 1].{{ field }} <> e.{{ field }})
{%- endmacro %}

{% macro spark__list_last_of_runs(list, field) -%}
    filter({{ list }}, (e, i) -> coalesce(try_element_at({{ list }}, i + 2).{{ field }} <> e.{{ field }}, true))
{%- endmacro %}


{% macro list_distinct_sorted(list) -%}
    {#-
        The distinct elements of `list`, sorted ascending (structs by their fields in order). Sorted because
        DuckDB's list_distinct returns its elements in hash order, which no other engine can repeat.
    -#}
    {{ return(adapter.dispatch('list_distinct_sorted')(list)) }}
{%- endmacro %}

{% macro default__list_distinct_sorted(list) -%}
    list_sort(list_distinct({{ list }}))
{%- endmacro %}

{% macro spark__list_distinct_sorted(list) -%}
    array_sort(array_distinct({{ list }}))
{%- endmacro %}


{% macro struct_of(fields) -%}
    {#- A struct value from a list of (field name, SQL expression) pairs. -#}
    {{ return(adapter.dispatch('struct_of')(fields)) }}
{%- endmacro %}

{% macro default__struct_of(fields) -%}
    { {%- for name, expression in fields %}'{{ name }}': {{ expression }}{{ ', ' if not loop.last }}{% endfor -%} }
{%- endmacro %}

{% macro spark__struct_of(fields) -%}
    named_struct(
        {%- for name, expression in fields %}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{% endfor -%}
    )
{%- endmacro %}


{#- ----------  strings, numbers, time -#}

{% macro regex_search(expression, pattern) -%}
    {#- True when `pattern` matches anywhere in `expression` (DuckDB regexp_matches). -#}
    {{ return(adapter.dispatch('regex_search')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_search(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_search(expression, pattern) -%}
    ({{ expression }} rlike {{ pattern }})
{%- endmacro %}


{% macro integer_divide(dividend, divisor) -%}
    {#- Whole-number division of BIGINTs, truncated toward zero (DuckDB `//`); past BIGINT, whole_quotient. -#}
    {{ return(adapter.dispatch('integer_divide')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    ({{ dividend }}) // ({{ divisor }})
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    ({{ dividend }}) div ({{ divisor }})
{%- endmacro %}


{% macro milliseconds_between(start_timestamp, end_timestamp) -%}
    {#- Whole milliseconds from start to end (DuckDB date_diff('millisecond', ...)). -#}
    {{ return(adapter.dispatch('milliseconds_between')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__milliseconds_between(start_timestamp, end_timestamp) -%}
    date_diff('millisecond', {{ start_timestamp }}, {{ end_timestamp }})
{%- endmacro %}

{% macro spark__milliseconds_between(start_timestamp, end_timestamp) -%}
    (unix_millis({{ end_timestamp }}) - unix_millis({{ start_timestamp }}))
{%- endmacro %}


{% macro timestamp_minus(timestamp, count, unit) -%}
    {#-
        `timestamp` minus `count` of `unit` (month, day, hour, minute, second); a month back from the 31st
        ends on the month's last day on both engines.
    -#}
    {{ return(adapter.dispatch('timestamp_minus')(timestamp, count, unit)) }}
{%- endmacro %}

{% macro default__timestamp_minus(timestamp, count, unit) -%}
    {{ timestamp }} - to_{{ unit }}s({{ count }})
{%- endmacro %}

{% macro spark__timestamp_minus(timestamp, count, unit) -%}
    timestampadd({{ unit }}, -({{ count }}), {{ timestamp }})
{%- endmacro %}


{% macro quoted_identifier(name) -%}
    {#-
        A column name that is a keyword (LiteLLM's `user`), quoted: adapter.quote, as a macro so that the lint
        stand-ins (sqlfluff_libs, which have no adapter.quote) render it too.
    -#}
    {{ return(adapter.dispatch('quoted_identifier')(name)) }}
{%- endmacro %}

{% macro default__quoted_identifier(name) -%}
    "{{ name }}"
{%- endmacro %}

{% macro spark__quoted_identifier(name) -%}
    `{{ name }}`
{%- endmacro %}
