-- Unpriced usage is reported beside the variance, and nothing billed is lost between the two: where the bill
-- sets the models apart, the billed usage compared plus the billed usage of the unpriced models is all the
-- billed usage; where it cannot, the whole is compared. Returns the rows that break it.
select
    usage_date,
    provider,
    account_id,
    billed_usage_usd,
    compared_billed_usd,
    unpriced_billed_usd
from {{ ref('fct_cost_reconciliation_daily') }}
where
    (is_compared_by_model and compared_billed_usd + unpriced_billed_usd <> billed_usage_usd)
    or (not is_compared_by_model and (compared_billed_usd <> billed_usage_usd or unpriced_billed_usd <> 0))
