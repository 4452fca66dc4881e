{#-
    Conformed API keys (kind api_keys, read by int_api_keys_unioned): every Anthropic API key as listed, in
    every status. A key of the default workspace (or scoped to the whole organisation) has no workspace id;
    its account is 'default', as in the usage report. The creator is a user id (the list gives no name).
-#}

with

source as (

    select * from {{ source('anthropic', 'api_keys') }}

),

final as (

    -- the columns of the api_keys kind, in its order
    select
        'anthropic' as provider,
        id as api_key_id,
        name as api_key_name,
        coalesce(workspace_id, 'default') as account_id,
        status,
        case when created_by_id is not null then 'user' end as owner_type,
        created_by_id as owned_by,
        created_at
    from source

)

select * from final
