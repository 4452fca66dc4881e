{#-
    Each column of values holds only the values listed for it (nulls pass: not_null_columns says where nulls are
    wrong): the rows where one of them holds another value. One test per model for all its columns with a closed
    list of values, as not_null_columns is for its not-null ones (dbt spends about 20 ms of its own on every test
    node: bench/RESULTS.md, session 55). A text value is compared as a string literal, a number or boolean as
    itself. Which columns held other values is worked out when the test fails (orchestration/quality/dbt_tests.py)
    and shown on Data health.
-#}
{% test accepted_values_columns(model, values) %}

select {{ values.keys() | join(', ') }}
from {{ model }}
where
    {%- for column, accepted in values.items() %}
    {{ 'or ' if not loop.first }}{{ column }} not in ({{ sql_literals(accepted) }})
    {%- endfor %}

{% endtest %}
