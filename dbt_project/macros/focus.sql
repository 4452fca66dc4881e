{% macro focus_provider_name(provider) -%}
    {#- The display name FOCUS wants in ServiceProviderName / InvoiceIssuerName / HostProviderName for a
        provider id of the warehouse; an id not listed here is shown as it is. -#}
    case {{ provider }}
        when 'openai' then 'OpenAI'
        when 'anthropic' then 'Anthropic'
        when 'openrouter' then 'OpenRouter'
        when 'azure_openai' then 'Microsoft'
        when 'aws_bedrock' then 'Amazon Web Services'
        when 'google_vertex' then 'Google Cloud'
        when 'google' then 'Google'
        else {{ provider }}
    end
{%- endmacro %}
