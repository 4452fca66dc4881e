{#-
    The members every registered source lists (OpenAI and Anthropic organisation users), one row per
    (provider, user_id). Each source builds them in its conformed model stg_<source>__users (the dbt var
    finops_conformed names them; macro union_conformed).
-#}

with

users as (

    {{ union_conformed('users', [
        ('provider', 'string'),
        ('user_id', 'string'),
        ('user_name', 'string'),
        ('email', 'string'),
        ('role', 'string'),
        ('added_at', 'timestamp'),
    ]) }}

)

select * from users
