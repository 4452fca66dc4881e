{#-
    Computed (usage at contracted cost: list less finops.yaml's negotiated discount, which is what providers
    bill; list cost without a contract) against billed cost, one row per UTC day x provider x account (full
    outer join), with the tolerance of finops.yaml (config.reconciliation_tolerance: the provider's row, else '*').

    Only like is compared with like: the computed cost against the billed usage lines that carry a usage type
    (token and web-search lines, billed_usage_usd). Billed usage the usage sources do not count (tool calls,
    storage, code execution: billed_other_usage_usd), credits, tax, fees and refunds are reported in their
    own columns and never count as variance. billed_cost_usd is everything billed, net.

    Unpriced usage is reported beside the variance, not instead of it. Usage and billed usage lines are
    matched per model (model_id; lines without one form their own group). A model with any unpriced usage
    that day is left out of BOTH sides of the comparison (its priced rows, and its billed lines, reported in
    unpriced_billed_usd), so the variance compares only models priced in full:
      compared_computed_usd  contracted cost of the models with no unpriced usage
      compared_billed_usd    billed usage lines of the same models
      variance_usd           compared_computed_usd - compared_billed_usd
    Where the day has unpriced usage but no billed usage line names a model (is_compared_by_model false), the
    priced part cannot be told apart on the bill: both sides are compared whole, as computed_cost_usd against
    billed_usage_usd, and likely_cause says so. Without unpriced usage compared = computed / billed usage.

    tolerance_usd = greatest(absolute_usd, relative_pct / 100 x |compared_billed_usd|); the comparison itself
    is exact (|variance| x 100 <= relative_pct x |billed|, no division).

    status, first match wins:
      billed_only     a bill but no usage
      usage_only      usage but no billed usage line
      variance        |variance_usd| > tolerance_usd (the priced part does not match)
      unpriced_usage  the priced part matches, but some usage has no price (its cost is unknown)
      matched         |variance_usd| <= tolerance_usd and every usage row is priced

    unpriced_cause, per day with unpriced usage (first match wins, over its unpriced usage rows):
      unpriced_model         the price book (dim_price) has no row for the model, in any tier or window, and
                             no provider-wide row (model_id '*') for the usage type
      tier_not_priced        the model (or the provider-wide usage type) is in the book, not in the usage's
                             service tier
      route_not_priced       model and tier are in the book, but the usage ran on a route (inference_geo) that no
                             region_<geo> modifier of its provider prices (an Azure Regional deployment)
      usage_type_not_priced  model and tier are in the book, but not this usage type on this day

    likely_cause, for every row that is not matched (NULL when matched), first match wins:
      no_usage_reported          billed_only: the usage sources report nothing for this day and account
      not_billed                 usage_only: no billed usage line for this day and account (yet)
      <unpriced_cause>           unpriced_usage: why the unpriced usage has no price
      billed_lines_without_model variance with unpriced usage, and the bill names no model to set it apart
      non_token_billing_line     the usage counts more than the token lines bill, by what the bill lists as
                                 non-token usage lines (0 < variance, |variance - billed_other_usage_usd| <=
                                 tolerance_usd)
      model_billed_without_usage a compared model is billed but has no usage that day
      model_used_not_billed      a compared model has priced usage but no billed usage line
      long_context_billed        the bill has long-context lines (is_long_context: OpenAI's '<model>, input, long
                                 context'), which price every token of a long request at the long-context rate;
                                 OpenAI's usage API gives no prompt size, so computed cost prices them at the base
                                 rate: computed is below billed, by no more than the long-context billing that
                                 computed cost has no long tier for (-variance <= billed_long_context_usd -
                                 computed_long_context_usd + tolerance_usd). A source whose usage carries the tier
                                 (Anthropic, Gemini) prices it on both sides. Request logs, which carry prompt
                                 sizes, price the tier exactly.
      price_differs              the same models on both sides, different amounts: a discount, a price the
                                 book does not have yet, or a day revised on one side only
    A late revision is not told apart from price_differs: the marts carry no load times to compute it from.
-#}

with

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}

),

billed as (

    select * from {{ ref('fct_billed_cost_daily') }}

),

accounts as (

    select * from {{ ref('dim_account') }}

),

prices as (

    select * from {{ ref('dim_price') }}

),

route_prices as (

    select distinct
        provider,
        service_tier as route_tier
    from {{ ref('stg_pricing__price_modifiers') }}
    where {{ like_escaped('service_tier', "'region\\_%'") }}

),

tolerances as (

    select * from {{ ref('stg_config__reconciliation_tolerance') }}

),

priced_models as (

    select distinct
        provider,
        model_id,
        service_tier
    from prices
    where model_id <> '*'

),

-- provider-wide prices (model_id '*': web search, storage, tool sessions) price a usage type for any model
provider_wide as (

    select distinct
        provider,
        usage_type,
        service_tier
    from prices
    where model_id = '*'

),

usage_classified as (

    select
        usage.usage_date,
        usage.provider,
        usage.account_id,
        coalesce(usage.model_id, '(no model)') as model_key,
        usage.contracted_cost_usd,
        -- priced at a long-context tier: a source whose usage carries the prompt tier (Anthropic's context
        -- window, Gemini's SKU) prices the long tier itself
        case when usage.prompt_tokens_gt > 0 then usage.contracted_cost_usd else 0 end as long_context_cost_usd,
        usage.is_priced,
        usage.quantity,
        case
            when usage.is_priced then null
            -- neither the model nor a provider-wide price of the usage type is in the book, in any tier
            when
                not exists (
                    select 1 from priced_models
                    where priced_models.provider = usage.provider and priced_models.model_id = usage.model_id
                )
                and not exists (
                    select 1 from provider_wide
                    where provider_wide.provider = usage.provider and provider_wide.usage_type = usage.usage_type
                )
                then 1
            -- in the book, but not in the usage's service tier
            when
                not exists (
                    select 1 from priced_models
                    where
                        priced_models.provider = usage.provider
                        and priced_models.model_id = usage.model_id
                        and priced_models.service_tier = usage.service_tier
                )
                and not exists (
                    select 1 from provider_wide
                    where
                        provider_wide.provider = usage.provider
                        and provider_wide.usage_type = usage.usage_type
                        and provider_wide.service_tier = usage.service_tier
                )
                then 2
            -- on a route that no modifier of the provider prices
            when
                usage.inference_geo <> 'global'
                and not exists (
                    select 1 from route_prices
                    where
                        route_prices.provider = usage.provider
                        and route_prices.route_tier = 'region_' || usage.inference_geo
                )
                then 3
            else 4
        end as unpriced_rank
    from usage

),

usage_by_model as (

    select
        usage_date,
        provider,
        account_id,
        model_key,
        coalesce(sum(contracted_cost_usd), 0) as computed_cost_usd,
        coalesce(sum(long_context_cost_usd), 0) as computed_long_context_usd,
        sum(case when is_priced then 0 else quantity end) as unpriced_quantity,
        min(unpriced_rank) as unpriced_rank
    from usage_classified
    group by usage_date, provider, account_id, model_key

),

billed_by_model as (

    select
        usage_date,
        provider,
        account_id,
        coalesce(model_id, '(no model)') as model_key,
        sum(billed_cost_usd) as billed_usage_usd,
        sum(case when is_long_context then billed_cost_usd else 0 end) as billed_long_context_usd,
        max(case when model_id is not null then 1 else 0 end) as names_model
    from billed
    where line_type = 'usage' and usage_type is not null
    group by usage_date, provider, account_id, coalesce(model_id, '(no model)')

),

models as (

    select
        coalesce(usage_by_model.usage_date, billed_by_model.usage_date) as usage_date,
        coalesce(usage_by_model.provider, billed_by_model.provider) as provider,
        coalesce(usage_by_model.account_id, billed_by_model.account_id) as account_id,
        coalesce(usage_by_model.model_key, billed_by_model.model_key) as model_key,
        coalesce(usage_by_model.computed_cost_usd, 0) as computed_cost_usd,
        coalesce(billed_by_model.billed_usage_usd, 0) as billed_usage_usd,
        coalesce(billed_by_model.billed_long_context_usd, 0) as billed_long_context_usd,
        coalesce(usage_by_model.computed_long_context_usd, 0) as computed_long_context_usd,
        coalesce(usage_by_model.unpriced_quantity, 0) as unpriced_quantity,
        usage_by_model.unpriced_rank,
        coalesce(billed_by_model.names_model, 0) as names_model,
        usage_by_model.model_key is not null as has_usage,
        billed_by_model.model_key is not null as has_billed_usage
    from usage_by_model
    full outer join billed_by_model
        on
            usage_by_model.usage_date = billed_by_model.usage_date
            and usage_by_model.provider = billed_by_model.provider
            and usage_by_model.account_id = billed_by_model.account_id
            and usage_by_model.model_key = billed_by_model.model_key

),

by_day as (

    select
        usage_date,
        provider,
        account_id,
        sum(computed_cost_usd) as computed_cost_usd,
        sum(billed_usage_usd) as billed_usage_usd,
        sum(billed_long_context_usd) as billed_long_context_usd,
        sum(computed_long_context_usd) as computed_long_context_usd,
        sum(unpriced_quantity) as unpriced_quantity,
        min(unpriced_rank) as unpriced_rank,
        max(names_model) = 1 as billed_names_model,
        -- the models priced in full, on both sides
        sum(case when unpriced_quantity = 0 then computed_cost_usd else 0 end) as priced_models_computed_usd,
        sum(case when unpriced_quantity = 0 then billed_usage_usd else 0 end) as priced_models_billed_usd,
        sum(case when unpriced_quantity > 0 then billed_usage_usd else 0 end) as unpriced_models_billed_usd,
        sum(case when unpriced_quantity = 0 and not has_usage and billed_usage_usd <> 0 then 1 else 0 end)
            as models_billed_without_usage,
        sum(case when unpriced_quantity = 0 and not has_billed_usage and computed_cost_usd <> 0 then 1 else 0 end)
            as models_used_not_billed,
        bool_or(has_usage) as has_usage,
        bool_or(has_billed_usage) as has_billed_usage,
        {{ sorted_string_agg('case when unpriced_quantity > 0 then model_key end', "', '") }} as unpriced_models
    from models
    group by usage_date, provider, account_id

),

billed_daily as (

    select
        usage_date,
        provider,
        account_id,
        sum(billed_cost_usd) as billed_cost_usd,
        sum(case when line_type = 'usage' and usage_type is null then billed_cost_usd else 0 end)
            as billed_other_usage_usd,
        sum(case when line_type = 'credit' then billed_cost_usd else 0 end) as credit_usd,
        sum(case when line_type = 'tax' then billed_cost_usd else 0 end) as tax_usd,
        sum(case when line_type = 'fee' then billed_cost_usd else 0 end) as fee_usd,
        sum(case when line_type = 'refund' then billed_cost_usd else 0 end) as refund_usd
    from billed
    group by usage_date, provider, account_id

),

joined as (

    select
        coalesce(by_day.usage_date, billed_daily.usage_date) as usage_date,
        coalesce(by_day.provider, billed_daily.provider) as provider,
        coalesce(by_day.account_id, billed_daily.account_id) as account_id,
        {{ to_usd_decimal('coalesce(by_day.computed_cost_usd, 0)') }} as computed_cost_usd,
        {{ to_usd_decimal('coalesce(by_day.billed_usage_usd, 0)') }} as billed_usage_usd,
        {{ to_usd_decimal('coalesce(billed_daily.billed_cost_usd, 0)') }} as billed_cost_usd,
        {{ to_usd_decimal('coalesce(billed_daily.billed_other_usage_usd, 0)') }} as billed_other_usage_usd,
        {{ to_usd_decimal('coalesce(by_day.billed_long_context_usd, 0)') }} as billed_long_context_usd,
        {{ to_usd_decimal('coalesce(by_day.computed_long_context_usd, 0)') }} as computed_long_context_usd,
        {{ to_usd_decimal('coalesce(billed_daily.credit_usd, 0)') }} as credit_usd,
        {{ to_usd_decimal('coalesce(billed_daily.tax_usd, 0)') }} as tax_usd,
        {{ to_usd_decimal('coalesce(billed_daily.fee_usd, 0)') }} as fee_usd,
        {{ to_usd_decimal('coalesce(billed_daily.refund_usd, 0)') }} as refund_usd,
        cast(coalesce(by_day.unpriced_quantity, 0) as bigint) as unpriced_quantity,
        -- the bill sets the unpriced models apart when the day has none, or when a billed usage line names a model
        coalesce(by_day.unpriced_quantity, 0) = 0 or coalesce(by_day.billed_names_model, false)
            as is_compared_by_model,
        by_day.priced_models_computed_usd,
        by_day.priced_models_billed_usd,
        by_day.unpriced_models_billed_usd,
        by_day.unpriced_rank,
        by_day.unpriced_models,
        coalesce(by_day.models_billed_without_usage, 0) as models_billed_without_usage,
        coalesce(by_day.models_used_not_billed, 0) as models_used_not_billed,
        coalesce(by_day.has_usage, false) as has_usage,
        billed_daily.usage_date is not null as has_billed,
        coalesce(by_day.has_billed_usage, false) as has_billed_usage
    from by_day
    full outer join billed_daily
        on
            by_day.usage_date = billed_daily.usage_date
            and by_day.provider = billed_daily.provider
            and by_day.account_id = billed_daily.account_id

),

compared as (

    select
        joined.*,
        case
            when joined.is_compared_by_model then {{ to_usd_decimal('coalesce(joined.priced_models_computed_usd, 0)') }}
            else joined.computed_cost_usd
        end as compared_computed_usd,
        case
            when joined.is_compared_by_model then {{ to_usd_decimal('coalesce(joined.priced_models_billed_usd, 0)') }}
            else joined.billed_usage_usd
        end as compared_billed_usd,
        case
            when joined.is_compared_by_model then {{ to_usd_decimal('coalesce(joined.unpriced_models_billed_usd, 0)') }}
            else {{ to_usd_decimal('0') }}
        end as unpriced_billed_usd,
        coalesce(own.absolute_usd, fallback.absolute_usd, 0.01) as absolute_tolerance_usd,
        coalesce(own.relative_pct, fallback.relative_pct, 0) as relative_tolerance_pct
    from joined
    left join tolerances as own
        on joined.provider = own.provider
    left join tolerances as fallback
        on fallback.provider = '*'

),

judged as (

    select
        compared.*,
        {{ to_usd_decimal('compared.compared_computed_usd - compared.compared_billed_usd') }} as variance_usd,
        {{ to_usd_decimal(
            'greatest(compared.absolute_tolerance_usd, '
            ~ 'compared.relative_tolerance_pct * 0.01 * abs(compared.compared_billed_usd))'
        ) }} as tolerance_usd,
        -- exact: |variance| <= absolute, or |variance| x 100 <= relative_pct x |billed| (no division)
        abs(compared.compared_computed_usd - compared.compared_billed_usd) <= compared.absolute_tolerance_usd
        or abs(compared.compared_computed_usd - compared.compared_billed_usd) * 100
        <= compared.relative_tolerance_pct * abs(compared.compared_billed_usd) as is_within_tolerance
    from compared

),

final as (

    select
        ----------  ids
        judged.usage_date,
        judged.provider,
        judged.account_id,

        ----------  strings
        coalesce(accounts.account_name, judged.account_id) as account_name,
        case
            when not judged.has_usage then 'billed_only'
            when not judged.has_billed_usage then 'usage_only'
            when not judged.is_within_tolerance then 'variance'
            when judged.unpriced_quantity > 0 then 'unpriced_usage'
            else 'matched'
        end as status,
        case judged.unpriced_rank
            when 1 then 'unpriced_model'
            when 2 then 'tier_not_priced'
            when 3 then 'route_not_priced'
            when 4 then 'usage_type_not_priced'
        end as unpriced_cause,
        case
            when not judged.has_usage then 'no_usage_reported'
            when not judged.has_billed_usage then 'not_billed'
            when judged.is_within_tolerance and judged.unpriced_quantity = 0 then null
            when judged.is_within_tolerance
                then case judged.unpriced_rank
                    when 1 then 'unpriced_model'
                    when 2 then 'tier_not_priced'
                    when 3 then 'route_not_priced'
                    else 'usage_type_not_priced'
                end
            when not judged.is_compared_by_model then 'billed_lines_without_model'
            when
                judged.variance_usd > 0
                and abs(judged.variance_usd - judged.billed_other_usage_usd) <= judged.tolerance_usd
                then 'non_token_billing_line'
            when judged.models_billed_without_usage > 0 then 'model_billed_without_usage'
            when judged.models_used_not_billed > 0 then 'model_used_not_billed'
            -- the bill prices long-context requests that the usage, which reports no prompt sizes, priced at
            -- the base rate: the gap is at most the long-context billing the computed side has no tier for
            when
                judged.billed_long_context_usd > judged.computed_long_context_usd
                and judged.variance_usd < 0
                and -judged.variance_usd
                <= judged.billed_long_context_usd - judged.computed_long_context_usd + judged.tolerance_usd
                then 'long_context_billed'
            else 'price_differs'
        end as likely_cause,
        judged.unpriced_models,

        ----------  numerics
        judged.computed_cost_usd,
        judged.billed_usage_usd,
        judged.compared_computed_usd,
        judged.compared_billed_usd,
        judged.variance_usd,
        -- a ratio, not money: DuckDB divides decimals in DOUBLE, so it is rounded to 6 places and cast back
        case
            when judged.compared_billed_usd <> 0
                then cast(round(judged.variance_usd * 100 / judged.compared_billed_usd, 6) as decimal(38, 6))
        end as variance_pct,
        judged.tolerance_usd,
        cast(judged.absolute_tolerance_usd as decimal(18, 6)) as absolute_tolerance_usd,
        cast(judged.relative_tolerance_pct as decimal(9, 6)) as relative_tolerance_pct,
        judged.unpriced_billed_usd,
        judged.billed_other_usage_usd,
        judged.billed_long_context_usd,
        judged.computed_long_context_usd,
        judged.credit_usd,
        judged.tax_usd,
        judged.fee_usd,
        judged.refund_usd,
        judged.billed_cost_usd,
        judged.unpriced_quantity,

        ----------  booleans
        judged.has_usage,
        judged.has_billed,
        judged.has_billed_usage,
        judged.is_compared_by_model

    from judged
    left join accounts
        on
            judged.provider = accounts.provider
            and judged.account_id = accounts.account_id

)

select * from final
