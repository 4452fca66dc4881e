{#- Shared by the contract models (int_usage_discounted, int_usage_contracted). -#}

{% macro usage_grain() -%}
    {#- The columns that identify one row of int_usage_priced and the models built on it. -#}
    {{ return([
        'usage_date', 'provider', 'account_id', 'api_key_id', 'model_raw', 'service_tier', 'context_tier',
        'inference_geo', 'usage_type',
    ]) }}
{%- endmacro %}


{% macro split_in_proportion(total, through_row, row_share, whole) -%}
    {#-
        A row's part of `total`, shared in proportion to `row_share` out of `whole` (> 0), where `through_row` is
        the running sum of row_share up to and including the row: total x through_row / whole, rounded, less
        the same for the rows before. The rounding residue thus lands so that the parts add up to total exactly.
    -#}
    {{ exact_divide(total ~ ' * ' ~ through_row, whole) }}
    - {{ exact_divide(total ~ ' * (' ~ through_row ~ ' - ' ~ row_share ~ ')', whole) }}
{%- endmacro %}
