{#-
    The price lookup of int_usage_priced (its header states the five rules), as a macro so that request-level
    cost (fct_request_cost) prices its usage with exactly the same rules.

    price_usage(usage_relation): a SELECT pricing every row of usage_relation, which has the columns of
    int_usage_unioned (usage_date, provider, account_id, api_key_id, model_raw, service_tier, context_tier,
    inference_geo, usage_type, prompt_tokens_gt, quantity; the first nine identify a row), with the output
    columns of int_usage_priced.

    resolve_models=false: usage_relation already carries model_id (resolved by the caller, e.g. a what-if that
    reprices under a model it names), used as it is instead of resolving model_raw.

    The book is read as of each row's usage_date. To price as of another date, a caller passes distinct price
    keys whose usage_date is that date and joins the prices back to its own rows, which keep their own date for
    grouping (mart_whatif_reprice; fct_request_cost joins distinct keys back the same way).
-#}

{% macro price_usage(usage_relation, resolve_models=true) -%}
{%- set usage_key = [
    'usage_date', 'provider', 'account_id', 'api_key_id', 'model_raw', 'service_tier', 'context_tier',
    'inference_geo', 'usage_type',
] -%}
{%- set candidate_key = usage_key + ['candidate_usage_type'] -%}

with

usage as (

    select * from {{ usage_relation }}

),

{{ model_resolution_ctes() }}

price_modifiers as (

    select * from {{ ref('stg_pricing__price_modifiers') }}

),

usage_types as (

    select * from {{ ref('stg_pricing__usage_types') }}

),

-- 1. model_raw -> model_id (the same rule as billed costs)
resolved as (

    {% if resolve_models -%}
        {{ resolve_model_id('usage') }}
    {%- else -%}
        select * from usage
    {%- endif %}

),

-- 2. fallback chains: usage_type -> (candidate, depth >= 1)
fallback_chains as (

    select
        t0.usage_type,
        t1.usage_type as candidate_usage_type,
        1 as fallback_depth
    from usage_types as t0
    inner join usage_types as t1 on t0.fallback_usage_type = t1.usage_type

    union all

    select
        t0.usage_type,
        t2.usage_type as candidate_usage_type,
        2 as fallback_depth
    from usage_types as t0
    inner join usage_types as t1 on t0.fallback_usage_type = t1.usage_type
    inner join usage_types as t2 on t1.fallback_usage_type = t2.usage_type

    union all

    select
        t0.usage_type,
        t3.usage_type as candidate_usage_type,
        3 as fallback_depth
    from usage_types as t0
    inner join usage_types as t1 on t0.fallback_usage_type = t1.usage_type
    inner join usage_types as t2 on t1.fallback_usage_type = t2.usage_type
    inner join usage_types as t3 on t2.fallback_usage_type = t3.usage_type

),

candidates as (

    select
        {{ usage_key | join(', ') }},
        model_id,
        prompt_tokens_gt,
        usage_type as candidate_usage_type,
        0 as fallback_depth
    from resolved

    union all

    select
        {% for column in usage_key %}resolved.{{ column }},
        {% endfor %}
        resolved.model_id,
        resolved.prompt_tokens_gt,
        fallback_chains.candidate_usage_type,
        fallback_chains.fallback_depth
    from resolved
    inner join fallback_chains on resolved.usage_type = fallback_chains.usage_type

),

-- modifiers, one row per glob alternative of model_pattern, as LIKE patterns
modifier_patterns as (

    select
        price_modifiers.*,
        {{ glob_to_like(dbt.split_part('price_modifiers.model_pattern', "'|'", 'parts.part_number')) }} as model_like
    from price_modifiers
    cross join ({{ small_numbers(pipe_list_max_parts()) }}) as parts
    where {{ dbt.split_part('price_modifiers.model_pattern', "'|'", 'parts.part_number') }} <> ''

),

-- 3. the book rows of each candidate at its tier T (own rows, else the provider-wide '*' rows)
tier_rows as (

    {{ price_book_rows_at_tier(
        lookup='candidates',
        usage_type_column='candidate_usage_type',
        partition_by=candidate_key,
        carry_columns=candidate_key + ['model_id'],
    ) }}

),

-- (a) an explicit row for the usage's service tier
explicit_prices as (

    select
        {{ candidate_key | join(', ') }},
        unit_price_usd as unit_price,
        cast(null as decimal(18, 9)) as price_multiplier,
        candidate_usage_type as book_usage_type,
        unit,
        effective_from,
        price_conf
    from tier_rows
    where book_service_tier = service_tier

),

-- (b) the standard row x a service-tier modifier
tier_modifier_matches as (

    select
        {% for column in candidate_key %}tier_rows.{{ column }},
        {% endfor %}
        tier_rows.unit_price_usd * modifier_patterns.multiplier as unit_price,
        modifier_patterns.multiplier as price_multiplier,
        tier_rows.candidate_usage_type as book_usage_type,
        tier_rows.unit,
        tier_rows.effective_from,
        -- the weaker of the two confidences (A < B < C)
        case
            when coalesce(modifier_patterns.price_conf, 'C') > tier_rows.price_conf
                then coalesce(modifier_patterns.price_conf, 'C')
            else tier_rows.price_conf
        end as price_conf,
        row_number() over (
            partition by
                {% for column in candidate_key %}tier_rows.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %} -- noqa: LT05
            order by {{ modifier_preference('modifier_patterns') }} asc
        ) as modifier_rank
    from tier_rows
    inner join modifier_patterns
        on
            tier_rows.provider = modifier_patterns.provider
            and tier_rows.service_tier = modifier_patterns.service_tier
            and modifier_patterns.base_usage_type is null
            and {{ pipe_list_contains('modifier_patterns.usage_types', 'tier_rows.candidate_usage_type') }}
            and {{ like_escaped("tier_rows.model_id", "modifier_patterns.model_like") }}
            and {{ in_effective_window('tier_rows.usage_date', 'modifier_patterns', open_start=true) }}
    where
        tier_rows.book_service_tier = 'standard'
        and tier_rows.service_tier <> 'standard'

),

