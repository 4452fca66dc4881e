{#-
    The users of int_requests_attributed per UTC day x team x is_priced, one row per user (user_id NULL for the
    requests that name none), with their requests: the distinct active users of mart_unit_economics_monthly,
    counted over a month of these rows (at most teams x users a day) instead of every request. Incremental by day
    like int_requests_attributed_daily.
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
        team,
        user_id,

        ----------  numerics
        count(*) as requests,

        ----------  booleans
        is_priced,

        ----------  build metadata
        max(built_at) as attributed_built_at,
        {{ build_started_at() }} as built_at

    from attributed
    group by usage_date, team, user_id, is_priced

)

select * from final
