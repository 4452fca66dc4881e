{#-
    The counterfactual line items of each repricing what-if (mart_whatif_reprice sums them; its header states
    the rules): every priced row of int_whatif_reprice_scope, under the scenario, as the usage buckets it would
    become, each priced under its target model at its price date.
      1. model: to_model resolved at the price date (macro resolve_model_id), else the actual model_id;
      2. cache_hit_rate r: per row key and modality, the prompt (uncached input + cache reads) becomes r x
         prompt cache reads and (1 - r) x prompt uncached input; cache writes and the rest stay as they were;
      3. service tier: to_service_tier, else the actual tier; batch_share s splits each standard-tier token
         bucket into (1 - s) at standard and s at batch;
      4. priced by macro price_counterfactual (macro price_usage over the distinct keys, at price_on).
    Quantities are exact decimal(38,8) shares. A line with quantity 0 (a share of 0) is kept, so that every
    target model used appears; the mart leaves those lines out of its sums. A line whose key has no price has
    is_priced false and cost_usd NULL.

    Its own model (not CTEs of the mart): Spark inlines each use of a CTE while it checks a query, and the price
    lookup over this chain was too large for its planner; the mart reads the lines as a relation.
-#}

{%- set row_key = [
    'scenario', 'usage_date', 'provider', 'account_id', 'api_key_id', 'model_id', 'target_model_id',
    'service_tier', 'context_tier', 'inference_geo', 'prompt_tokens_gt',
] -%}
{%- set row_columns = row_key + ['month', 'price_on', 'cache_hit_rate', 'batch_share'] -%}
{%- set quantity_type = 'decimal(38,8)' -%}

with

in_scope as (

    select * from {{ ref('int_whatif_reprice_scope') }}

),

{{ model_resolution_ctes() }}

-- 1. the target model's id, resolved at the price date
targets as (

    select distinct
        scenario,
        provider,
        price_on as usage_date,
        to_model as model_raw
    from in_scope
    where to_model is not null

),

targets_resolved as (

    {{ resolve_model_id('targets') }}

),

priced_rows as (

    select
        in_scope.scenario,
        in_scope.usage_date,
        in_scope.provider,
        in_scope.account_id,
        in_scope.api_key_id,
        in_scope.model_id,
        coalesce(targets_resolved.model_id, in_scope.model_id) as target_model_id,
        coalesce(in_scope.to_service_tier, in_scope.service_tier) as service_tier,
        in_scope.context_tier,
        in_scope.inference_geo,
        in_scope.prompt_tokens_gt,
        in_scope.month,
        in_scope.price_on,
        in_scope.cache_hit_rate,
        in_scope.batch_share,
        in_scope.usage_type,
        cast(in_scope.quantity as {{ quantity_type }}) as quantity
    from in_scope
    left join targets_resolved
        on
            in_scope.scenario = targets_resolved.scenario
            and in_scope.provider = targets_resolved.provider
            and in_scope.price_on = targets_resolved.usage_date
    where in_scope.is_priced

),

-- 2. the prompt buckets of each modality: uncached input and cache reads
prompt_buckets as (

    select
        'input_tokens' as usage_type,
        'input_tokens' as uncached_usage_type,
        'cache_read_tokens' as read_usage_type
    union all
    select
        'cache_read_tokens' as usage_type,
        'input_tokens' as uncached_usage_type,
        'cache_read_tokens' as read_usage_type
    union all
    select
        'input_audio_tokens' as usage_type,
        'input_audio_tokens' as uncached_usage_type,
        'cache_audio_read_tokens' as read_usage_type
    union all
    select
        'cache_audio_read_tokens' as usage_type,
        'input_audio_tokens' as uncached_usage_type,
        'cache_audio_read_tokens' as read_usage_type
    union all
    select
        'input_image_tokens' as usage_type,
        'input_image_tokens' as uncached_usage_type,
        'cache_image_read_tokens' as read_usage_type
    union all
    select
        'cache_image_read_tokens' as usage_type,
        'input_image_tokens' as uncached_usage_type,
        'cache_image_read_tokens' as read_usage_type

),

prompts as (

    select
        {% for column in row_columns %}priced_rows.{{ column }},
        {% endfor %}
        prompt_buckets.uncached_usage_type,
        prompt_buckets.read_usage_type,
        sum(priced_rows.quantity) as prompt_quantity
    from priced_rows
    inner join prompt_buckets on priced_rows.usage_type = prompt_buckets.usage_type
    where priced_rows.cache_hit_rate is not null
    group by
        {% for column in row_columns %}priced_rows.{{ column }},
        {% endfor %}
        prompt_buckets.uncached_usage_type,
        prompt_buckets.read_usage_type

),

-- each row outside the prompt buckets (or with no cache_hit_rate) as it was; each prompt as its two buckets
cache_reshaped as (

    select
        {{ row_columns | join(', ') }},
        usage_type,
        quantity
    from priced_rows
    where
        cache_hit_rate is null
        or usage_type not in (select prompt_buckets.usage_type from prompt_buckets)

    union all

    -- one read of prompts, joined to its two parts (a union of one read per part would copy the chain on Spark)
    select
        {% for column in row_columns %}prompts.{{ column }},
        {% endfor %}
        case prompt_parts.part
            when 'uncached' then prompts.uncached_usage_type
            else prompts.read_usage_type
        end as usage_type,
        cast(
            case prompt_parts.part
                when 'uncached' then prompts.prompt_quantity * (1 - prompts.cache_hit_rate)
                else prompts.prompt_quantity * prompts.cache_hit_rate
            end as {{ quantity_type }}
        ) as quantity
    from prompts
    cross join ({{ literal_rows('part', ['uncached', 'read']) }}) as prompt_parts

),

-- 3. batch_share: standard-tier token rows split between standard and batch (one read, joined to its parts)
tier_split as (

    select
        {% for column in row_columns -%}
            {% if column == 'service_tier' -%}
                case when tier_parts.part = 'batch' then 'batch' else cache_reshaped.service_tier end as service_tier,
            {%- else -%}
                cache_reshaped.{{ column }},
            {%- endif %}
        {% endfor %}
        cache_reshaped.usage_type,
        cast(
            case tier_parts.part
                when 'whole' then cache_reshaped.quantity
                when 'standard' then cache_reshaped.quantity * (1 - cache_reshaped.batch_share)
                else cache_reshaped.quantity * cache_reshaped.batch_share
            end as {{ quantity_type }}
        ) as quantity
    from cache_reshaped
    cross join ({{ literal_rows('part', ['whole', 'standard', 'batch']) }}) as tier_parts
    where
        (
            tier_parts.part = 'whole'
            and (
                cache_reshaped.batch_share is null
                or cache_reshaped.service_tier <> 'standard'
                or cache_reshaped.usage_type not like '%tokens'
            )
        )
        or (
            tier_parts.part <> 'whole'
            and cache_reshaped.batch_share is not null
            and cache_reshaped.service_tier = 'standard'
            and cache_reshaped.usage_type like '%tokens'
        )

),

-- 4. each line priced under its target model, each distinct key at its price date
{{ price_counterfactual('tier_split', 'price_on', '(whatif)', quantity_type=quantity_type) }}

select * from counterfactual_priced
