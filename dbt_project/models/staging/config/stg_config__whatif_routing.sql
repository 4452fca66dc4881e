{#- finops.yaml's routing rules (section whatif, key routing), as orchestration/whatif.py wrote them. -#}

with

source as (

    select * from {{ source('config', 'whatif_routing') }}

),

final as (

    select
        ----------  ids
        rule,

        ----------  strings
        scope_provider,
        scope_models,
        to_model,

        ----------  numerics
        cast(max_input_tokens as bigint) as max_input_tokens,
        cast(max_output_tokens as bigint) as max_output_tokens

    from source

)

select * from final
