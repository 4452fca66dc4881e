{#- SQL fragments shared by the price lookup (int_usage_priced) and the billed-cost model. -#}

{% macro join_on_columns(left, right, columns) -%}
    {#- `left.c1 = right.c1 and left.c2 = right.c2 ...` (the columns are never null). -#}
    {%- for column in columns %}
        {% if not loop.first %}and {% endif %}{{ left }}.{{ column }} = {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}


{% macro in_effective_window(date_column, relation, open_start=false) -%}
    {#- date_column in [relation.effective_from, relation.effective_to); a null bound is open. -#}
    {%- if open_start -%}
    ({{ relation }}.effective_from is null or {{ date_column }} >= {{ relation }}.effective_from)
    {%- else -%}
    {{ date_column }} >= {{ relation }}.effective_from
    {%- endif %}
    and ({{ relation }}.effective_to is null or {{ date_column }} < {{ relation }}.effective_to)
{%- endmacro %}


{% macro modifier_preference(relation) -%}
    {#- ORDER BY for competing price_modifiers rows: a specific model_pattern before '*', then the latest
        effective_from (an open start counts as the earliest); the last two keys only make ties deterministic. -#}
    case when {{ relation }}.model_pattern = '*' then 1 else 0 end,
    coalesce({{ relation }}.effective_from, cast('1900-01-01' as date)) desc,
    {{ relation }}.model_pattern,
    {{ relation }}.multiplier
{%- endmacro %}


{% macro price_book_rows_at_tier(lookup, usage_type_column, partition_by, carry_columns) -%}
    {#-
        The price-book rows that apply to each row of `lookup` (a CTE with provider, model_id, usage_date and
        prompt_tokens_gt), for the usage type in lookup.<usage_type_column>, as a SELECT for a CTE body:
          - rows of (provider, model_id, usage type) in effect on usage_date; when the model has none, the
            provider-wide rows of model_id '*';
          - of those, the rows at the largest prompt_tokens_gt <= the lookup row's prompt_tokens_gt (tier T),
            over all service tiers (the caller then picks a service tier).
        partition_by identifies one lookup row; carry_columns are passed through. Needs a `price_book` CTE.
    -#}
    {%- set partition = [] -%}
    {%- for column in partition_by -%}{%- do partition.append(lookup ~ '.' ~ column) -%}{%- endfor -%}
    select * from (
        select
            in_scope.*,
            max(in_scope.book_prompt_tokens_gt) over (partition by {{ partition_by | join(', ') }}) as selected_prompt_tokens_gt
        from (
            select * from (
                select
                    {%- for column in carry_columns %}
                    {{ lookup }}.{{ column }},
                    {%- endfor %}
                    {{ lookup }}.prompt_tokens_gt as usage_prompt_tokens_gt,
                    price_book.model_id as book_model_id,
                    price_book.service_tier as book_service_tier,
                    price_book.prompt_tokens_gt as book_prompt_tokens_gt,
                    price_book.unit_price_usd,
                    price_book.unit,
                    price_book.effective_from,
                    price_book.price_conf,
                    max(case when price_book.model_id = '*' then 0 else 1 end) over (
                        partition by {{ partition | join(', ') }}
                    ) as has_own_rows
                from {{ lookup }}
                inner join price_book
                    on {{ lookup }}.provider = price_book.provider
                    and ({{ lookup }}.model_id = price_book.model_id or price_book.model_id = '*')
                    and {{ lookup }}.{{ usage_type_column }} = price_book.usage_type
                    and {{ in_effective_window(lookup ~ '.usage_date', 'price_book') }}
            ) as in_window
            where (book_model_id <> '*' or has_own_rows = 0)
                and book_prompt_tokens_gt <= usage_prompt_tokens_gt
        ) as in_scope
    ) as tiered
    where book_prompt_tokens_gt = selected_prompt_tokens_gt
{%- endmacro %}


{% macro model_resolution_ctes() -%}
    {#- The CTEs macro resolve_model_id needs (price_book, model_aliases, genai_prices_model_matches), each with a
        trailing comma: for the `with` of a model or macro that resolves model names. -#}
price_book as (

    select * from {{ ref('stg_pricing__price_book') }}

),

model_aliases as (

    select * from {{ ref('stg_pricing__model_aliases') }}

),

genai_prices_model_matches as (

    select * from {{ ref('stg_pricing__genai_prices_model_matches') }}

),
{%- endmacro %}


{% macro resolve_model_id(relation, names_from=none, names_by_day=false) -%}
    {#-
        A SELECT (for a CTE body) of every row of `relation` (with provider, usage_date and model_raw) plus
        model_id, matched lower-cased:
          1. model_raw resolved through model_aliases at usage_date;
          2. else lower(model_raw) itself when the curated or published book has a price row for it (any window);
          3. else the genai-prices model whose match rules (genai_prices_model_matches) take the name, the
             lowest match_rank of the provider winning (the package's first match); never for a fine-tune
             (`ft:...`), which stays unpriced unless curated;
          4. else lower(model_raw).
        A null model_raw stays a null model_id. Needs CTEs `model_aliases` (stg_pricing__model_aliases),
        `price_book` (stg_pricing__price_book) and `genai_prices_model_matches`
        (stg_pricing__genai_prices_model_matches): macro model_resolution_ctes.

        names_from (default: relation) is where the model names for rule 3 are read, once per distinct name.
        Reading them from `relation` again makes it a CTE used twice: DuckDB then materializes it, and a filter
        a caller puts on top (an incremental model's days) no longer reaches the rows below it. A model whose
        relation is costly per row (int_request_usage's dedupe window) passes its plain upstream instead:
        every name there is a name of some row of relation.

        names_by_day: read the names per (name, usage_date) and match them on the day too. The match does not
        depend on the day (the same model_id every day); keyed by day, a filter on the caller's days (a range:
        macro days_in_range) reaches the names' read through the join, so an incremental build reads its days'
        names and not every row's.
    -#}
    {%- set by_day = ', names.usage_date' if names_by_day else '' %}
    select
        {{ relation }}.*,
        coalesce(
            model_aliases.model_id, book_models.model_id, genai_prices_matched.model_id, lower({{ relation }}.model_raw)
        ) as model_id
    from {{ relation }}
    left join model_aliases
        on {{ relation }}.provider = model_aliases.provider
        and lower({{ relation }}.model_raw) = model_aliases.alias
        and {{ in_effective_window(relation ~ '.usage_date', 'model_aliases') }}
    left join (
        select distinct
            provider,
            model_id
        from price_book
        -- unit-test fixtures may leave price_origin out: a row without it is curated
        where coalesce(price_origin, 'curated') <> 'genai-prices'
    ) as book_models
        on {{ relation }}.provider = book_models.provider
        and lower({{ relation }}.model_raw) = book_models.model_id
    left join (
        select
            {%- if names_by_day %}
            usage_date,
            {%- endif %}
            provider,
            model_name,
            model_id
        from (
            select
                names.provider,
                names.model_name,
                rules.model_id,
                {%- if names_by_day %}
                names.usage_date,
                {%- endif %}
                row_number() over (
                    partition by names.provider, names.model_name{{ by_day }}
                    order by rules.match_rank, rules.model_id
                ) as preference
            from (
                select distinct
                    {%- if names_by_day %}
                    usage_date,
                    {%- endif %}
                    provider,
                    lower(model_raw) as model_name
                from {{ names_from if names_from is not none else relation }}
                -- a fine-tune (OpenAI `ft:<base>:<org>::<id>`) is priced only where the curated book prices it
                where model_raw is not null and lower(model_raw) not like 'ft:%'
            ) as names
            inner join genai_prices_model_matches as rules
                on names.provider = rules.provider
            group by names.provider, names.model_name{{ by_day }}, rules.model_id, rules.match_rank, rules.alternative
            -- an alternative matches when every one of its clauses does
            having bool_and(case rules.clause_kind
                when 'equals' then names.model_name = rules.pattern
                when 'starts_with' then left(names.model_name, length(rules.pattern)) = rules.pattern
                when 'ends_with' then right(names.model_name, length(rules.pattern)) = rules.pattern
                when 'contains' then contains(names.model_name, rules.pattern)
                when 'regex' then {{ regex_search('names.model_name', 'rules.pattern') }}
                else false
            end)
        ) as matched
        where preference = 1
    ) as genai_prices_matched
        on {{ relation }}.provider = genai_prices_matched.provider
        and lower({{ relation }}.model_raw) = genai_prices_matched.model_name
        {%- if names_by_day %}
        and {{ relation }}.usage_date = genai_prices_matched.usage_date
        {%- endif %}
{%- endmacro %}
