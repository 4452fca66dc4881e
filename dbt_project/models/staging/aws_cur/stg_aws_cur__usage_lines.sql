{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): the token counts of the Bedrock token
    line items (stg_aws_cur__line_items reads model, token type and tier from the usage type, and scales the
    usage amount from its pricing unit to tokens; model_raw is the Bedrock model id, inference_geo the route).
    Bedrock has no usage API, so the CUR is the only source of its usage. Context tier: Bedrock's usage types name
    none (all).
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
        'all' as context_tier,
        inference_geo,
        cast(0 as bigint) as prompt_tokens_gt,
        token_usage_type as usage_type,
        token_quantity as quantity
    from {{ ref('stg_aws_cur__line_items') }}
    where token_usage_type is not null

)

select * from final
