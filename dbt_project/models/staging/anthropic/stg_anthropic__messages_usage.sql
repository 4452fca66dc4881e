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
        -- a speed other than standard (fast mode) is priced as its own tier, a multiple of the standard
        -- prices: 'fast' on the standard tier, '<tier>_<speed>' on another (no published price: unpriced,
        -- never the standard price)
        case
            when coalesce(lower(speed), 'standard') = 'standard' then coalesce(lower(service_tier), 'standard')
            when coalesce(lower(service_tier), 'standard') = 'standard' then lower(speed)
            else lower(service_tier) || '_' || lower(speed)
        end as service_tier,
        coalesce(context_window, 'all') as context_tier,
        inference_geo,
        coalesce(lower(speed), 'standard') as speed,

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
