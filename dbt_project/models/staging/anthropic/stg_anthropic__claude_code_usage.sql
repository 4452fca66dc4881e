{#-
    Claude Code usage per model, from the Claude Code usage report: one row per UTC day x actor x customer
    type x remote flag x model, the report's records summed over their terminal types. Tokens as the report
    gives them, and Anthropic's estimated cost: cents (minor units) exactly, and in USD (cents x 0.01, exact)
    when every summed row is in USD; NULL otherwise (the model's not_null_columns test fails the build then).

    An attribution view, never a usage or billing source: customer_type 'api' usage is already in the
    messages usage report (billed on the key or Console account that made the calls), so this model feeds no
    conformed kind (usage_lines, billed_lines) and no union. The productivity metrics of an actor-day are in
    stg_anthropic__claude_code_activity.
-#}

with

source as (

    select * from {{ source('anthropic', 'claude_code_usage') }}

),

model_rows as (

    -- one raw row per record x model; a record without models has no row here (model_index null)
    select
        cast(bucket_start as date) as usage_date,
        coalesce(actor_type, '(none)') as actor_type,
        -- a user actor's email, or an api actor's key name (a name, never the key)
        coalesce(actor_email_address, actor_api_key_name, '(none)') as actor,
        actor_email_address as user_email,
        actor_api_key_name as api_key_name,
        coalesce(customer_type, '(none)') as customer_type,
        subscription_type,
        -- reports from before remote usage was split out do not say: local
        coalesce(is_remote, false) as is_remote,
        coalesce(model, '(none)') as model_raw,
        input_tokens,
        output_tokens,
        cache_read_tokens,
        cache_creation_tokens,
        estimated_cost_cents,
        upper(estimated_cost_currency) as estimated_cost_currency,
        _loaded_at as loaded_at
    from source
    where model_index is not null

),

final as (

    select

        ----------  grain
        usage_date,
        actor_type,
        actor,
        customer_type,
        is_remote,
        model_raw,

        ----------  strings
        'anthropic' as provider,
        max(user_email) as user_email,
        max(api_key_name) as api_key_name,
        max(subscription_type) as subscription_type,

        ----------  numerics
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(cache_read_tokens) as bigint) as cache_read_tokens,
        cast(sum(cache_creation_tokens) as bigint) as cache_creation_tokens,
        -- minor units of the estimate's currency, exact (DECIMAL)
        sum(estimated_cost_cents) as estimated_cost_cents,
        -- cents -> dollars by an exact decimal multiplication; unknown unless every row is a USD amount
        case
            when count(*) = count(estimated_cost_cents) and bool_and(coalesce(estimated_cost_currency = 'USD', false))
                then {{ cents_to_usd('sum(estimated_cost_cents)') }}
        end as estimated_cost_usd,

        ----------  timestamps
        max(loaded_at) as loaded_at

    from model_rows
    group by usage_date, actor_type, actor, customer_type, is_remote, model_raw

)

select * from final
