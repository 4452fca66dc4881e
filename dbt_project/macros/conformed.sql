{#-
    Sources are plugins (DESIGN.md §3): each source's staging folder ends in conformed models
    stg_<source>__<kind>, and the unions read whichever models the dbt var `finops_conformed` names.
    The var comes from the source registry (orchestration.defs.transform.project.dbt_vars()), because dbt
    cannot discover models from `graph` while parsing, and a ref() it does not see then is no dependency.
-#}

{% macro union_conformed(kind, columns) -%}
    {#-
        `select <columns> from ref(m) union all ...` over the models var('finops_conformed')[kind], each column
        cast to its type; for an empty list, one typed row of nulls filtered out, so the union stays valid SQL.
        columns: a list of (name, SQL type) pairs, in output order.
    -#}
    {%- set conformed = var('finops_conformed', none) -%}
    {%- if conformed is none -%}
        {{ exceptions.raise_compiler_error(
            "dbt var 'finops_conformed' is missing: finops passes it from the source registry on every dbt"
            ~ " command; to run dbt by hand, add --vars \"$(python -c 'import json; from"
            ~ " orchestration.defs.transform.project import dbt_vars; print(json.dumps(dbt_vars()))')\"."
        ) }}
    {%- endif -%}
    {%- if conformed is not mapping or kind not in conformed
        or conformed[kind] is string or conformed[kind] is not iterable -%}
        {{ exceptions.raise_compiler_error(
            "The dbt var finops_conformed must map the kind '" ~ kind ~ "' to a list of model names (an empty"
            ~ " list when no source provides it), as orchestration.defs.transform.project.dbt_vars() builds it;"
            ~ " got " ~ tojson(conformed) ~ "."
        ) }}
    {%- endif -%}
    {%- set models = conformed[kind] -%}

    {%- if models | length == 0 %}
    -- no registered source provides {{ kind }}
    select
        {%- for name, data_type in columns %}
        cast(null as {{ data_type }}) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    where 1 = 0
    {%- endif %}

    {%- for model in models %}
    select
        {%- for name, data_type in columns %}
        cast({{ name }} as {{ data_type }}) as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref(model) }}
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
{%- endmacro %}


{% macro usage_buckets(relation, buckets, inference_geo="'global'") -%}
    {#-
        A source's usage as DISJOINT usage-type buckets in the columns of the usage_lines kind: one row per row
        of `relation` (a CTE with the usage_lines columns but inference_geo, usage_type and quantity) x bucket.
        buckets: (usage_type, SQL expression of its quantity) pairs. inference_geo: a SQL expression of where
        the inference ran as priced ('us' for US-only inference; 'global' when the source does not say).
    -#}
    {%- for usage_type, expression in buckets %}
    select
        usage_date,
        provider,
        account_id,
        api_key_id,
        model_raw,
        service_tier,
        context_tier,
        {{ inference_geo }} as inference_geo,
        cast(prompt_tokens_gt as bigint) as prompt_tokens_gt,
        '{{ usage_type }}' as usage_type,
        cast({{ expression }} as bigint) as quantity
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
