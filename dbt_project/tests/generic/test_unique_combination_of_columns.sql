{#-
    No two rows share the same values in combination_of_columns (a multi-column primary key).

    latest_build_only (for an incremental table that replaces whole days and stamps each row with built_at, macro
    build_started_at): only the keys of the rows its latest build wrote are checked, each against every row of the
    table, so a new request that repeats one of an older day still fails. The rows of other days are unchanged since
    the build that wrote them and checked them. With the day column in the key, no row of another day can share a
    key, and the table is read for the latest build's days only; without it, the whole table's key columns are read
    once against the new keys (a semi join), not grouped whole: at 100M requests, a grouping of every key grows
    with the table, while a day's keys stay a day's. After a full build (no row older than the latest build) the
    whole table is the latest build's, and the plain grouping is the cheaper plan: it is used then.
-#}
{% test unique_combination_of_columns(model, combination_of_columns, latest_build_only=false, day_column='usage_date') %}

{%- set columns = combination_of_columns | join(', ') %}
{%- set days, has_older = latest_build_split(model, day_column=day_column) if latest_build_only else [[], false] %}
{%- if not has_older %}

select
    {{ columns }},
    count(*) as n_rows
from {{ model }}
group by {{ columns }}
having count(*) > 1

{%- else %}
{%- set in_days = days_in_range(day_column, days) if days else 'false' %}

with

built_keys as (

    select distinct {{ columns }}
    from {{ model }}
    where {{ in_days }}

)

select
    {%- for column in combination_of_columns %}
    checked.{{ column }},
    {%- endfor %}
    count(*) as n_rows
from {{ model }} as checked
where
    {% if day_column in combination_of_columns -%}
        {{ days_in_range('checked.' ~ day_column, days) if days else 'false' }} and
    {%- endif %}
    exists (
        select 1
        from built_keys
        where
            {%- for column in combination_of_columns %}
            built_keys.{{ column }} = checked.{{ column }}{{ ' and' if not loop.last }}
            {%- endfor %}
    )
group by {% for column in combination_of_columns %}checked.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
having count(*) > 1

{%- endif %}

{% endtest %}
