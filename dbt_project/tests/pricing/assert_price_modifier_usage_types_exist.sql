-- Every element of price_modifiers.usage_types ('|'-separated, or '*') is a known usage type.
with

elements as (

    select
        price_modifiers.provider,
        price_modifiers.model_pattern,
        price_modifiers.service_tier,
        {{ dbt.split_part('price_modifiers.usage_types', "'|'", 'parts.part_number') }} as usage_type
    from {{ ref('price_modifiers') }} as price_modifiers
    cross join ({{ small_numbers(pipe_list_max_parts()) }}) as parts
    where price_modifiers.usage_types <> '*'

)

select elements.*
from elements
left join {{ ref('usage_types') }} as usage_types
    on elements.usage_type = usage_types.usage_type
where
    elements.usage_type <> ''
    and usage_types.usage_type is null
