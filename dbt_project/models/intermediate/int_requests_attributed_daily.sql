{#-
    int_requests_attributed rolled up to one row per UTC day x provider x model x team x feature x is_priced:
    requests (count) and list_cost_usd (sum; NULL for the unpriced groups, never $0). The monthly marts
    (mart_showback_monthly, mart_unit_economics_monthly) read this instead of every request: a month of them is
    a few thousand rows here. Incremental by day like int_requests_attributed: a build replaces the days that
    table rebuilt since this one's last build (attributed_built_at). Unpriced groups are kept so that a day whose
    requests all lost their price still has rows, and so replaces its old ones.
-#}

{{ config(**replace_days_config()) }}

with

attributed as (

    select * from {{ ref('int_requests_attributed') }}
    {% if is_incremental() -%}
        where {{ days_rebuilt_upstream(ref('int_requests_attributed'), 'attributed_built_at') }}
    {%- endif %}

),

final as (

    select
        ----------  ids
        usage_date,
        provider,
        model_id,
        team,
        feature,

        ----------  numerics
        count(*) as requests,
        {{ to_usd_decimal('sum(list_cost_usd)') }} as list_cost_usd,

        ----------  booleans
        is_priced,

        ----------  build metadata
        max(built_at) as attributed_built_at,
        {{ build_started_at() }} as built_at

    from attributed
    group by usage_date, provider, model_id, team, feature, is_priced

)

select * from final
