{#-
    The other OpenAI usage endpoints (embeddings, moderations, images, audio, vector stores, code interpreter,
    file search and web search calls), one row per raw row, each in the usage type and unit it is priced in:

      endpoint                   usage_type                          quantity (unit of the price book)
      embeddings, moderations    input_tokens                        input_tokens (per 1M tokens)
      images                     images_<size> ('images' w/o size)   images (per image)
      audio_speeches             speech_characters                   characters (per 1M characters)
      audio_transcriptions       transcription_seconds               seconds (per second)
      vector_stores              vector_store_bytes                  usage_bytes of a 1-day bucket (per GiB-day)
      code_interpreter_sessions  code_interpreter_sessions           num_sessions (per session)
      file_search_calls          file_search_calls                   num_requests (per 1k calls)
      web_search_calls           web_search_requests                 num_requests (per 1k calls)

    Endpoints without a model (storage, sessions, file search) have model_raw '(none)'; the price book prices
    them with provider-wide rows (model '*').
-#}

{%- set endpoints = [
    ('embeddings', 'model', "'input_tokens'", 'input_tokens', 'num_model_requests'),
    ('moderations', 'model', "'input_tokens'", 'input_tokens', 'num_model_requests'),
    ('images', 'model', "coalesce('images_' || size, 'images')", 'images', 'num_model_requests'),
    ('audio_speeches', 'model', "'speech_characters'", 'characters', 'num_model_requests'),
    ('audio_transcriptions', 'model', "'transcription_seconds'", 'seconds', 'num_model_requests'),
    ('vector_stores', 'null', "'vector_store_bytes'", 'usage_bytes', 'null'),
    ('code_interpreter_sessions', 'null', "'code_interpreter_sessions'", 'num_sessions', 'null'),
    ('file_search_calls', 'null', "'file_search_calls'", 'num_requests', 'null'),
    ('web_search_calls', 'model', "'web_search_requests'", 'num_requests', 'num_model_requests'),
] -%}

with

unioned as (

    {%- for endpoint, model, usage_type, quantity, requests in endpoints %}
        select
            '{{ endpoint }}' as endpoint,
            {{ model }} as model_reported,
            {{ usage_type }} as usage_type,
            cast({{ quantity }} as bigint) as quantity,
            cast({{ requests }} as bigint) as num_model_requests,
            {{ 'context_level' if endpoint == 'web_search_calls' else 'null' }} as context_level,
            project_id,
            {{ 'null' if endpoint in ('vector_stores', 'code_interpreter_sessions') else 'api_key_id' }} as api_key_id,
            bucket_start,
            bucket_end,
            _loaded_at
        from {{ source('openai', endpoint ~ '_usage') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

renamed as (

    select

        ----------  ids
        coalesce(project_id, '(none)') as account_id,
        coalesce(api_key_id, '(none)') as api_key_id,

        ----------  strings
        'openai' as provider,
        endpoint,
        coalesce(model_reported, '(none)') as model_raw,
        'standard' as service_tier,
        -- OpenAI has no prompt-size tier in its usage report
        'all' as context_tier,
        usage_type,
        context_level,

        ----------  numerics
        0 as prompt_tokens_gt,
        quantity,
        num_model_requests,

        ----------  dates
        cast(bucket_start as date) as usage_date,

        ----------  timestamps
        bucket_start as bucket_start_at,
        bucket_end as bucket_end_at,
        _loaded_at as loaded_at

    from unioned

)

select * from renamed
