{#-
    finops.yaml's ownership.shared: how ledger rows no owner covers are split. Filters provider, account_id and
    model_like (a LIKE pattern with escape '\', from the file's glob) are NULL when not given; the rule of lowest
    priority that matches wins. method: proportional | even | fixed (shares in stg_config__ownership_shared_shares).
-#}

with

source as (

    select * from {{ source('config', 'ownership_shared') }}

),

final as (

    select
        ----------  ids
        rule_id,
        provider,
        account_id,

        ----------  strings
        model_like,
        method,

        ----------  numerics
        priority

    from source

)

select * from final
