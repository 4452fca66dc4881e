{#-
    What Claude Code did, per actor-day, from the Claude Code usage report: one row per UTC day x actor x
    customer type x remote flag (the report's records summed over their terminal types): sessions, lines of
    code added and removed, commits and pull requests made by Claude Code, and tool actions accepted and
    rejected (every tool of tool_actions summed). Tokens and estimated cost per model are in
    stg_anthropic__claude_code_usage. An attribution view, never a usage or billing source (see there).
-#}

{#- tool_actions: {"<tool>": {"accepted": n, "rejected": n}, ...} -#}
{%- set tool_action_map = billing_json_map_of_structs(
    'tool_actions', {'accepted': 'bigint', 'rejected': 'bigint'}
) %}

with

source as (

    select * from {{ source('anthropic', 'claude_code_usage') }}

),

records as (

    -- one row per record: its first model's row, or its only row when it has no models
    select * from source
    where coalesce(model_index, 0) = 0

),

tool_action_rows as (

    select
        bucket_start,
        record_index,
        {{ billing_unnest('map_values(' ~ tool_action_map ~ ')') }} as tool_action
    from records

),

tool_action_totals as (

    select
        tool_action_rows.bucket_start,
        tool_action_rows.record_index,
        cast(sum(tool_action_rows.tool_action.accepted) as bigint) as tool_actions_accepted,
        cast(sum(tool_action_rows.tool_action.rejected) as bigint) as tool_actions_rejected
    from tool_action_rows
    group by tool_action_rows.bucket_start, tool_action_rows.record_index

),

labelled as (

    select
        cast(records.bucket_start as date) as usage_date,
        coalesce(records.actor_type, '(none)') as actor_type,
        coalesce(records.actor_email_address, records.actor_api_key_name, '(none)') as actor,
        records.actor_email_address as user_email,
        records.actor_api_key_name as api_key_name,
        coalesce(records.customer_type, '(none)') as customer_type,
        records.subscription_type,
        coalesce(records.is_remote, false) as is_remote,
        records.organization_id,
        records.terminal_type,
        records.num_sessions,
        records.lines_of_code_added,
        records.lines_of_code_removed,
        records.commits_by_claude_code,
        records.pull_requests_by_claude_code,
        -- an empty tool_actions object is 0 actions; a missing one is unknown
        case when records.tool_actions is not null then coalesce(tool_action_totals.tool_actions_accepted, 0) end
            as tool_actions_accepted,
        case when records.tool_actions is not null then coalesce(tool_action_totals.tool_actions_rejected, 0) end
            as tool_actions_rejected,
        records._loaded_at as loaded_at
    from records
    left join tool_action_totals
        on
            records.bucket_start = tool_action_totals.bucket_start
            and records.record_index = tool_action_totals.record_index

),

final as (

    select

        ----------  grain
        usage_date,
        actor_type,
        actor,
        customer_type,
        is_remote,

        ----------  strings
        'anthropic' as provider,
        max(user_email) as user_email,
        max(api_key_name) as api_key_name,
        max(subscription_type) as subscription_type,
        max(organization_id) as organization_id,
        {{ sorted_string_agg('terminal_type', "', '", distinct=true) }} as terminal_types,

        ----------  numerics
        count(*) as report_records,
        cast(sum(num_sessions) as bigint) as num_sessions,
        cast(sum(lines_of_code_added) as bigint) as lines_of_code_added,
        cast(sum(lines_of_code_removed) as bigint) as lines_of_code_removed,
        cast(sum(commits_by_claude_code) as bigint) as commits_by_claude_code,
        cast(sum(pull_requests_by_claude_code) as bigint) as pull_requests_by_claude_code,
        cast(sum(tool_actions_accepted) as bigint) as tool_actions_accepted,
        cast(sum(tool_actions_rejected) as bigint) as tool_actions_rejected,

        ----------  timestamps
        max(loaded_at) as loaded_at

    from labelled
    group by usage_date, actor_type, actor, customer_type, is_remote

)

select * from final
