{#-
    Money on the warehouse's money path is exact DECIMAL, never DOUBLE (DESIGN §5).

    DuckDB note: `DECIMAL / DECIMAL` and `DECIMAL / INTEGER` return DOUBLE. So unit conversions multiply by an
    exact decimal constant (0.01, 0.001, 0.000001) instead of dividing, and every result is cast back to
    money_type(). DECIMAL x DECIMAL stays DECIMAL (scale = sum of scales), which the final cast trims.
-#}

{% macro money_type() -%}
    {{ return(adapter.dispatch('money_type')()) }}
{%- endmacro %}

{% macro default__money_type() -%}
    decimal(38,12)
{%- endmacro %}


{% macro to_usd_decimal(expression) -%}
    cast({{ expression }} as {{ money_type() }})
{%- endmacro %}


{% macro cents_to_usd(cents_column) -%}
    cast(cast({{ cents_column }} as {{ money_type() }}) * cast(0.01 as decimal(3,2)) as {{ money_type() }})
{%- endmacro %}


{% macro price_quantity(quantity, unit_price, unit) -%}
    {#- quantity x list price per `unit`; NULL price -> NULL cost (never 0). -#}
    cast(
        cast(cast({{ quantity }} as decimal(38,0)) * cast({{ unit_price }} as {{ money_type() }}) as {{ money_type() }})
        * case {{ unit }}
            when 'per_1m_tokens' then cast(0.000001 as decimal(7,6))
            when 'per_1k_requests' then cast(0.001 as decimal(4,3))
            when 'per_1k_searches' then cast(0.001 as decimal(4,3))
            else cast(1 as decimal(1,0))
        end
        as {{ money_type() }}
    )
{%- endmacro %}
