{#-
    Every row satisfies a SQL boolean expression. At column level, the expression is appended to the column:
    `expression: ">= 0"` on column x tests `x >= 0`. Rows where the expression is null pass (use not_null_columns).
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
{% if column_name is none %}
where not ({{ expression }})
{% else %}
where not ({{ column_name }} {{ expression }})
{% endif %}

{% endtest %}
