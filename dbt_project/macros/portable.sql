{#-
    Where DuckDB and Spark SQL spell a thing differently (issue 14: the same models on both engines). Each
    macro is dispatched (`adapter.dispatch`), so a model names the operation, never the engine's spelling.
-#}

{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    {#- dbt-spark's own version needs a literal part number; Spark 3.3+ has split_part natively. -#}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}
