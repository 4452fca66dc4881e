{#-
    The defaults of the app's TCO page (API vs self-hosting), published because the app reads only the serving
    copy: GPU prices per GPU-hour, measured output throughput per serving node and size class, and the scalar
    settings, each with its source, the date read and a confidence (pricing_seeds/tco_defaults.csv).
-#}

with

defaults as (

    select * from {{ ref('stg_pricing__tco_defaults') }}

),

final as (

    select
        ----------  ids
        option_id,
        kind,

        ----------  strings
        gpu,
        offer,
        size_class,
        reference_model,
        setting,
        unit,
        serving_stack,
        source_url,
        confidence,
        notes,

        ----------  numerics
        gpus_per_node,
        default_value,

        ----------  dates
        as_of

    from defaults

)

select * from final
