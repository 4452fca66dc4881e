{#-
    Prices every usage bucket of int_usage_unioned from the effective-dated price book (pricing_seeds/).
    The emulator holds an independent Python implementation of EXACTLY these rules, and the end-to-end test
    compares the two to the cent, so change both together.

    1. model_id: model_raw resolved through model_aliases (provider, alias = lower(model_raw),
       usage_date in [effective_from, effective_to)); otherwise lower(model_raw) (macro resolve_model_id,
       which int_billed_costs_unioned uses too).
    2. Candidate usage types: the row's usage_type (depth 0), then its fallback chain from usage_types
       (fallback_usage_type, recursively; unrolled here to depth 3, which a seed test enforces).
    3. For each candidate c, the price_book rows for (provider, model_id, c, usage_date in window) - or,
       when the model has none, the provider-wide rows of model_id '*' (web search) - at the largest
       prompt_tokens_gt <= the row's prompt_tokens_gt (tier T; a long-context row uses the tier rows when
       the model has them, else the base rows), over all service tiers (macro price_book_rows_at_tier):
         (a) the row at T whose service_tier = the usage's service_tier               -> 'explicit'
         (b) else the 'standard' row at T x the multiplier of the best matching price_modifiers row
             (provider, service_tier, model_pattern glob, usage_types containing c, date window, no
             base_usage_type)                                                           -> 'modifier'
         (c) else, for service_tier 'standard' only: the best matching modifier with base_usage_type set
             -> the standard row of base_usage_type (at its own tier T) x multiplier    -> 'modifier'
       "Best" modifier = a non-'*' model_pattern first, then the latest effective_from (open = earliest).
       The first candidate in fallback order that yields a price wins; when it is not the original usage
       type, price_source = 'fallback'.
    4. No price -> unit_price_usd, list_cost_usd and effective_cost_usd NULL, is_priced false (never 0).
    5. list_cost_usd = quantity x unit_price per unit (macro price_quantity), exact DECIMAL.
-#}

{#- A table, not the folder's view: marts and data tests read it many times over, and every read of a view
    recomputes the usage chain below it (bench/pipeline.py: a quarter of the data tests' time went there). #}
{{ config(materialized='table') }}

{{ price_usage(ref('int_usage_unioned')) }}
