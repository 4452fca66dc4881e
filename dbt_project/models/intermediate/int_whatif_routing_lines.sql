{#-
    The counterfactual line items of each routing what-if (mart_whatif_routing sums them; its header states the
    rules): the priced simple requests of int_whatif_routing_daily (each row the sums of a day's requests of one
    rule, model, service tier and prompt-size tier) as their disjoint token buckets (macro request_token_buckets),
    summed per rule, month, day, provider, model, target model, service tier, prompt-size tier and bucket, and
    priced under the rule's to_model resolved at the usage date (macro resolve_model_id)
    by macro price_counterfactual (macro price_usage over the distinct keys). A line whose key has no price
    has is_priced false and cost_usd NULL.

    Its own model (not CTEs of the mart): Spark inlines each use of a CTE while it checks a query, and the price
    lookup over this chain was too large for its planner; the mart reads the lines as a relation.
    A table, rebuilt whole: it reads the daily roll-up, not the requests, so a build prices a few lines per day
    and key (under the price book of the day it runs: a price change reprices every line).
-#}

{{ config(materialized='table') }}

{%- set bucket_key = ['rule', 'month', 'usage_date', 'provider', 'model_id', 'target_model_id', 'service_tier'] -%}

with

in_scope as (

    select * from {{ ref('int_whatif_routing_daily') }}

),

{{ model_resolution_ctes() }}

-- the target model's id, resolved at each usage date
targets as (

    select distinct
        rule,
        provider,
        usage_date,
        to_model as model_raw
    from in_scope
    where size_class = 'simple' and is_priced

),

targets_resolved as (

    {{ resolve_model_id('targets') }}

),

simple_priced as (

    select
        in_scope.*,
        targets_resolved.model_id as target_model_id
    from in_scope
    inner join targets_resolved
        on
            in_scope.rule = targets_resolved.rule
            and in_scope.provider = targets_resolved.provider
            and in_scope.usage_date = targets_resolved.usage_date
    where in_scope.size_class = 'simple' and in_scope.is_priced

),

request_buckets as (

    {{ request_token_buckets('simple_priced', bucket_key + ['prompt_tokens_gt']) }}

),

counterfactual_rows as (

    select
        {{ bucket_key | join(', ') }},
        prompt_tokens_gt,
        usage_type,
        cast(sum(quantity) as bigint) as quantity
    from request_buckets
    group by {{ bucket_key | join(', ') }}, prompt_tokens_gt, usage_type

),

-- the counterfactual rows priced under their target model (the request logs name no geography: global)
{{ price_counterfactual('counterfactual_rows', 'usage_date', '(routing)', with_geo=false) }}

select * from counterfactual_priced
