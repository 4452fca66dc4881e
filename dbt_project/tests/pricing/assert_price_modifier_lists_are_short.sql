-- int_usage_priced expands model_pattern and usage_types into at most pipe_list_max_parts() elements.
select
    provider,
    model_pattern,
    service_tier,
    usage_types
from {{ ref('price_modifiers') }}
where
    {{ dbt.length('model_pattern') }} - {{ dbt.length(dbt.replace('model_pattern', "'|'", "''")) }}
    >= {{ pipe_list_max_parts() }}
    or {{ dbt.length('usage_types') }} - {{ dbt.length(dbt.replace('usage_types', "'|'", "''")) }}
    >= {{ pipe_list_max_parts() }}
