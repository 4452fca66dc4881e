{#-
    The accounts every registered source lists (OpenAI projects, Anthropic workspaces, ...), plus the ones a
    source knows exist without listing them (is_listed false, e.g. Anthropic's default workspace), one row
    per (provider, account_id). Each source builds them in its conformed model stg_<source>__accounts (the
    dbt var finops_conformed names them; macro union_conformed).
-#}

with

accounts as (

    {{ union_conformed('accounts', [
        ('provider', 'string'),
        ('account_id', 'string'),
        ('account_name', 'string'),
        ('status', 'string'),
        ('is_listed', 'boolean'),
        ('created_at', 'timestamp'),
        ('archived_at', 'timestamp'),
    ]) }}

)

select * from accounts
