{#-
    One failing row per day (`date_column`) on which some row's |variance| (the column) is over its tolerance (the
    row's own `tolerance` column): the day, how many rows, and the largest variance over tolerance. Scope it with
    the test's `where` config.
-#}
{% test days_out_of_tolerance(model, column_name, tolerance, date_column) %}

select
    {{ date_column }},
    count(*) as rows_out_of_tolerance,
    max(abs({{ column_name }}) - {{ tolerance }}) as largest_excess
from {{ model }}
where abs({{ column_name }}) > {{ tolerance }}
group by {{ date_column }}

{% endtest %}
