{#-
    Every row is in US dollars, or carries the exchange rate it was converted with (`rate`: the line's own rate,
    so dated by the line; > 0). Without `rate` the source has no rate to convert with, and only USD rows pass.
    A NULL currency fails too: an amount in an unknown currency cannot be taken as dollars.
-#}
{% test is_usd_or_has_rate(model, column_name, rate=none) %}
{%- set converted = "(" ~ rate ~ ") > 0" if rate is not none else "false" %}

select *
from {{ model }}
where
    coalesce(upper({{ column_name }}), '') <> 'USD'
    and not coalesce({{ converted }}, false)

{% endtest %}
