{#- The column is never below zero (nulls pass: pair with not_null_columns where nulls are wrong). -#}
{% test is_non_negative(model, column_name) %}

select *
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
