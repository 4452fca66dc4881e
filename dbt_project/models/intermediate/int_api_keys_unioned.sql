{#-
    The API keys every registered source lists (OpenAI project keys, Anthropic keys, ...), one row per
    (provider, api_key_id). Each source builds them in its conformed model stg_<source>__api_keys (the dbt var
    finops_conformed names them; macro union_conformed).
-#}

with

api_keys as (

    {{ union_conformed('api_keys', [
        ('provider', 'string'),
        ('api_key_id', 'string'),
        ('api_key_name', 'string'),
        ('account_id', 'string'),
        ('status', 'string'),
        ('owner_type', 'string'),
        ('owned_by', 'string'),
        ('created_at', 'timestamp'),
    ]) }}

)

select * from api_keys
