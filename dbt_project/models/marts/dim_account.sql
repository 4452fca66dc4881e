{#-
    One row per (provider, account_id): the accounts the sources list (int_accounts_unioned: OpenAI projects,
    Anthropic workspaces, ...); the accounts a source knows exist without listing them (is_listed false, e.g.
    the Anthropic default workspace), kept when the source lists any account or the facts mention them; and
    every account seen in usage or costs but known to no source (status 'unlisted', named by its id), so no
    fact row loses its account.
-#}

with

accounts as (

    select * from {{ ref('int_accounts_unioned') }}

),

usage as (

    select * from {{ ref('int_usage_unioned') }}

),

billed as (

    select * from {{ ref('int_billed_costs_unioned') }}

),

listed as (

    select * from accounts
    where is_listed

),

providers_with_a_list as (

    select distinct provider from listed

),

seen as (

    select distinct
        provider,
        account_id
    from usage

    union

    select distinct
        provider,
        account_id
    from billed

),

-- known to the source without being listed: kept when its source lists accounts or the facts mention it
implied as (

    select accounts.*
    from accounts
    left join listed
        on
            accounts.provider = listed.provider
            and accounts.account_id = listed.account_id
    left join providers_with_a_list
        on accounts.provider = providers_with_a_list.provider
    left join seen
        on
            accounts.provider = seen.provider
            and accounts.account_id = seen.account_id
    where
        not accounts.is_listed
        and listed.account_id is null
        and (providers_with_a_list.provider is not null or seen.account_id is not null)

),

known as (

    select * from listed

    union all

    select * from implied

),

unlisted as (

    select
        seen.provider,
        seen.account_id,
        seen.account_id as account_name,
        'unlisted' as status,
        false as is_listed,
        cast(null as timestamp) as created_at,
        cast(null as timestamp) as archived_at
    from seen
    left join known
        on
            seen.provider = known.provider
            and seen.account_id = known.account_id
    where known.account_id is null

),

final as (

    select * from known

    union all

    select * from unlisted

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