tier_modified_prices as (

    select * from tier_modifier_matches
    where modifier_rank = 1

),

-- (c) standard usage only: a modifier on another usage type's standard price (e.g. cache write = 1.25 x input)
base_modifier_matches as (

    select
        {% for column in candidate_key %}candidates.{{ column }},
        {% endfor %}
        candidates.model_id,
        candidates.prompt_tokens_gt,
        modifier_patterns.base_usage_type,
        modifier_patterns.multiplier,
        modifier_patterns.price_conf as modifier_price_conf,
        row_number() over (
            partition by
                {% for column in candidate_key %}candidates.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %} -- noqa: LT05
            order by {{ modifier_preference('modifier_patterns') }} asc
        ) as modifier_rank
    from candidates
    inner join modifier_patterns
        on
            candidates.provider = modifier_patterns.provider
            and candidates.service_tier = modifier_patterns.service_tier
            and modifier_patterns.base_usage_type is not null
            and {{ pipe_list_contains('modifier_patterns.usage_types', 'candidates.candidate_usage_type') }}
            and {{ like_escaped("candidates.model_id", "modifier_patterns.model_like") }}
            and {{ in_effective_window('candidates.usage_date', 'modifier_patterns', open_start=true) }}
    where candidates.service_tier = 'standard'

),

best_base_modifiers as (

    select * from base_modifier_matches
    where modifier_rank = 1

),

base_book_rows as (

    {{ price_book_rows_at_tier(
        lookup='best_base_modifiers',
        usage_type_column='base_usage_type',
        partition_by=candidate_key,
        carry_columns=candidate_key + ['base_usage_type', 'multiplier', 'modifier_price_conf'],
    ) }}

),

