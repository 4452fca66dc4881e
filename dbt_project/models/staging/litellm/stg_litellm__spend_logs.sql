{{ litellm_spend_logs('litellm') }}
