{#-
    Conformed API keys (kind api_keys, read by int_api_keys_unioned): every key of every OpenAI project, as
    listed, named; a key of an archived project is 'archived'. The list has no status of its own: a deleted
    key is no longer listed (dim_api_key keeps it as 'unlisted' while usage mentions it).
-#}

with

source as (

    select * from {{ source('openai', 'api_keys') }}

),

projects as (

    select * from {{ ref('stg_openai__projects') }}

),

final as (

    -- the columns of the api_keys kind, in its order
    select
        'openai' as provider,
        source.id as api_key_id,
        source.name as api_key_name,
        source.project_id as account_id,
        case when projects.status = 'archived' then 'archived' else 'active' end as status,
        source.owner_type,
        coalesce(source.owner_name, source.owner_id) as owned_by,
        source.created_at
    from source
    left join projects
        on source.project_id = projects.account_id

)

select * from final
