{#-
    The members of the organisation at each provider, one row per (provider, user_id), as the providers list
    them (int_users_unioned). dim_api_key names the owners of user-owned keys from it.
-#}

with

users as (

    select * from {{ ref('int_users_unioned') }}

),

final as (

    select
        ----------  ids
        provider,
        user_id,

        ----------  strings
        coalesce(user_name, email, user_id) as user_name,
        email,
        role,

        ----------  timestamps
        added_at

    from users

)

select * from final
