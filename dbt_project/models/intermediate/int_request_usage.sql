{#-
    One row per request: int_requests_unioned with a request logged twice (the same request_id from the same
    source in two files, a re-exported file, a re-pulled day) kept once, the copy landed last winning; its
    model resolved (macro resolve_model_id, the rule usage and billing use); its prompt size (all input
    tokens, cached and cache writes included), and the prompt-size tier it is priced in.

    Long-context tiers are a cliff on the request's own prompt size: a request whose prompt is over a tier's
    bound (price_book.prompt_tokens_gt) has all its tokens priced at that tier. prompt_tokens_gt here is the
    largest bound any price-book row uses that the prompt exceeds (0 when none), so the price lookup (macro
    price_usage) picks, for the request's model, its own largest tier at or below it: the same tier the
    request's own prompt size would pick, with few distinct price keys.
-#}

with

model_aliases as (

    select * from {{ ref('stg_pricing__model_aliases') }}

),

genai_prices_model_matches as (

    select * from {{ ref('stg_pricing__genai_prices_model_matches') }}

),

price_book as (

    select * from {{ ref('stg_pricing__price_book') }}

),

-- each request a source logged more than once on a day, by a hash of its id: a count over three narrow columns. Only
-- those requests go through the ranking window below; every other request streams through, so that a full build
-- does not hold (and at 100M requests spill) every column of every request for the window. An id whose hash
-- another id shares is only sent to the window too, where it is its own partition. An incremental build's day filter
-- reaches this count through the joins below as a range (macro days_in_range), so it counts those days only.
copied as (

    select
        source,
        usage_date,
        hash(request_id) as request_hash
    from {{ ref('int_requests_unioned') }}
    group by source, usage_date, hash(request_id)
    having count(*) > 1

),

-- a request logged once. The requests are read from int_requests_unioned here and below, not from a CTE: a CTE read
-- twice is materialized whole by DuckDB, every column of every request, before a day filter can reach it
single_copies as (

    select
    {%- for column, _ in request_line_columns() %}
            requests.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('int_requests_unioned') }} as requests
    left join copied
        on
            requests.source = copied.source
            and requests.usage_date = copied.usage_date
            and hash(requests.request_id) = copied.request_hash
    where copied.request_hash is null

),

-- a request logged more than once: the copy landed last wins
latest_of_copies as (

    select * from (
        select
            requests.*,
            row_number() over (
                -- the day is part of the key, so that a filter on usage_date reaches the raw rows (the
                -- incremental marts build a few days); a request's start, so its day, is the same in every copy
                partition by requests.source, requests.usage_date, requests.request_id
                order by requests.loaded_at desc, requests.requested_at desc
            ) as copy_rank
        from {{ ref('int_requests_unioned') }} as requests
        inner join copied
            on
                requests.source = copied.source
                and requests.usage_date = copied.usage_date
                and hash(requests.request_id) = copied.request_hash
    ) as ranked
    where copy_rank = 1

),

latest_copies as (

    select * from single_copies
    union all  -- the same columns in the same order
    select
    {%- for column, _ in request_line_columns() %}
            {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from latest_of_copies

),

resolved as (

    -- the names from the requests as landed, not from latest_copies: a second use of latest_copies would keep
    -- an incremental model's day filter from reaching the raw rows; read by day, so that the filter reaches them too
    -- (macro resolve_model_id)
    {{ resolve_model_id('latest_copies', names_from=ref('int_requests_unioned'), names_by_day=true) }}

),

sized as (

    select
        resolved.*,
        coalesce(resolved.input_tokens, 0)
        + coalesce(resolved.cache_read_tokens, 0)
        + coalesce(resolved.cache_write_tokens, 0)
        + coalesce(resolved.cache_write_1h_tokens, 0) as prompt_tokens
    from resolved

),

-- the price book's distinct prompt-size bounds, one list (a handful of values)
tier_bounds as (

    select {{ agg_distinct_list('prompt_tokens_gt') }} as bounds
    from price_book

),

final as (

    select
        ----------  ids
        sized.request_id,
        sized.source,
        sized.provider,
        sized.model_raw,
        sized.model_id,
        sized.service_tier,

        ----------  strings
        sized.status,
        sized.user_id,
        sized.team,
        sized.feature,
        sized.api_key_alias,
        sized.session_id,
        sized.tags,

        ----------  numerics
        sized.latency_ms,
        sized.prompt_tokens,
        -- the largest bound the prompt exceeds (row by row: no join or aggregate over all requests)
        coalesce({{ list_max_below('tier_bounds.bounds', 'sized.prompt_tokens') }}, 0)
            as prompt_tokens_gt,
        coalesce(sized.input_tokens, 0) as input_tokens,
        coalesce(sized.cache_read_tokens, 0) as cache_read_tokens,
        coalesce(sized.cache_write_tokens, 0) as cache_write_tokens,
        coalesce(sized.cache_write_1h_tokens, 0) as cache_write_1h_tokens,
        coalesce(sized.output_tokens, 0) as output_tokens,
        coalesce(sized.reasoning_tokens, 0) as reasoning_tokens,
        sized.reported_cost_usd,

        ----------  dates and timestamps
        sized.usage_date,
        sized.requested_at,
        sized.loaded_at

    from sized
    cross join tier_bounds

)

select * from final
