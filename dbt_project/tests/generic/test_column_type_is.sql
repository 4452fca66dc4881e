{#-
    The column's data type, as the warehouse reports it for the built relation, is data_type (compared
    case-insensitively, ignoring spaces). Views report the type their SQL computes, so this proves that
    e.g. a money column stays DECIMAL(38,12) and never silently becomes DOUBLE. Returns one row on mismatch.
-#}
{% test column_type_is(model, column_name, data_type) %}

{%- set found = namespace(data_type=none) -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- if column.name | lower == column_name | lower -%}
            {%- set found.data_type = column.data_type -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- set expected = data_type | lower | replace(' ', '') -%}
{%- set actual = (found.data_type or 'missing') | string | lower | replace(' ', '') -%}

select
    '{{ column_name }}' as column_name,
    '{{ actual }}' as actual_data_type,
    '{{ expected }}' as expected_data_type
where {{ 'false' if (not execute or actual == expected) else 'true' }}

{% endtest %}
