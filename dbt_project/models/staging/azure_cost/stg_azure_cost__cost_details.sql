{#-
    Azure Cost Management cost-details lines of Azure OpenAI / Foundry Models, typed, in US dollars: the
    export's own USD amount (MCA costInUsd) when it has one; else the billing-currency cost when that is USD;
    else the billing-currency cost divided by the line's exchange rate from USD pricing (macro usd_at_rate,
    exact). The reader refused a file with a line none of these can convert.

    A usage line of a token meter is token usage; the model and token type are read from the meter name
    (token_usage_type NULL for every other line: provisioned throughput, tools, tax). Azure's token meters, as
    the Azure price list and cost exports name them (dash and space styles, abbreviated):
      "gpt-4o-0806-Inp-glbl Tokens", "gpt-4o-mini-0718-Outp-glbl Tokens", "gpt 4o 1120 cached Inp glbl",
      "gpt-4-8K-Batch-Inp-glbl Tokens", "gpt rt aud 0828 cchd Inp glbl Tokens", "GPT 5 outpt Glbl 1M Tokens"
    Token words: cached or cchd -> cache read; Outp, Output, outpt, opt -> output; Inp, Input, Inpt -> input;
    aud and image name the modality. The model is the words before the token word, without the modality
    and Batch (Batch is the service tier), joined by hyphens ("gpt-4o-0806": the deployment's model and
    version as the meter writes them, read through pricing_seeds/model_aliases.csv). The deployment is the route
    (inference_geo): glbl / global -> 'global'; DZone / Data Zone / DZ -> 'data_zone'; regional / regnl / rgnl ->
    'regional'; a meter naming none -> 'unknown'. The book's Azure rows are the Global deployments' prices
    (genai-prices: "prices for Regional models are often slightly higher"); Data Zone is 1.1x them
    (price_modifiers.csv, region_data_zone). No source here prices Regional deployments, so their usage and a
    meter's without a deployment stay unpriced (flagged) rather than priced as Global.
    Quantities: UnitOfMeasure is the pricing block ("1K", "1M"). Whether Quantity counts tokens or blocks is
    read from the line itself: the reading under which Quantity x EffectivePrice (per block) gives the
    line's cost is taken; a line without a price is taken as counted in blocks.
-#}

with

source as (

    select * from {{ source('azure_cost', 'cost_details') }}

),

renamed as (

    select

        ----------  ids
        billing_account_id,
        subscription_id as account_id,
        resource_id,
        meter_id,

        ----------  strings
        'azure_openai' as provider,
        subscription_name,
        resource_group,
        resource_location,
        meter_category,
        meter_subcategory,
        meter_name,
        meter_region,
        product_name,
        unit_of_measure,
        upper(billing_currency) as currency,
        upper(pricing_currency) as pricing_currency,
        charge_type,
        pricing_model,
        tags,
        export_schema,
        _file as source_file,

        ----------  numerics
        quantity,
        effective_price,
        cost_in_billing_currency,
        exchange_rate_pricing_to_billing,
        case
            when cost_in_usd is not null then {{ to_usd_decimal('cost_in_usd') }}
            when upper(billing_currency) = 'USD' then {{ to_usd_decimal('cost_in_billing_currency') }}
            when upper(pricing_currency) = 'USD'
                then {{ usd_at_rate('cost_in_billing_currency', 'exchange_rate_pricing_to_billing') }}
        end as cost_usd,

        ----------  dates and timestamps
        cast(date as date) as usage_date,
        _loaded_at as loaded_at

    from source

),

meter_words as (

    select
        *,
        {{ billing_re_replace_all("lower(replace(meter_name, '-', ' '))", '\\s+', "' '") }} as meter,
        case
            when {{ billing_re_matches('unit_of_measure', '^\\s*[0-9]+\\s*[KkMm]?\\b') }}
                then cast(regexp_extract(unit_of_measure, {{ billing_re('^\\s*([0-9]+)') }}, 1) as bigint) * case
                    when {{ billing_re_matches('unit_of_measure', '^\\s*[0-9]+\\s*[Kk]') }} then 1000
                    when {{ billing_re_matches('unit_of_measure', '^\\s*[0-9]+\\s*[Mm]') }} then 1000000
                    else 1
                end
        end as block_size
    from renamed

),

parsed as (

    select
        *,
        nullif(trim({{ billing_re_replace_all(
            'regexp_extract(meter, '
            ~ billing_re('^(.+?)\\s(?:cached|cchd|inp|input|inpt|outp|output|outpt|opt)\\b')
            ~ ', 1)',
            '\\b(?:batch|aud|txt|img|image)\\b',
            "''"
        ) }}), '') as meter_model,
        case
            when coalesce(charge_type, 'Usage') <> 'Usage' then null
            when not (meter like '%token%' or lower(unit_of_measure) in ('1k', '1m', '1k tokens', '1m tokens'))
                then null
            when {{ billing_re_matches('meter', '\\b(?:cached|cchd)\\b') }}
                then
                    case
                        when {{ billing_re_matches('meter', '\\baud') }} then 'cache_audio_read_tokens'
                        else 'cache_read_tokens'
                    end
            when {{ billing_re_matches('meter', '\\b(?:outp|output|outpt|opt)\\b') }}
                then case
                    when {{ billing_re_matches('meter', '\\baud') }} then 'output_audio_tokens'
                    when {{ billing_re_matches('meter', '\\b(?:img|image)\\b') }} then 'output_image_tokens'
                    else 'output_tokens'
                end
            when {{ billing_re_matches('meter', '\\b(?:inp|input|inpt)\\b') }}
                then case
                    when {{ billing_re_matches('meter', '\\baud') }} then 'input_audio_tokens'
                    when {{ billing_re_matches('meter', '\\b(?:img|image)\\b') }} then 'input_image_tokens'
                    else 'input_tokens'
                end
        end as meter_usage_type
    from meter_words

),

final as (

    select
        {{ billing_star_except(['meter', 'block_size', 'meter_model', 'meter_usage_type']) }},
        case when meter_model is not null and block_size is not null then meter_usage_type end as token_usage_type,
        case
            when meter_model is not null and block_size is not null and meter_usage_type is not null
                then {{ billing_re_replace_all('meter_model', '\\s+', "'-'") }}
        end as model_raw,
        case
            when meter_model is null or block_size is null or meter_usage_type is null then null
            when {{ billing_re_matches('meter', '\\bbatch\\b') }} then 'batch'
            else 'standard'
        end as service_tier,
        case
            when meter_model is null or block_size is null or meter_usage_type is null then null
            when {{ billing_re_matches('meter', '\\b(?:glbl|global)\\b') }} then 'global'
            when {{ billing_re_matches('meter', '\\b(?:dzone|dz|data zone|datazone)\\b') }} then 'data_zone'
            when {{ billing_re_matches('meter', '\\b(?:regional|regnl|rgnl)\\b') }} then 'regional'
            else 'unknown'
        end as inference_geo,
        case
            when meter_model is null or block_size is null or meter_usage_type is null then null
            -- counted in tokens when that reading explains the cost better than counting in blocks
            when
                effective_price is not null and cost_in_billing_currency is not null
                -- (quantity / block_size in DOUBLE, as DuckDB divides a DECIMAL)
                and abs(
                    cast(quantity as double) / block_size * cast(effective_price as double) - cost_in_billing_currency
                )
                < abs(quantity * effective_price - cost_in_billing_currency)
                then cast(round(quantity) as bigint)
            else cast(round(quantity * block_size) as bigint)
        end as token_quantity
    from parsed

)

select * from final
