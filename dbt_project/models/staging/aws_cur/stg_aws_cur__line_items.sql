{#-
    AWS CUR 2.0 line items of Amazon Bedrock, typed. CUR states every line's cost in line_item_currency_code
    and has no exchange-rate column: a line in another currency than USD gets a NULL cost_usd, which a
    blocking test turns into an error naming it (never summed as dollars).

    A usage line whose usage type counts tokens is token usage; the model and token type are read here
    (token_usage_type NULL for every other line: provisioned throughput, images, tax, credits). Bedrock's
    usage types, as AWS's CUR data for Bedrock names them ("separate line items for each token type, with
    distinct usage types"):
      Bedrock's own   <REGION>-<Model>-<input|output>-tokens[-<tier>][-cross-region-<global|geo>],
                      <REGION>-<Model>-cache-<read|write>-input-token-count[...]
      Marketplace     <REGION>-MP:<REGION>_<InputTokenCount|OutputTokenCount|input_tokens_standard|
                      cache_write_tokens_1h_standard|...>-Units (third-party models sold through AWS
                      Marketplace: the usage type names no model, the product name does)
    The model is the one the usage type names (stable over the years), else the product map's model, else the
    Marketplace product name without " (Amazon Bedrock Edition)" (cur_model_name). The token type also reads the
    product map's inference_type (AWS's Bedrock product metadata, from July 2026). Batch, flex and priority in the
    usage type (or feature Batch) name the service tier.
    Route (inference_geo), from the usage type: a "global" segment (-cross-region-global, -tokens-global-standard)
    is the global cross-Region profile ('global'); another cross-region one is a geographic profile ('geo'); none
    is in-Region on-demand ('in_region'). AWS prices them apart: the global profile is ~10% cheaper than the
    geographic one for Claude Sonnet 4.5 and later.
    model_raw is the Bedrock model id the line was invoked as: the CUR's name read through the seed
    aws_cur__bedrock_model_names (NovaPro -> amazon.nova-pro-v1:0) unless the usage type names the id itself, with
    the prefix "global." for the global profile, as Bedrock names it. So the CUR and Bedrock's request logs resolve
    to the same priced ids (genai-prices' global. and regional. ids carry the route's price). A name the seed does
    not know stays as the CUR writes it.
    Quantities: line_item_usage_amount is in pricing_unit; "1K tokens" is 1,000 tokens, "1M tokens" and the
    Marketplace "Units" are 1,000,000 tokens; a token usage type without a unit counts tokens.
-#}

with

source as (

    select * from {{ source('aws_cur', 'line_items') }}

),

bedrock_model_names as (

    select * from {{ ref('aws_cur__bedrock_model_names') }}

),

renamed as (

    select

        ----------  ids
        identity_line_item_id as line_item_id,
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as account_id,
        line_item_resource_id as resource_id,

        ----------  strings
        'aws_bedrock' as provider,
        line_item_line_item_type as line_item_type,
        line_item_product_code as product_code,
        line_item_usage_type as usage_type_raw,
        line_item_operation as aws_operation,
        line_item_line_item_description as description,
        bill_billing_entity as billing_entity,
        product_product_name as product_name,
        product_region_code as region_code,
        pricing_unit,
        upper(line_item_currency_code) as currency,
        resource_tags,
        product,
        _file as source_file,

        ----------  numerics
        line_item_usage_amount as usage_amount,
        line_item_unblended_cost as unblended_cost,
        case when upper(line_item_currency_code) = 'USD' then {{ to_usd_decimal('line_item_unblended_cost') }} end
            as cost_usd,

        ----------  dates and timestamps
        cast(line_item_usage_start_date as date) as usage_date,
        line_item_usage_start_date as usage_start_at,
        line_item_usage_end_date as usage_end_at,
        _loaded_at as loaded_at

    from source

),

usage_words as (

    select
        *,
        lower(usage_type_raw) as usage_words,
        lower(coalesce({{ billing_json_text('product', "'$.inference_type'") }}, '')) as inference_words,
        nullif(regexp_extract(
            usage_type_raw,
            {{ billing_re('^[A-Z]{2,4}[0-9]?-(.+?)-(?:mantle-)?(?:input|output|cache-read|cache-write)') }},
            1
        ), '') as usage_type_model,
        coalesce(
            {{ billing_json_text('product', "'$.model'") }},
            nullif(trim(replace(product_name, '(Amazon Bedrock Edition)', '')), '')
        ) as product_model,
        line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
        and (
            lower(usage_type_raw) like '%token%'
            or lower({{ billing_json_text('product', "'$.inference_type'") }}) like '%token%'
        ) as counts_tokens
    from renamed

),

parsed as (

    select
        *,
        case
            when not counts_tokens or coalesce(usage_type_model, product_model) is null then null
            when
                {{ billing_re_full_match('usage_words', '.*cache[-_]?read.*') }}
                or inference_words like '%cache read%'
                then 'cache_read_tokens'
            when
                {{ billing_re_full_match('usage_words', '.*cache[-_]?write.*') }}
                or inference_words like '%cache write%'
                then case when usage_words like '%1h%' then 'cache_write_1h_tokens' else 'cache_write_tokens' end
            when usage_words like '%output%' or inference_words like '%output%' then 'output_tokens'
            when usage_words like '%input%' or inference_words like '%input%' then 'input_tokens'
        end as token_usage_type
    from usage_words

),

named as (

    select
        parsed.*,
        case when parsed.token_usage_type is not null then coalesce(parsed.usage_type_model, parsed.product_model) end
            as cur_model_name,
        case
            when parsed.token_usage_type is null then null
            when {{ billing_re_matches('parsed.usage_words', '-global(-|$)') }} then 'global'
            when parsed.usage_words like '%cross-region%' then 'geo'
            else 'in_region'
        end as inference_geo,
        coalesce(
            bedrock_model_names.bedrock_model_id,
            -- a usage type naming the Bedrock id itself (<vendor>.<model>: USW2-anthropic.claude-opus-4-8-mantle-...)
            case
                when {{ billing_re_matches("lower(coalesce(parsed.usage_type_model, ''))", '^[a-z]+\\.[a-z]') }}
                    then lower(parsed.usage_type_model)
            end
        ) as bedrock_model_id
    from parsed
    left join bedrock_model_names
        on lower(trim(coalesce(parsed.usage_type_model, parsed.product_model))) = bedrock_model_names.cur_model_name

),

final as (

    select
        {{ billing_star_except([
            'usage_words', 'inference_words', 'usage_type_model', 'product_model', 'counts_tokens', 'token_usage_type',
            'bedrock_model_id'
        ]) }},
        token_usage_type,
        case
            when token_usage_type is null then null
            when bedrock_model_id is null then cur_model_name
            -- Bedrock's id of the global cross-Region profile (global.anthropic.claude-sonnet-4-5-...)
            when inference_geo = 'global' then 'global.' || bedrock_model_id
            else bedrock_model_id
        end as model_raw,
        case
            when token_usage_type is null then null
            when usage_words like '%batch%' or {{ billing_json_text('product', "'$.feature'") }} = 'Batch' then 'batch'
            when usage_words like '%flex%' then 'flex'
            when usage_words like '%priority%' then 'priority'
            else 'standard'
        end as service_tier,
        case
            when token_usage_type is null then null
            else cast(round(usage_amount * case
                when lower(pricing_unit) in ('1k tokens', '1k') then 1000
                when lower(pricing_unit) in ('1m tokens', '1m', 'units') then 1000000
                when pricing_unit is null and usage_words like '%-units' then 1000000
                else 1
            end) as bigint)
        end as token_quantity
    from named

)

select * from final
