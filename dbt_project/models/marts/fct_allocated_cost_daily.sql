{#-
    The provider ledger split to cost owners (issue 10 item 2; DESIGN §6): one row per UTC day x team x
    feature x provider x account x model x allocation method x rule. Each ledger line of fct_usage_cost_daily
    (day x provider x account x API key x model, priced usage at list price) goes, by the first that applies:
      - direct: to the team [and feature] of its owner in finops.yaml (ownership.owners) on that day; a rule
        for its API key beats the rule for its account;
      - else the first matching shared rule (ownership.shared):
          proportional: in proportion to the attributed request cost (int_requests_attributed, summed by day
            in int_requests_attributed_daily) of the same day, provider and model; the part of requests no team
            is known for stays unallocated, and with no priced request that day the whole line stays unallocated
            (allocation_note says which);
          even: equal parts across the rule's teams; fixed_share: the rule's percentages;
      - else unallocated (team '(unallocated)').
    Splits are exact in DECIMAL (macro split_exactly): the rounding residue of a line goes to its largest
    share, so for every day allocated plus unallocated equals the ledger's priced list cost exactly
    (test assert_allocation_sums_to_ledger). Unpriced usage has no known cost: it is here as unallocated with
    NULL costs and is_priced false, flagged, never $0.
-#}

{%- set line = ['usage_date', 'provider', 'account_id', 'api_key_id', 'model_id'] -%}
{%- set ledger_line = 'ledger.' ~ line | join(', ledger.') -%}
{%- set covered_line = 'covered.' ~ line | join(',\n        covered.') -%}
{%- set grain = [
    'usage_date', 'team', 'feature', 'provider', 'account_id', 'model_id', 'allocation_method', 'rule_id',
    'allocation_note', 'is_priced',
] -%}

with

usage as (

    select * from {{ ref('fct_usage_cost_daily') }}

),

owners as (

    select * from {{ ref('stg_config__ownership_owners') }}

),

shared_rules as (

    select * from {{ ref('stg_config__ownership_shared') }}

),

shared_shares as (

    select * from {{ ref('stg_config__ownership_shared_shares') }}

),

teams as (

    select * from {{ ref('dim_team') }}

),

-- the priced request cost of each day x provider x model x team x feature, already summed by day (request costs
-- are never negative, so a group of $0 is one whose every request cost $0: no weight)
request_weights as (

    select
        usage_date,
        provider,
        model_id,
        team,
        feature,
        list_cost_usd as weight
    from {{ ref('int_requests_attributed_daily') }}
    where is_priced and list_cost_usd > 0

),

ledger as (

    select
        usage_date,
        provider,
        account_id,
        api_key_id,
        model_id,
        sum(list_cost_usd) as list_cost_usd,
        sum(effective_cost_usd) as effective_cost_usd
    from usage
    where is_priced
    group by {{ line | join(', ') }}

),

owner_matches as (

    {{ direct_owner_matches('ledger', line, feature_default='(none)') }}

),

shared_matches as (

    select
        {{ ledger_line }},
        shared_rules.rule_id,
        shared_rules.method,
        row_number() over (
            partition by {{ ledger_line }}
            order by shared_rules.priority
        ) as match_rank
    from ledger
    inner join shared_rules
        on
            (shared_rules.provider is null or ledger.provider = shared_rules.provider)
            and (shared_rules.account_id is null or ledger.account_id = shared_rules.account_id)
            and (shared_rules.model_like is null or {{ like_escaped("ledger.model_id", "shared_rules.model_like") }})

),

-- each ledger line with what covers it: its owner, else its first shared rule, else nothing
covered as (

    select
        ledger.*,
        owner_matches.team as owner_team,
        owner_matches.feature as owner_feature,
        coalesce(owner_matches.rule_id, shared_matches.rule_id) as rule_id,
        case
            when owner_matches.rule_id is not null then 'direct'
            else shared_matches.method
        end as covered_by
    from ledger
    left join owner_matches
        on
            {{ join_on_columns('ledger', 'owner_matches', line) }}
            and owner_matches.match_rank = 1
    left join shared_matches
        on
            {{ join_on_columns('ledger', 'shared_matches', line) }}
            and shared_matches.match_rank = 1

),

-- one row per ledger line x recipient, with its weight within the line
recipients as (

    select
        {{ line | join(',\n        ') }},
        owner_team as team,
        owner_feature as feature,
        'direct' as allocation_method,
        rule_id,
        cast(null as string) as allocation_note,
        cast(1 as decimal(38, 12)) as weight
    from covered
    where covered_by = 'direct'

    union all

    select
        {{ covered_line }},
        shared_shares.team,
        '(none)' as feature,
        case when covered.covered_by = 'fixed' then 'fixed_share' else 'even' end as allocation_method,
        covered.rule_id,
        cast(null as string) as allocation_note,
        cast(shared_shares.share_weight as decimal(38, 12)) as weight
    from covered
    inner join shared_shares
        on covered.rule_id = shared_shares.rule_id
    where covered.covered_by in ('even', 'fixed')

    union all

    select
        {{ covered_line }},
        request_weights.team,
        request_weights.feature,
        case when request_weights.team = '(unallocated)' then 'unallocated' else 'proportional' end
            as allocation_method,
        covered.rule_id,
        case
            when request_weights.team = '(unallocated)' then 'proportional: the requests name no declared team'
        end as allocation_note,
        cast(request_weights.weight as decimal(38, 12)) as weight
    from covered
    inner join request_weights
        on
            covered.usage_date = request_weights.usage_date
            and covered.provider = request_weights.provider
            and covered.model_id = request_weights.model_id
    where covered.covered_by = 'proportional'

    union all

    select
        {{ covered_line }},
        '(unallocated)' as team,
        '(none)' as feature,
        'unallocated' as allocation_method,
        covered.rule_id,
        case
            when covered.covered_by = 'proportional' then 'proportional: no priced request that day for this model'
            else 'no owner or shared rule covers it'
        end as allocation_note,
        cast(1 as decimal(38, 12)) as weight
    from covered
    left join request_weights
        on
            covered.usage_date = request_weights.usage_date
            and covered.provider = request_weights.provider
            and covered.model_id = request_weights.model_id
    where
        covered.covered_by is null
        or (covered.covered_by = 'proportional' and request_weights.usage_date is null)

),

recipient_amounts as (

    select
        recipients.*,
        ledger.list_cost_usd,
        ledger.effective_cost_usd
    from recipients
    inner join ledger
        on {{ join_on_columns('recipients', 'ledger', line) }}

),

split_parts as (

    select
        recipient_amounts.*,
        {{ split_units('list', 'list_cost_usd', 'weight', line) }},
        {{ split_units('effective', 'effective_cost_usd', 'weight', line) }}
    from recipient_amounts

),

split as (

    select
        {{ (line + ['team', 'feature', 'allocation_method', 'rule_id', 'allocation_note']) | join(',\n        ') }},
        true as is_priced,
        {{ split_exactly('list', line, 'weight desc, team, feature') }} as allocated_cost_usd,
        {{ split_exactly('effective', line, 'weight desc, team, feature') }} as allocated_effective_cost_usd
    from split_parts

),

unpriced as (

    select
        usage_date,
        '(unallocated)' as team,
        '(none)' as feature,
        provider,
        account_id,
        model_id,
        'unallocated' as allocation_method,
        cast(null as string) as rule_id,
        'unpriced usage: its cost is unknown' as allocation_note,
        false as is_priced,
        {{ to_usd_decimal('null') }} as allocated_cost_usd,
        {{ to_usd_decimal('null') }} as allocated_effective_cost_usd
    from usage
    where not is_priced

),

allocated as (

    select
        {{ grain | join(',\n        ') }},
        allocated_cost_usd,
        allocated_effective_cost_usd
    from split

    union all

    select
        {{ grain | join(',\n        ') }},
        allocated_cost_usd,
        allocated_effective_cost_usd
    from unpriced

),

final as (

    select
        ----------  ids
        allocated.usage_date,
        allocated.team,
        allocated.feature,
        allocated.provider,
        allocated.account_id,
        allocated.model_id,
        coalesce(allocated.rule_id, '(none)') as rule_id,

        ----------  strings
        teams.cost_center,
        allocated.allocation_method,
        allocated.allocation_note,

        ----------  numerics
        {{ to_usd_decimal('sum(allocated.allocated_cost_usd)') }} as allocated_cost_usd,
        {{ to_usd_decimal('sum(allocated.allocated_effective_cost_usd)') }} as allocated_effective_cost_usd,

        ----------  booleans
        allocated.is_priced

    from allocated
    left join teams
        on allocated.team = teams.team
    group by
        allocated.{{ grain | join(',\n        allocated.') }},
        teams.cost_center

)

select * from final
