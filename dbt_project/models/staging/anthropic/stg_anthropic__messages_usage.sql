with

source as (

    select * from {{ source('anthropic', 'messages_usage') }}

),

renamed as (

    select

        ----------  ids
        -- a null workspace is the organisation's default workspace
        coalesce(workspace_id, 'default') as account_id,
        -- a null api key is Console / Workbench usage
        coalesce(api_key_id, '(none)') as api_key_id,

        ----------  strings
        'anthropic' as provider,
        coalesce(model, '(none)') as model_raw,
        coalesce(lower(service_tier), 'standard') as service_tier,
        coalesce(context_window, 'all') as context_tier,
        inference_geo,

        ----------  numerics (the input buckets are disjoint)
        case when context_window = '200k-1M' then 200000 else 0 end as prompt_tokens_gt,
        uncached_input_tokens,
        cache_read_input_tokens,
        cache_creation_5m_input_tokens,
        cache_creation_1h_input_tokens,
        output_tokens,
        web_search_requests,

        ----------  dates
        cast(bucket_start as date) as usage_date,

        ----------  timestamps
        bucket_start as bucket_start_at,
        bucket_end as bucket_end_at,
        _loaded_at as loaded_at

    from source

)

select * from renamed