base_modified_prices as (

    select
        {{ candidate_key | join(', ') }},
        unit_price_usd * multiplier as unit_price,
        multiplier as price_multiplier,
        base_usage_type as book_usage_type,
        unit,
        effective_from,
        case
            when coalesce(modifier_price_conf, 'C') > price_conf then coalesce(modifier_price_conf, 'C')
            else price_conf
        end as price_conf
    from base_book_rows
    where book_service_tier = 'standard'

),

candidate_prices as (

    select
        {% for column in candidate_key %}candidates.{{ column }},
        {% endfor %}
        candidates.fallback_depth,
        case
            when explicit_prices.unit_price is not null then 'explicit'
            when tier_modified_prices.unit_price is not null then 'modifier'
            when base_modified_prices.unit_price is not null then 'modifier'
        end as price_method,
        coalesce(explicit_prices.unit_price, tier_modified_prices.unit_price, base_modified_prices.unit_price)
            as unit_price,
        case
            when explicit_prices.unit_price is not null then explicit_prices.price_multiplier
            when tier_modified_prices.unit_price is not null then tier_modified_prices.price_multiplier
            else base_modified_prices.price_multiplier
        end as price_multiplier,
        coalesce(
            explicit_prices.book_usage_type, tier_modified_prices.book_usage_type, base_modified_prices.book_usage_type
        )
            as book_usage_type,
        case
            when explicit_prices.unit_price is not null then explicit_prices.unit
            when tier_modified_prices.unit_price is not null then tier_modified_prices.unit
            else base_modified_prices.unit
        end as unit,
        case
            when explicit_prices.unit_price is not null then explicit_prices.effective_from
            when tier_modified_prices.unit_price is not null then tier_modified_prices.effective_from
            else base_modified_prices.effective_from
        end as effective_from,
        case
            when explicit_prices.unit_price is not null then explicit_prices.price_conf
            when tier_modified_prices.unit_price is not null then tier_modified_prices.price_conf
            else base_modified_prices.price_conf
        end as price_conf
    from candidates
    left join explicit_prices
        on {{ join_on_columns('candidates', 'explicit_prices', candidate_key) }}
    left join tier_modified_prices
        on {{ join_on_columns('candidates', 'tier_modified_prices', candidate_key) }}
    left join base_modified_prices
        on {{ join_on_columns('candidates', 'base_modified_prices', candidate_key) }}

),

-- the first candidate in fallback order that has a price
winning_prices as (

    select * from (
        select
            candidate_prices.*,
            row_number() over (
                partition by {{ usage_key | join(', ') }}
                order by candidate_prices.fallback_depth
            ) as candidate_rank
        from candidate_prices
        where candidate_prices.unit_price is not null
    ) as ranked
    where candidate_rank = 1

),

tier_priced as (

    select
        {% for column in usage_key %}resolved.{{ column }},
        {% endfor %}
        resolved.model_id,
        resolved.prompt_tokens_gt,
        winning_prices.candidate_usage_type as priced_usage_type,
        coalesce(winning_prices.unit, usage_types.unit) as unit,
        case
            when winning_prices.unit_price is null then 'unpriced'
            when winning_prices.fallback_depth > 0 then 'fallback'
            else winning_prices.price_method
        end as price_source,
        winning_prices.price_conf as price_confidence,
        resolved.quantity,
        {{ to_usd_decimal('winning_prices.unit_price') }} as unit_price_usd,
        winning_prices.price_multiplier,
        winning_prices.unit_price is not null as is_priced,
        winning_prices.effective_from as price_effective_from
    from resolved
    left join winning_prices
        on {{ join_on_columns('resolved', 'winning_prices', usage_key) }}
    left join usage_types
        on resolved.usage_type = usage_types.usage_type

),

