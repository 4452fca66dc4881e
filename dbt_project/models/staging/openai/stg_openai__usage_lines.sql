{#-
    Conformed usage lines (kind usage_lines, read by int_usage_unioned): completions usage as DISJOINT
    usage-type buckets, one row per raw row x bucket, each modality in its own usage type (audio and image
    tokens are priced apart from text: realtime and audio models charge 8-16x more for them). Then the other
    usage endpoints, one row per raw row in their own usage types and units (stg_openai__other_usage). Zero and
    null quantities are left to the union.

    The buckets, from the fields of the Usage API's completions result (provider-apis.md 1.4):
      input_tokens             uncached text: input_tokens - cached - cache writes - uncached audio - uncached image
      input_audio_tokens       uncached audio (input_audio_tokens)
      input_image_tokens       uncached image (input_image_tokens)
      cache_read_tokens        cached text: input_cached_tokens - cached audio - cached image
      cache_audio_read_tokens  input_cached_audio_tokens
      cache_image_read_tokens  input_cached_image_tokens
      cache_write_tokens       input_cache_write_tokens (billed as input; no modality split is reported)
      output_tokens            text output: output_tokens - output audio - output image
      output_audio_tokens, output_image_tokens
    Text is the remainder, so the input buckets always sum to input_tokens and the output buckets to
    output_tokens. Rows of the shape before the per-modality fields (no input_cached_audio_tokens) documented
    input_audio_tokens as "including cached tokens" and give no cached-audio count: there, audio is taken as
    uncached (at most the uncached input), an upper bound when some audio was cached.
-#}

{%- set buckets = [
    ('input_tokens', 'input_tokens - cached_tokens - cache_write_tokens - uncached_audio_tokens - uncached_image_tokens'),
    ('input_audio_tokens', 'uncached_audio_tokens'),
    ('input_image_tokens', 'uncached_image_tokens'),
    ('cache_read_tokens', 'cached_tokens - cached_audio_tokens - cached_image_tokens'),
    ('cache_audio_read_tokens', 'cached_audio_tokens'),
    ('cache_image_read_tokens', 'cached_image_tokens'),
    ('cache_write_tokens', 'cache_write_tokens'),
    ('output_tokens', 'output_tokens - output_audio_tokens - output_image_tokens'),
    ('output_audio_tokens', 'output_audio_tokens'),
    ('output_image_tokens', 'output_image_tokens'),
] -%}

with

completions_usage as (

    select * from {{ ref('stg_openai__completions_usage') }}

),

-- every count a number (a field the row's shape does not have counts 0), named for the buckets above
counts as (

    select
        usage_date,
        provider,
        account_id,
        api_key_id,
        model_raw,
        service_tier,
        context_tier,
        prompt_tokens_gt,
        input_tokens,
        coalesce(input_cached_tokens, 0) as cached_tokens,
        coalesce(input_cache_write_tokens, 0) as cache_write_tokens,
        coalesce(input_cached_audio_tokens, 0) as cached_audio_tokens,
        coalesce(input_cached_image_tokens, 0) as cached_image_tokens,
        coalesce(input_image_tokens, 0) as uncached_image_tokens,
        input_audio_tokens,
        input_cached_audio_tokens is null as is_before_modalities,
        output_tokens,
        coalesce(output_audio_tokens, 0) as output_audio_tokens,
        coalesce(output_image_tokens, 0) as output_image_tokens
    from completions_usage

),

modalities as (

    select
        *,
        case
            when is_before_modalities
                then least(
                    coalesce(input_audio_tokens, 0),
                    input_tokens - cached_tokens - cache_write_tokens - uncached_image_tokens
                )
            else coalesce(input_audio_tokens, 0)
        end as uncached_audio_tokens
    from counts

),

other_usage as (

    select * from {{ ref('stg_openai__other_usage') }}

),

final as (

    {{ usage_buckets('modalities', buckets) }}

    union all

    select
        usage_date,
        provider,
        account_id,
        api_key_id,
        model_raw,
        service_tier,
        context_tier,
        'global' as inference_geo,
        cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
        usage_type,
        quantity
    from other_usage

)

select * from final
