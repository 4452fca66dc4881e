{#-
    Google Cloud Billing export lines (Vertex AI and the Gemini API), typed, in US dollars. Google: "cost ÷
    currency_conversion_rate is the cost in US dollars"; each line is converted with its own rate (macro
    usd_at_rate, exact), a USD line is taken as it is. Vertex AI and the Gemini API are priced apart (Vertex
    has its own endpoints and uplifts), so they are two providers: google_vertex and google.

    A regular line whose SKU counts tokens (usage.unit "count") is token usage: its SKU description names the
    model and the token type, read here (token_usage_type NULL for every other line: tax, storage, grounding,
    SKUs priced per character). Google's two SKU families, as Cloud Billing names them:
      Vertex AI   "<Model> [GA|Preview|Global] <Text|Audio|Image|Video> <Input|Output> [(Long)] - [Batch ]Predictions",
                  "<Model> GA Thinking Text Output - Predictions", "<Model> GA Input Text Caching" (cache read)
      Gemini API  "Generate content <input|output|cached input> token count <model> [short|long] <input|output>
                  <text|image|audio|video> [flex|priority]"
    Token types: cached input or caching -> cache read; output or thinking -> output; input -> input; each with
    its modality (audio, image) where the price book has one, else the text type. "Caching Storage" and
    "storage token hours" are token-hours of storage, not tokens (left as other usage). Batch, flex and
    priority name the service tier; "long" (prompts over the model's long-context bound) is prompt tier 200000,
    Gemini's bound (a model with a lower bound, as Gemini 1.5's 128000, still finds its tier: the price book
    takes the highest tier at or below it).
    Route (inference_geo): a Vertex AI line served from the global endpoint (location "global", or a "Global" SKU)
    is 'global'; one served from a region or multi-region (us-central1, us, eu) is 'regional', which costs 10% more
    for Claude from the 4.5 models on (pricing_seeds/price_modifiers.csv, region_regional). The Gemini API has no
    endpoints to choose: 'global'. A line that names no location is taken as global.
-#}

with

source as (

    select * from {{ source('gcp_billing', 'export') }}

),

renamed as (

    select

        ----------  ids
        billing_account_id,
        -- a line without a project (tax not tied to one) belongs to the billing account
        coalesce(project_id, billing_account_id) as account_id,
        service_id,
        sku_id,

        ----------  strings
        case
            when service_id = 'C7E2-9256-1C43' or service_description = 'Vertex AI' then 'google_vertex'
            else 'google'
        end as provider,
        service_description,
        sku_description,
        project_name,
        location_location,
        location_region,
        upper(currency) as currency,
        lower(replace(cost_type, ' ', '_')) as cost_type,  -- Google writes both 'rounding error' and rounding_error
        {{ billing_json_text('adjustment_info', "'$.type'") }} as adjustment_type,
        usage_unit,
        usage_pricing_unit,
        labels,
        project_labels,
        credits,
        _file as source_file,

        ----------  numerics
        cost,
        currency_conversion_rate,
        credits_amount,
        case
            when upper(currency) = 'USD' then {{ to_usd_decimal('cost') }}
            else {{ usd_at_rate('cost', 'currency_conversion_rate') }}
        end as cost_usd,
        case
            when upper(currency) = 'USD' then {{ to_usd_decimal('credits_amount') }}
            else {{ usd_at_rate('credits_amount', 'currency_conversion_rate') }}
        end as credits_usd,
        usage_amount,
        usage_amount_in_pricing_units,

        ----------  dates and timestamps
        cast(usage_start_time as date) as usage_date,
        usage_start_time as usage_start_at,
        usage_end_time as usage_end_at,
        export_time as exported_at,
        _loaded_at as loaded_at

    from source

),

sku_words as (

    select
        *,
        lower(sku_description) as sku,
        cost_type = 'regular' and lower(usage_unit) in ('count', 'token', 'tokens') as counts_tokens
    from renamed

),

parsed as (

    select
        *,
        case
            when not counts_tokens or {{ billing_re_full_match('sku', '.*(storage|token hour).*') }} then null
            when {{ billing_re_full_match('sku', '.*(cached input|caching).*') }}
                then case when sku like '%audio%' then 'cache_audio_read_tokens' else 'cache_read_tokens' end
            when {{ billing_re_full_match('sku', '.*(output|thinking).*') }}
                then case
                    when sku like '%audio%' then 'output_audio_tokens'
                    when sku like '%image%' then 'output_image_tokens'
                    else 'output_tokens'
                end
            when sku like '%input%'
                then case
                    when sku like '%audio%' then 'input_audio_tokens'
                    when sku like '%image%' then 'input_image_tokens'
                    else 'input_tokens'
                end
        end as token_usage_type,
        replace(
            coalesce(
                nullif(regexp_extract(
                    sku,
                    {{ billing_re(
                        'token count (?:for )?(.+?)(?:\\s+(?:short|long|input|output|text|image|audio|video|flex|priority'
                        ~ '|batch|caching)\\b|$)'
                    ) }},
                    1
                ), ''),
                nullif(regexp_extract(
                    sku,
                    {{ billing_re(
                        '^(.+?)\\s+(?:ga\\s+|preview\\s+|global\\s+)*(?:text|audio|image|video|input|output|thinking'
                        ~ '|cached|caching)\\b'
                    ) }},
                    1
                ), '')
            ),
            ' ',
            '-'
        ) as sku_model,
        case
            when sku like '%batch%' then 'batch'
            when sku like '%priority%' then 'priority'
            when sku like '%flex%' then 'flex'
            else 'standard'
        end as sku_service_tier,
        {{ billing_re_full_match('sku', '.*(\\(long\\)| long ).*') }} as is_long_context
    from sku_words

),

tokens as (

    -- a token SKU whose model cannot be read stays other usage: a token count without a model prices nothing
    select
        {{ billing_star_except(['token_usage_type']) }},
        case when sku_model is not null then token_usage_type end as token_usage_type
    from parsed

),

final as (

    select
        {{ billing_star_except(['sku', 'counts_tokens', 'sku_model', 'sku_service_tier', 'is_long_context']) }},
        case when token_usage_type is not null then sku_model end as model_raw,
        case when token_usage_type is not null then sku_service_tier end as service_tier,
        case
            when token_usage_type is null then null
            when provider = 'google' then 'global'
            when sku like '% global %' or coalesce(lower(location_location), 'global') = 'global' then 'global'
            else 'regional'
        end as inference_geo,
        case when token_usage_type is not null then case when is_long_context then 'long' else 'short' end end
            as context_tier,
        case when token_usage_type is not null then case when is_long_context then 200000 else 0 end end
            as prompt_tokens_gt,
        case when token_usage_type is not null then cast(round(usage_amount) as bigint) end as token_quantity
    from tokens

)

select * from final
