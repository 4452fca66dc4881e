{#-
    Every list-price change in the book (dim_price: curated rows and the prices sources publish), one row per
    change: a window of a price key (provider, model_id, usage_type, service_tier, prompt_tokens_gt) whose
    price differs from the key's previous window. A key's first window is not a change (nothing to compare).

    The spend it affects: the priced usage in the first 30 days of the new price (change_date included) that
    was priced from this price row, i.e. fct_usage_cost_daily rows of the same provider, model, priced usage
    type, prompt tier and price window that are
      - of the same service tier, priced from the row itself or through a usage-type fallback, or
      - priced through a tier modifier (batch, flex) when the change is to the standard price.
    A price that other usage types derive from through a base-usage-type modifier (Anthropic cache writes
    from input) does not count that usage here. affected_spend_30d_usd is that usage at the new price,
    at_old_price_30d_usd the same quantities at the old price (times the row's modifier), impact_30d_usd the
    difference (negative = the change saved money). A change still in the future affects no usage (0).
-#}

{%- set price_key = ['provider', 'model_id', 'usage_type', 'service_tier', 'prompt_tokens_gt'] -%}

with

prices as (

    select * from {{ ref('dim_price') }}

),

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}
    where is_priced

),

windows as (

    select
        {{ price_key | join(', ') }},
        unit,
        sources,
        effective_from,
        unit_price_usd,
        lag(unit_price_usd) over (
            partition by {{ price_key | join(', ') }} order by effective_from
        ) as old_unit_price_usd,
        lag(effective_from) over (
            partition by {{ price_key | join(', ') }} order by effective_from
        ) as previous_effective_from
    from prices

),

changes as (

    select * from windows
    where old_unit_price_usd is not null and old_unit_price_usd <> unit_price_usd

),

affected as (

    select
        {% for column in price_key %}changes.{{ column }},
        {% endfor %}changes.effective_from,
        sum(usage.quantity) as affected_quantity,
        sum(usage.list_cost_usd) as affected_spend_usd,
        sum(
            {{ price_quantity(
                'usage.quantity', 'changes.old_unit_price_usd * coalesce(usage.price_multiplier, 1)', 'usage.unit'
            ) }}
        ) as at_old_price_usd
    from changes
    inner join usage
        on
            changes.provider = usage.provider
            and changes.model_id = usage.model_id
            and changes.usage_type = usage.priced_usage_type
            and changes.prompt_tokens_gt = usage.prompt_tokens_gt
            and changes.effective_from = usage.price_effective_from
            and changes.effective_from <= usage.usage_date
            and usage.usage_date < {{ dbt.dateadd('day', 30, 'changes.effective_from') }}
            and (
                (usage.price_source in ('explicit', 'fallback') and changes.service_tier = usage.service_tier)
                or (usage.price_source = 'modifier' and changes.service_tier = 'standard')
            )
    group by
        changes.provider,
        changes.model_id,
        changes.usage_type,
        changes.service_tier,
        changes.prompt_tokens_gt,
        changes.effective_from

),

final as (

    select
        ----------  ids
        changes.provider,
        changes.model_id,
        changes.usage_type,
        changes.service_tier,

        ----------  strings
        changes.unit,
        case when changes.unit_price_usd > changes.old_unit_price_usd then 'increase' else 'decrease' end
            as change_direction,
        changes.sources,

        ----------  numerics
        changes.prompt_tokens_gt,
        changes.old_unit_price_usd,
        changes.unit_price_usd as new_unit_price_usd,
        -- a ratio, not money: rounded to 6 places and kept DECIMAL
        case
            when changes.old_unit_price_usd <> 0
                then cast(
                    round(
                        (changes.unit_price_usd - changes.old_unit_price_usd) * 100 / changes.old_unit_price_usd, 6
                    ) as decimal(38, 6)
                )
        end as price_change_pct,
        cast(coalesce(affected.affected_quantity, 0) as bigint) as affected_quantity_30d,
        {{ to_usd_decimal('coalesce(affected.affected_spend_usd, 0)') }} as affected_spend_30d_usd,
        {{ to_usd_decimal('coalesce(affected.at_old_price_usd, 0)') }} as at_old_price_30d_usd,
        {{ to_usd_decimal('coalesce(affected.affected_spend_usd, 0) - coalesce(affected.at_old_price_usd, 0)') }}
            as impact_30d_usd,

        ----------  booleans
        changes.effective_from > cast({{ dbt.current_timestamp() }} as date) as is_future,

        ----------  dates
        changes.effective_from as change_date,
        changes.previous_effective_from

    from changes
    left join affected
        on
            changes.provider = affected.provider
            and changes.model_id = affected.model_id
            and changes.usage_type = affected.usage_type
            and changes.service_tier = affected.service_tier
            and changes.prompt_tokens_gt = affected.prompt_tokens_gt
            and changes.effective_from = affected.effective_from

)

select * from final
