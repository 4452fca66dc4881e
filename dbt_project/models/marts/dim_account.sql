{#-
    One row per (provider, account_id): OpenAI projects and Anthropic workspaces, named from the providers'
    lists; the Anthropic default workspace (null workspace_id in the reports) as 'default'; and every account
    seen in usage or costs but missing from the lists (status 'unlisted'), so no fact row loses its account.
-#}

with

openai_projects as (

    select * from {{ ref('stg_openai__projects') }}

),

anthropic_workspaces as (

    select * from {{ ref('stg_anthropic__workspaces') }}

),

usage as (

    select * from {{ ref('int_usage_unioned') }}

),

billed as (

    select * from {{ ref('int_billed_costs_unioned') }}

),

listed as (

    select provider, account_id, account_name, status, created_at, archived_at
    from openai_projects

    union all

    select provider, account_id, account_name, status, created_at, archived_at
    from anthropic_workspaces

),

seen as (

    select distinct provider, account_id from usage

    union

    select distinct provider, account_id from billed

    union

    -- an organisation with workspaces always has the default workspace too
    select distinct provider, 'default' as account_id from anthropic_workspaces

),

unlisted as (

    select
        seen.provider,
        seen.account_id,
        case
            when seen.provider = 'anthropic' and seen.account_id = 'default' then 'Default workspace'
            else seen.account_id
        end as account_name,
        case
            when seen.provider = 'anthropic' and seen.account_id = 'default' then 'active'
            else 'unlisted'
        end as status,
        cast(null as timestamp) as created_at,
        cast(null as timestamp) as archived_at
    from seen
    left join listed
        on seen.provider = listed.provider
        and seen.account_id = listed.account_id
    where listed.account_id is null

),

final as (

    select *, true as is_listed from listed

    union all

    select *, false as is_listed from unlisted

)

select
    ----------  ids
    provider,
    account_id,

    ----------  strings
    coalesce(account_name, account_id) as account_name,
    status,

    ----------  booleans
    is_listed,

    ----------  timestamps
    created_at,
    archived_at

from final