-- 6. the route (inference_geo), on top of the price that won. The book's prices are those of the 'global' route.
--    Any other route is priced only through a price_modifiers row whose service_tier is 'region_<geo>', which
--    multiplies the priced usage of that route: Anthropic's US-only inference 1.1x every token price, a Vertex
--    regional endpoint, or 1 where the vendor states the same price or the route is in the model id (Bedrock's
--    inference profiles). The best match as for tier modifiers. A route with no such row stays unpriced: its
--    price is not known, and the global price would understate it (an Azure Regional deployment).
geo_matches as (

    select
        {% for column in usage_key %}tier_priced.{{ column }},
        {% endfor %}
        modifier_patterns.multiplier as geo_multiplier,
        modifier_patterns.price_conf as geo_price_conf,
        row_number() over (
            partition by
                {% for column in usage_key %}tier_priced.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %} -- noqa: LT05
            order by {{ modifier_preference('modifier_patterns') }} asc
        ) as geo_rank
    from tier_priced
    inner join modifier_patterns
        on
            tier_priced.provider = modifier_patterns.provider
            and {{ dbt.concat(["'region_'", 'tier_priced.inference_geo']) }} = modifier_patterns.service_tier
            and modifier_patterns.base_usage_type is null
            and {{ pipe_list_contains('modifier_patterns.usage_types', 'tier_priced.priced_usage_type') }}
            and {{ like_escaped("tier_priced.model_id", "modifier_patterns.model_like") }}
            and {{ in_effective_window('tier_priced.usage_date', 'modifier_patterns', open_start=true) }}
    where tier_priced.is_priced

),

{%- set route_priced = "(tier_priced.inference_geo = 'global' or geo_matches.geo_multiplier is not null)" %}

priced as (

    select
        {% for column in usage_key %}tier_priced.{{ column }},
        {% endfor %}
        tier_priced.model_id,
        tier_priced.prompt_tokens_gt,
        case when {{ route_priced }} then tier_priced.priced_usage_type end as priced_usage_type,
        tier_priced.unit,
        case when {{ route_priced }} then tier_priced.price_source else 'unpriced' end as price_source,
        -- the weaker of the two confidences (A < B < C) when a geo uplift applied
        case
            when not {{ route_priced }} then null
            when
                geo_matches.geo_multiplier is not null
                and coalesce(geo_matches.geo_price_conf, 'C') > tier_priced.price_confidence
                then coalesce(geo_matches.geo_price_conf, 'C')
            else tier_priced.price_confidence
        end as price_confidence,
        tier_priced.quantity,
        case when {{ route_priced }} then {{ to_usd_decimal(
            'tier_priced.unit_price_usd * coalesce(geo_matches.geo_multiplier, 1)'
        ) }} end as unit_price_usd,
        case
            when not {{ route_priced }} then null
            when geo_matches.geo_multiplier is null then tier_priced.price_multiplier
            else cast(coalesce(tier_priced.price_multiplier, 1) * geo_matches.geo_multiplier as decimal(18, 9))
        end as price_multiplier,
        tier_priced.is_priced and {{ route_priced }} as is_priced,
        case when {{ route_priced }} then tier_priced.price_effective_from end as price_effective_from
    from tier_priced
    left join geo_matches
        on
            {{ join_on_columns('tier_priced', 'geo_matches', usage_key) }}
            and geo_matches.geo_rank = 1

),

final as (

    select
        ----------  ids
        usage_date,
        provider,
        account_id,
        api_key_id,
        model_raw,
        model_id,
        service_tier,
        context_tier,
        inference_geo,
        usage_type,

        ----------  strings
        priced_usage_type,
        unit,
        price_source,
        price_confidence,

        ----------  numerics
        prompt_tokens_gt,
        quantity,
        unit_price_usd,
        price_multiplier,
        {{ price_quantity('quantity', 'unit_price_usd', 'unit') }} as list_cost_usd,
        -- negotiated contract terms are not applied yet: effective = list
        {{ price_quantity('quantity', 'unit_price_usd', 'unit') }} as effective_cost_usd,

        ----------  booleans
        is_priced,

        ----------  dates
        price_effective_from

    from priced

)

select * from final
{%- endmacro %}
