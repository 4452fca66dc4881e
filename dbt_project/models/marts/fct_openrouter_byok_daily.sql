{#-
    OpenRouter's bring-your-own-key (BYOK) inference, kept apart: one row per UTC day x account x model x provider
    endpoint that had any (byok_inference_usd <> 0), with the tokens of that activity row. The upstream provider
    billed it on the caller's own key; OpenRouter billed only credits_usd (its BYOK fee, and any requests that
    fell back to OpenRouter's own endpoints, which the API does not split from the BYOK ones).

    is_counted_elsewhere: finops.yaml openrouter.byok_billed_by_upstream lists upstream_provider, whose own
    billing this warehouse loads for the key: then the row is in no total here (neither its BYOK line in
    fct_billed_cost_daily nor its tokens in fct_usage_cost_daily) and this mart is where it is seen. Otherwise
    the BYOK amount is a billed line of provider openrouter (usage type byok_inference) and the tokens are
    OpenRouter usage, and this mart repeats them: do not add it to those facts.
-#}

with

activity as (

    select * from {{ ref('stg_openrouter__activity') }}

),

final as (

    select
        ----------  ids
        usage_date,
        provider,
        account_id,
        model_raw,
        endpoint_id,

        ----------  strings
        provider_name,
        upstream_provider,

        ----------  numerics
        cast(requests as bigint) as requests,
        cast(prompt_tokens as bigint) as prompt_tokens,
        cast(completion_tokens as bigint) as completion_tokens,
        cast(reasoning_tokens as bigint) as reasoning_tokens,
        {{ to_usd_decimal('byok_inference_usd') }} as byok_inference_usd,
        {{ to_usd_decimal('credits_usd') }} as credits_usd,

        ----------  booleans
        is_byok_counted_elsewhere as is_counted_elsewhere

    from activity
    where byok_inference_usd <> 0

)

select * from final
