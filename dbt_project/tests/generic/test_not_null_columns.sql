{#-
    None of column_names is null: the rows where one of them is, so the failures are the rows with a null (as dbt's
    not_null counts them for one column). One test per model for all its not-null columns, not one per column:
    dbt spends about 20 ms of its own on every test node however small the table, and the per-column tests (271 of
    the 436 tests an increment at demo size ran) were a third of its time. The one scan reads each column once.
    Which columns held the nulls is worked out when the test fails (orchestration/quality/dbt_tests.py) and shown
    on Data health.
-#}
{% test not_null_columns(model, column_names) %}

select {{ column_names | join(', ') }}
from {{ model }}
where
    {%- for column in column_names %}
    {{ 'or ' if not loop.first }}{{ column }} is null
    {%- endfor %}

{% endtest %}
