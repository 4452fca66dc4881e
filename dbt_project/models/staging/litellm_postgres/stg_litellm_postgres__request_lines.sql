{{ litellm_request_lines('stg_litellm_postgres__spend_logs', 'litellm_postgres') }}
