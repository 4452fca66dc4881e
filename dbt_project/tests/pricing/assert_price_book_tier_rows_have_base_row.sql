-- Every long-context tier row (prompt_tokens_gt > 0) has a base row (prompt_tokens_gt = 0) of the same
-- provider, model, usage type and service tier whose window covers the tier row's window.
with

price_book as (

    select * from {{ ref('price_book') }}

),

tier_rows as (

    select * from price_book
    where prompt_tokens_gt > 0

),

base_rows as (

    select * from price_book
    where prompt_tokens_gt = 0

)

select tier_rows.*
from tier_rows
where not exists (
    select 1
    from base_rows
    where
        base_rows.provider = tier_rows.provider
        and base_rows.model_id = tier_rows.model_id
        and base_rows.usage_type = tier_rows.usage_type
        and base_rows.service_tier = tier_rows.service_tier
        and base_rows.effective_from <= tier_rows.effective_from
        and (
            base_rows.effective_to is null
            or (tier_rows.effective_to is not null and base_rows.effective_to >= tier_rows.effective_to)
        )
)
