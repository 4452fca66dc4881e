{#-
    finops.yaml's ownership.request_rules, one condition each: a request whose match_field (team, feature,
    user, api_key_alias, or tag: the tag tag_key) equals match_value goes to team [and feature]; the rule of
    lowest priority (first in the file) wins.
-#}

with

source as (

    select * from {{ source('config', 'ownership_request_rules') }}

),

final as (

    select
        ----------  ids
        rule_id,
        team,

        ----------  strings
        match_field,
        tag_key,
        match_value,
        feature,

        ----------  numerics
        priority

    from source

)

select * from final
