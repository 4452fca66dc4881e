{#-
    Conformed accounts (kind accounts, read by int_accounts_unioned): OpenAI projects, every one listed.
-#}

with

projects as (

    select * from {{ ref('stg_openai__projects') }}

),

final as (

    -- the columns of the accounts kind, in its order
    select
        provider,
        account_id,
        account_name,
        status,
        true as is_listed,
        created_at,
        archived_at
    from projects

)

select * from final
