with

source as (

    select * from {{ source('openai', 'projects') }}

),

renamed as (

    select

        ----------  ids
        id as account_id,

        ----------  strings
        'openai' as provider,
        name as account_name,
        status,

        ----------  timestamps
        created_at,
        archived_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
