{{ litellm_request_lines('stg_litellm__spend_logs', 'litellm') }}
