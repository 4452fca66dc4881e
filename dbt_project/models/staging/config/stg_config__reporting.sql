{#- finops.yaml's reporting settings (section reporting), as orchestration/reporting.py wrote them: one row. -#}

with

source as (

    select * from {{ source('config', 'reporting') }}

),

final as (

    select
        ----------  strings
        time_zone,
        week_start,

        ----------  numerics
        cast(fiscal_year_start_month as integer) as fiscal_year_start_month,
        cast(case week_start when 'sunday' then 7 when 'saturday' then 6 else 1 end as integer) as week_start_isodow

    from source

)

select * from final
