{#-
    Within each partition, half-open [lower, upper) windows do not overlap (null upper = open-ended).
    Returns each overlapping pair once.
-#}
{% test no_overlapping_windows(model, partition_by, lower_bound_column='effective_from', upper_bound_column='effective_to') %}

with

windows as (

    select
        {{ partition_by | join(', ') }},
        {{ lower_bound_column }} as lower_bound,
        coalesce({{ upper_bound_column }}, cast('9999-12-31' as date)) as upper_bound,
        row_number() over (
            partition by {{ partition_by | join(', ') }}
            order by {{ lower_bound_column }}, {{ upper_bound_column }}
        ) as window_number
    from {{ model }}

)

select
    {% for column in partition_by %}earlier.{{ column }}, {% endfor %}
    earlier.lower_bound as earlier_from,
    earlier.upper_bound as earlier_to,
    later.lower_bound as later_from,
    later.upper_bound as later_to
from windows as earlier
inner join windows as later
    on {% for column in partition_by %}earlier.{{ column }} = later.{{ column }} and {% endfor %}earlier.window_number < later.window_number
where earlier.lower_bound < later.upper_bound
    and later.lower_bound < earlier.upper_bound

{% endtest %}
