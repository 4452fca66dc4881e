{{ litellm_spend_logs('litellm_postgres') }}
