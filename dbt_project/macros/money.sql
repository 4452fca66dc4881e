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


{% macro price_quantity(quantity, unit_price, unit, quantity_type='decimal(38,0)') -%}
    {#-
        quantity x list price per `unit`; NULL price -> NULL cost (never 0). Units (pricing_seeds/usage_types.csv):
        per_1m_tokens, per_1m_characters (x 0.000001); per_1k_requests, per_1k_searches (x 0.001); per_image,
        per_second, per_session, unit (x 1); per_gib_day: the quantity is bytes held over a 1-day bucket, so
        GiB-days = bytes / 2^30, multiplied by the exact decimal 2^-30 (30 places) and kept to 18 places before
        the price (an error below $1e-15 per row). Any other unit is an error, never a silent x 1.
        quantity_type: the exact type the quantity is taken as (whole units by default; a what-if's fractional
        token quantities pass decimal(38,8)); bytes are always whole (2^-30 takes all the scale there is).
    -#}
    case
        when {{ unit }} = 'per_gib_day' then cast(
            cast(
                cast({{ quantity }} as decimal(38,0)) * cast(0.000000000931322574615478515625 as decimal(31,30))
                as decimal(38,18)
            )
            * cast({{ unit_price }} as {{ money_type() }})
            as {{ money_type() }}
        )
        else cast(
            cast(cast({{ quantity }} as {{ quantity_type }}) * cast({{ unit_price }} as {{ money_type() }}) as {{ money_type() }})
            * {{ unit_multiplier(unit) }}
            as {{ money_type() }}
        )
    end
{%- endmacro %}


{% macro unit_multiplier(unit) -%}
    {#- what a price per `unit` is multiplied by per unit of quantity, an exact decimal; NULL for any unit not listed
        (per_gib_day has its own arithmetic: macro price_quantity) -#}
    case {{ unit }}
        when 'per_1m_tokens' then cast(0.000001 as decimal(7,6))
        when 'per_1m_characters' then cast(0.000001 as decimal(7,6))
        when 'per_1k_requests' then cast(0.001 as decimal(4,3))
        when 'per_1k_searches' then cast(0.001 as decimal(4,3))
        when 'per_image' then cast(1 as decimal(1,0))
        when 'per_second' then cast(1 as decimal(1,0))
        when 'per_session' then cast(1 as decimal(1,0))
        when 'unit' then cast(1 as decimal(1,0))
    end
{%- endmacro %}


{% macro quantity_unit_price(unit_price, unit) -%}
    {#-
        The price of one unit of quantity (one token of a price per_1m_tokens) in money_type(), where that is exact:
        NULL when the price per unit of quantity has more decimal places than money_type() keeps, for per_gib_day
        (its bytes are rounded before the price), for a unit not listed and for a NULL price. Worked out once per
        price, for macro price_quantity_at.
    -#}
    {%- set per_quantity -%}
        cast({{ unit_price }} as {{ money_type() }}) * {{ unit_multiplier(unit) }}
    {%- endset %}
    case
        when cast({{ per_quantity }} as {{ money_type() }}) = {{ per_quantity }}
            then cast({{ per_quantity }} as {{ money_type() }})
    end
{%- endmacro %}


{% macro price_quantity_at(quantity, quantity_unit_price, unit_price, unit) -%}
    {#-
        The value of price_quantity(quantity, unit_price, unit), whole quantities, to the last decimal place, given
        quantity_unit_price = quantity_unit_price(unit_price, unit) of the same price. Where that is not NULL, the
        quantity x the price per unit of quantity is exact in money_type(): the same value as price_quantity's
        quantity x price, x the unit's multiplier, rounded to money_type(), which has nothing to round. One
        multiplication per row instead of two and a rounding (the costly step: rounding a 38-digit decimal).
    -#}
    case
        when {{ quantity_unit_price }} is not null then cast(
            cast({{ quantity }} as decimal(38,0)) * {{ quantity_unit_price }} as {{ money_type() }}
        )
        else {{ price_quantity(quantity, unit_price, unit) }}
    end
{%- endmacro %}


{% macro usd_at_rate(amount, rate) -%}
    {#-
        `amount` in a currency whose exchange rate is `rate` units per US dollar, in USD: amount / rate
        (macro exact_divide). `rate` must be > 0 (a NULL rate gives NULL, never the amount unconverted).
    -#}
    {{ exact_divide(amount, rate) }}
{%- endmacro %}


{% macro exact_divide(amount, divisor) -%}
    {#- Dispatched: Spark's spelling is spark__exact_divide (macros/portable_billing.sql). -#}
    {{ return(adapter.dispatch('exact_divide')(amount, divisor)) }}
{%- endmacro %}

{% macro default__exact_divide(amount, divisor) -%}
    {#-
        amount / divisor exact to the money scale (12 places), rounded half away from zero. DuckDB divides
        DECIMALs in DOUBLE, so this divides whole numbers instead: both sides scaled by 10^12 to HUGEINT, the
        quotient scaled by 10^12 more. Exact for amounts up to about 8 x 10^13 with 12 places and divisors with
        up to 12 places; `divisor` must be > 0 (NULL gives NULL).
    -#}
    cast(
        cast(
            sign(cast({{ amount }} as decimal(38,12)))
            * (
                (
                    abs(cast(cast({{ amount }} as decimal(38,12)) * 1000000000000 as hugeint))
                    * cast(2000000000000 as hugeint)
                    + cast(cast({{ divisor }} as decimal(38,12)) * 1000000000000 as hugeint)
                )
                // (cast(cast({{ divisor }} as decimal(38,12)) * 2000000000000 as hugeint))
            )
            as decimal(38,0)
        )
        * cast(0.000000000001 as decimal(13,12))
        as {{ money_type() }}
    )
{%- endmacro %}
