{#-
    The size distribution of the request logs (issue 11 item 7's routing view): the successful requests of
    fct_request_cost per month x provider x model x prompt-size bucket, with their tokens and list cost. A
    request's size is its prompt: every input token, cached and cache writes included (prompt_tokens).
    Buckets, by prompt tokens: 0-250, 251-1,000, 1,001-4,000, 4,001-16,000, 16,001+. The buckets of a month,
    provider and model add up to its successful requests; months add up to any range. list_cost_usd sums the
    priced requests (NULL when a bucket has only unpriced ones, counted in unpriced_requests). It sums the daily
    roll-up int_request_sizes_daily (incremental by day), not every request.
-#}

with

sizes as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as month -- noqa: RF04
    from {{ ref('int_request_sizes_daily') }}
    where status = 'success'

),

final as (

    select
        ----------  ids
        provider,
        model_id,
        case bucket_floor_tokens
            when 0 then '0-250'
            when 251 then '251-1,000'
            when 1001 then '1,001-4,000'
            when 4001 then '4,001-16,000'
            else '16,001+'
        end as size_bucket,

        ----------  numerics
        cast(bucket_floor_tokens as bigint) as bucket_floor_tokens,
        cast(sum(requests) as bigint) as requests,
        cast(sum(case when is_priced then 0 else requests end) as bigint) as unpriced_requests,
        cast(sum(prompt_tokens) as bigint) as prompt_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        {{ to_usd_decimal('sum(case when is_priced then list_cost_usd end)') }} as list_cost_usd,

        ----------  dates
        month

    from sizes
    group by month, provider, model_id, bucket_floor_tokens

)

select * from final
