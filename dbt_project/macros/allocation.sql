{#-
    Exact splits of money (fct_allocated_cost_daily): DuckDB divides DECIMALs in DOUBLE, so amounts and
    weights are scaled to whole units of 10^-12 (whole_number_type) and divided as integers (whole_quotient).
    Exact while amount x weight stays below 10^14 (both in units of 1: e.g. $1M x a weight of 10^8).
-#}

{% macro split_units(name, amount, weight, line) -%}
    {#-
        Columns <name>_units (the line's `amount` in 10^-12 USD) and <name>_parts (this row's share, rounded
        toward zero: amount x weight / the sum of the line's weights). `line`: the columns that identify a line.
    -#}
    {%- set units = 'cast(cast(' ~ amount ~ ' as decimal(38, 12)) * 1000000000000 as ' ~ whole_number_type() ~ ')' -%}
    {%- set weight_units = 'cast(cast(' ~ weight ~ ' as decimal(38, 12)) * 1000000000000 as ' ~ whole_number_type() ~ ')' -%}
    {{ units }} as {{ name }}_units,
    case when {{ units }} < 0 then -1 else 1 end
    * {{ whole_quotient(
        'abs(' ~ units ~ ') * ' ~ weight_units,
        'sum(' ~ weight_units ~ ') over (partition by ' ~ line | join(', ') ~ ')'
    ) }}
        as {{ name }}_parts
{%- endmacro %}


{% macro split_exactly(name, line, order_by) -%}
    {#-
        The row's share of its line in USD (money_type), from the columns of split_units: its rounded-down part,
        plus, for the line's first row by `order_by` (the largest weight first), the residue (the line's amount
        minus the sum of its parts, under one 10^-12 unit per row), so a line's shares sum to its amount exactly.
    -#}
    cast(
        cast(
            {{ name }}_parts
            + case
                when row_number() over (partition by {{ line | join(', ') }} order by {{ order_by }}) = 1
                    then {{ name }}_units - sum({{ name }}_parts) over (partition by {{ line | join(', ') }})
                else 0
            end
            as decimal(38, 0)
        )
        * cast(0.000000000001 as decimal(13, 12))
        as {{ money_type() }}
    )
{%- endmacro %}


{% macro direct_owner_matches(relation, key, feature_default=none) -%}
    {#-
        A SELECT for a CTE body: for each row of `relation` (identified by its `key` columns, among them usage_date,
        provider, account_id and api_key_id), every finops.yaml owner rule (the caller's `owners` CTE:
        stg_config__ownership_owners) that covers it on its day, ranked by match_rank: the key's rule before its
        account's, then the rule's place in the file. match_rank 1 is the row's direct owner, for the allocated
        ledger (fct_allocated_cost_daily) and the FOCUS export's x_Team / x_Feature alike. feature_default: what a
        rule without a feature gives (none: NULL).
    -#}
    select
        {{ relation }}.{{ key | join(', ' ~ relation ~ '.') }},
        owners.rule_id,
        owners.team,
        {% if feature_default is none %}owners.feature{% else %}coalesce(owners.feature, '{{ feature_default }}'){% endif %}
            as feature,
        row_number() over (
            partition by {{ relation }}.{{ key | join(', ' ~ relation ~ '.') }}
            order by case when owners.api_key_id is null then 1 else 0 end, owners.priority
        ) as match_rank
    from {{ relation }}
    inner join owners
        on
            {{ relation }}.provider = owners.provider
            and {{ relation }}.account_id = owners.account_id
            and (owners.api_key_id is null or {{ relation }}.api_key_id = owners.api_key_id)
            and (owners.valid_from is null or {{ relation }}.usage_date >= owners.valid_from)
            and (owners.valid_to is null or {{ relation }}.usage_date < owners.valid_to)
{%- endmacro %}
