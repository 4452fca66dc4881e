with

source as (

    select * from {{ source('anthropic', 'workspaces') }}

),

renamed as (

    select

        ----------  ids
        id as account_id,

        ----------  strings
        'anthropic' as provider,
        name as account_name,
        case when archived_at is null then 'active' else 'archived' end as status,

        ----------  timestamps
        created_at,
        archived_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
