{#-
    Conformed users (kind users, read by int_users_unioned): every member of the organisation as the
    anthropic users list gives them. They name the people who own or created API keys (dim_api_key).
-#}

with

source as (

    select * from {{ source('anthropic', 'users') }}

),

final as (

    -- the columns of the users kind, in its order
    select
        'anthropic' as provider,
        id as user_id,
        name as user_name,
        email,
        role,
        added_at
    from source

)

select * from final
