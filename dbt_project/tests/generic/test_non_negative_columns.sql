{#-
    None of column_names is below zero (nulls pass: not_null_columns says where nulls are wrong): the rows where one
    of them is. One test per model for all its never-negative columns, as not_null_columns is for its not-null
    ones: dbt spends about 20 ms of its own on every test node, and the per-column tests were 41 of the 213 tests an
    increment at demo size ran (bench/RESULTS.md, session 55). Which columns held the negatives is worked out when
    the test fails (orchestration/quality/dbt_tests.py) and shown on Data health.
-#}
{% test non_negative_columns(model, column_names) %}

select {{ column_names | join(', ') }}
from {{ model }}
where
    {%- for column in column_names %}
    {{ 'or ' if not loop.first }}{{ column }} < 0
    {%- endfor %}

{% endtest %}
