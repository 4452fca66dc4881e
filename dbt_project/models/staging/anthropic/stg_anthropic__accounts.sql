{#-
    Conformed accounts (kind accounts, read by int_accounts_unioned): Anthropic workspaces as listed, plus
    the organisation's default workspace, which the list never contains: the reports' null workspace_id,
    account_id 'default' (stg_anthropic__messages_usage, stg_anthropic__cost_report), named
    'Default workspace', always active. An organisation with workspaces always has the default workspace
    too: the row is not listed (is_listed false), and dim_account keeps such a row whenever this source lists
    any account or reports usage or costs for it.
-#}

with

workspaces as (

    select * from {{ ref('stg_anthropic__workspaces') }}

),

listed as (

    select
        provider,
        account_id,
        account_name,
        status,
        true as is_listed,
        created_at,
        archived_at
    from workspaces

),

default_workspace as (

    select
        'anthropic' as provider,
        'default' as account_id,
        'Default workspace' as account_name,
        'active' as status,
        false as is_listed,
        cast(null as timestamp) as created_at,
        cast(null as timestamp) as archived_at

),

final as (

    -- the columns of the accounts kind, in its order
    select * from listed

    union all

    select * from default_workspace

)

select * from final
