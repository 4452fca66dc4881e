{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): the token counts of the Azure OpenAI
    token meters (stg_azure_cost__cost_details reads model, token type and tier from the meter name and the
    quantity in tokens). Azure has no usage API that bills tokens per day, so the cost export is the only source
    of this usage. Context tier: the meters name none (all). inference_geo: the deployment (global, data_zone,
    regional, unknown).
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
    from {{ ref('stg_azure_cost__cost_details') }}
    where token_usage_type is not null

)

select * from final
