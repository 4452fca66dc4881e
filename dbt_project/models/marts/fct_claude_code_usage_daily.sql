{#-
    Who uses Claude Code, how much, at what estimated cost, and what it produced: one row per UTC day x actor
    (a user's email or an API key's name) x customer type x remote flag, from the Claude Code usage report.
    Activity (sessions, lines, commits, pull requests, tool actions) from stg_anthropic__claude_code_activity;
    tokens, the models used and Anthropic's estimated cost summed over the models of
    stg_anthropic__claude_code_usage (no models that day: zero tokens, $0). A user actor is named from the
    organisation's Anthropic members (dim_user) by email, where they are one.

    An ATTRIBUTION view, not spend: customer_type 'api' usage is already in the messages usage report, so in
    fct_usage_cost_daily and, billed, in fct_billed_cost_daily; 'subscription' usage is paid per seat. Nothing
    here is fed into usage_lines or billed_lines (API usage would count twice), and provider totals never
    include it. estimated_cost_usd is Anthropic's estimate, not the price book's list cost and not a bill.
-#}

{%- set grain = ['usage_date', 'actor_type', 'actor', 'customer_type', 'is_remote'] -%}

with

activity as (

    select * from {{ ref('stg_anthropic__claude_code_activity') }}

),

model_usage as (

    select * from {{ ref('stg_anthropic__claude_code_usage') }}

),

members as (

    -- the organisation's Anthropic members by email (a user actor's email names them)
    select
        lower(email) as email_key,
        min(user_name) as user_name
    from {{ ref('dim_user') }}
    where provider = 'anthropic' and email is not null
    group by lower(email)

),

usage_totals as (

    select
        {{ grain | join(',\n        ') }},
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(cache_read_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_creation_tokens) as bigint) as cache_creation_tokens,
        {{ sorted_string_agg('model_raw', "', '") }} as models,
        -- unknown (NULL) when one model's estimate is unknown, never a partial sum
        case
            when count(*) = count(estimated_cost_usd) then {{ to_usd_decimal('sum(estimated_cost_usd)') }}
        end as estimated_cost_usd
    from model_usage
    group by {{ grain | join(', ') }}

),

final as (

    select

        ----------  grain
        activity.usage_date,
        activity.actor_type,
        activity.actor,
        activity.customer_type,
        activity.is_remote,

        ----------  strings
        activity.provider,
        activity.user_email,
        members.user_name,
        activity.api_key_name,
        activity.subscription_type,
        activity.terminal_types,
        usage_totals.models,

        ----------  numerics: what Claude Code produced
        activity.num_sessions,
        activity.lines_of_code_added,
        activity.lines_of_code_removed,
        activity.commits_by_claude_code,
        activity.pull_requests_by_claude_code,
        activity.tool_actions_accepted,
        activity.tool_actions_rejected,

        ----------  numerics: how much, at what estimated cost
        coalesce(usage_totals.input_tokens, 0) as input_tokens,
        coalesce(usage_totals.output_tokens, 0) as output_tokens,
        coalesce(usage_totals.cache_read_tokens, 0) as cache_read_tokens,
        coalesce(usage_totals.cache_creation_tokens, 0) as cache_creation_tokens,
        case
            when usage_totals.usage_date is null then {{ to_usd_decimal('0') }}
            else usage_totals.estimated_cost_usd
        end as estimated_cost_usd

    from activity
    left join usage_totals
        on {{ join_on_columns('activity', 'usage_totals', grain) }}
    left join members
        on lower(activity.user_email) = members.email_key

)

select * from final
