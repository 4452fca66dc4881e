{#-
    One row per (provider, api_key_id): the keys the sources list (int_api_keys_unioned: OpenAI project keys,
    Anthropic keys, ...), named; and every key seen in usage but listed by no source, so no usage row loses its
    key: a deleted key (status 'unlisted', named by its id), and usage without a key ('(none)': Anthropic
    Console usage, OpenAI usage not grouped by key; status 'none'). An unlisted key's account is the one usage
    shows it under, or NULL when usage shows it under several. A key whose list gives only its owner's user id
    (Anthropic's created_by, an OpenAI owner without a name) is named from the provider's users (dim_user).
-#}

with

api_keys as (

    select * from {{ ref('int_api_keys_unioned') }}

),

usage as (

    select * from {{ ref('int_usage_unioned') }}

),

users as (

    select * from {{ ref('dim_user') }}

),

seen as (

    select
        provider,
        api_key_id,
        case when count(distinct account_id) = 1 then min(account_id) end as account_id
    from usage
    group by provider, api_key_id

),

unlisted as (

    select
        seen.provider,
        seen.api_key_id,
        case when seen.api_key_id = '(none)' then 'No API key' else seen.api_key_id end as api_key_name,
        seen.account_id,
        case when seen.api_key_id = '(none)' then 'none' else 'unlisted' end as status,
        cast(null as string) as owner_type,
        cast(null as string) as owned_by,
        cast(null as timestamp) as created_at,
        false as is_listed
    from seen
    left join api_keys
        on
            seen.provider = api_keys.provider
            and seen.api_key_id = api_keys.api_key_id
    where api_keys.api_key_id is null

),

final as (

    select
        *,
        true as is_listed
    from api_keys

    union all

    select * from unlisted

)

select
    ----------  ids
    final.provider,
    final.api_key_id,
    final.account_id,

    ----------  strings
    coalesce(final.api_key_name, final.api_key_id) as api_key_name,
    final.status,
    final.owner_type,
    coalesce(users.user_name, final.owned_by) as owned_by,

    ----------  booleans
    final.is_listed,

    ----------  timestamps
    final.created_at

from final
left join users
    on
        final.provider = users.provider
        and final.owner_type = 'user'
        and final.owned_by = users.user_id
