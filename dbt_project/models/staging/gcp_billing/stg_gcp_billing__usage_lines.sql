{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): the token counts of the Vertex AI and
    Gemini API token SKUs (stg_gcp_billing__export reads model, token type, tier and prompt tier from the SKU).
    Google has no usage API for either, so the billing export is the only source of their usage: each token
    line's usage amount (unit "count": tokens) is one bucket. Lines of a day are summed in int_usage_unioned.
-#}

with

final as (

    select
        usage_date,
        provider,
        account_id,
        '(none)' as api_key_id,
        model_raw,
        service_tier,
        context_tier,
        inference_geo,
        cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
        token_usage_type as usage_type,
        token_quantity as quantity
    from {{ ref('stg_gcp_billing__export') }}
    where token_usage_type is not null

)

select * from final
