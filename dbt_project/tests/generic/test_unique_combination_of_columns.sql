{#-
    No two rows share the same values in combination_of_columns (a multi-column primary key).

    latest_build_only (for an incremental table that replaces whole days and stamps each row with built_at, macro
    build_started_at): only the keys of the rows its latest build wrote are checked, each against every row of the
    table, so a new request that repeats one of an older day still fails. The rows of other days are unchanged since
    the build that wrote them and checked them. With the day column in the key, no row of another day can share a
    key, and the table is read for the latest build's days only; without it, the whole table's key columns are read
    once against the new keys (a semi join), not grouped whole: at 100M requests, a grouping of every key grows
    with the table, while a day's keys stay a day's. After a full build (no row older than the latest build) the
    whole table is the latest build's, and a grouping of the whole table is the cheaper plan: it is used then.

    That grouping is by a hash of the key first (one number a row), and only the rows whose hash is shared are then
    grouped by the key itself, so the answer is exact: a key twice always shares its hash, and two keys that share
    only a hash are told apart by the second grouping. Grouping every row by its text key directly took 1.2-3.0 s
    for each of the request tables' keys at 10M requests, the hash first 1.0-1.3 s.
-#}
{% test unique_combination_of_columns(model, combination_of_columns, latest_build_only=false, day_column='usage_date') %}

{%- set columns = combination_of_columns | join(', ') %}
{%- set days, has_older = latest_build_split(model, day_column=day_column) if latest_build_only else [[], false] %}
{%- if not has_older %}

with

shared_hashes as (

    select hash({{ columns }}) as key_hash
    from {{ model }}
    group by hash({{ columns }})
    having count(*) > 1

)

select
    {{ columns }},
    count(*) as n_rows
from {{ model }}
where hash({{ columns }}) in (select shared_hashes.key_hash from shared_hashes)
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
