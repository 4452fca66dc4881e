{#-
    fct_request_cost rolled up to one row per UTC day x provider x model x status x prompt-size bucket x
    is_priced, for mart_request_size_monthly: requests, prompt and output tokens, list cost (NULL for the
    unpriced groups, never $0). A request's size is its prompt: every input token, cached and cache writes
    included (prompt_tokens). Buckets, by prompt tokens: 0-250, 251-1,000, 1,001-4,000, 4,001-16,000, 16,001+,
    each named by its floor (bucket_floor_tokens).

    Incremental by day like int_requests_attributed_daily: a build replaces the days fct_request_cost rebuilt
    since this table's last build (requests_built_at). Failed calls are kept (their own status), so that every
    day fct_request_cost holds has rows here, and a rebuilt day's old rows are always replaced.
-#}

{{ config(**replace_days_config()) }}

with

requests as (

    select * from {{ ref('fct_request_cost') }}
    {% if is_incremental() -%}
        where {{ days_rebuilt_upstream(ref('fct_request_cost'), 'requests_built_at') }}
    {%- endif %}

),

bucketed as (

    select
        usage_date,
        provider,
        status,
        prompt_tokens,
        output_tokens,
        list_cost_usd,
        is_priced,
        built_at,
        coalesce(model_id, '(none)') as model_id,
        case
            when prompt_tokens <= 250 then 0
            when prompt_tokens <= 1000 then 251
            when prompt_tokens <= 4000 then 1001
            when prompt_tokens <= 16000 then 4001
            else 16001
        end as bucket_floor_tokens
    from requests

),

final as (

    select
        ----------  ids
        usage_date,
        provider,
        model_id,
        status,

        ----------  numerics
        cast(bucket_floor_tokens as bigint) as bucket_floor_tokens,
        count(*) as requests,
        cast(sum(prompt_tokens) as bigint) as prompt_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        {{ to_usd_decimal('sum(list_cost_usd)') }} as list_cost_usd,

        ----------  booleans
        is_priced,

        ----------  build metadata
        max(built_at) as requests_built_at,
        {{ build_started_at() }} as built_at

    from bucketed
    group by usage_date, provider, model_id, status, bucket_floor_tokens, is_priced

)

select * from final
