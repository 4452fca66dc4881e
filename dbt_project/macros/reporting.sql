{#-
    Reporting time zone (finops.yaml `reporting`, DESIGN §6): facts keep UTC timestamps and UTC days; a mart
    that reports local days converts with this one macro, so another adapter overrides one small function.
-#}

{% macro utc_to_local(utc_timestamp, time_zone) -%}
    {#- A naive UTC timestamp -> the naive wall-clock timestamp in `time_zone` (an IANA name; SQL expression). -#}
    {{ return(adapter.dispatch('utc_to_local')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__utc_to_local(utc_timestamp, time_zone) -%}
    (({{ utc_timestamp }}) at time zone 'UTC' at time zone ({{ time_zone }}))
{%- endmacro %}

{% macro duckdb__utc_to_local(utc_timestamp, time_zone) -%}
    {#- ICU is built in: timezone('UTC', naive) reads the value as UTC (timestamptz, whatever the session zone),
        timezone(zone, timestamptz) gives the wall clock there. -#}
    timezone({{ time_zone }}, timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}

{% macro spark__utc_to_local(utc_timestamp, time_zone) -%}
    from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }})
{%- endmacro %}
