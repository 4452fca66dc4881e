{#-
    finops.yaml's ownership.owners: a provider account, or one API key of it (api_key_id not null), owned by a
    team [and feature] over [valid_from, valid_to) (NULL: open). priority = the rule's place in the file.
-#}

with

source as (

    select * from {{ source('config', 'ownership_owners') }}

),

final as (

    select
        ----------  ids
        rule_id,
        provider,
        account_id,
        api_key_id,
        team,

        ----------  strings
        feature,

        ----------  numerics
        priority,

        ----------  dates
        valid_from,
        valid_to

    from source

)

select * from final
