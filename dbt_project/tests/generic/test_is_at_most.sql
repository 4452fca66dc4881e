{#-
    The column never exceeds another column of the same row (`other`): a part never larger than its whole
    (OpenAI's cached input tokens within its input tokens). Rows where either is null pass (pair with not_null_columns).
-#}
{% test is_at_most(model, column_name, other) %}

select *
from {{ model }}
where {{ column_name }} > {{ other }}

{% endtest %}
