{#-
    Usage from every registered source as DISJOINT usage-type buckets (so that sum(quantity x price) = cost),
    one row per (usage_date, provider, account_id, api_key_id, model_raw, service_tier, context_tier,
    inference_geo, usage_type).

    Each source splits its own usage into buckets in its conformed model stg_<source>__usage_lines (the dbt
    var finops_conformed names them; macro union_conformed). Here zero and null quantities are dropped and
    rows at the same grain (OpenAI's per-user rows, hourly buckets) are summed.
-#}

{#- A table, not the folder's view: marts and data tests read it many times over, and every read of a view
    recomputes the usage chain below it (bench/pipeline.py: a quarter of the data tests' time went there). #}
{{ config(materialized='table') }}

{%- set grain = [
    'usage_date', 'provider', 'account_id', 'api_key_id', 'model_raw', 'service_tier', 'context_tier', 'inference_geo',
] -%}

with

usage_lines as (

    {{ union_conformed('usage_lines', [
        ('usage_date', 'date'),
        ('provider', 'string'),
        ('account_id', 'string'),
        ('api_key_id', 'string'),
        ('model_raw', 'string'),
        ('service_tier', 'string'),
        ('context_tier', 'string'),
        ('inference_geo', 'string'),
        ('prompt_tokens_gt', 'bigint'),
        ('usage_type', 'string'),
        ('quantity', 'bigint'),
    ]) }}

),

aggregated as (

    select
        {{ grain | join(', ') }},
        usage_type,
        prompt_tokens_gt,
        sum(quantity) as quantity
    from usage_lines
    where quantity is not null and quantity <> 0
    group by {{ grain | join(', ') }}, usage_type, prompt_tokens_gt

)

select
    {{ grain | join(', ') }},
    usage_type,
    cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
    cast(quantity as bigint) as quantity
from aggregated
