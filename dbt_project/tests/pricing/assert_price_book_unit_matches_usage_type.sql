-- A price is quoted in the unit its usage type is measured in (usage_types.unit).
select
    price_book.provider,
    price_book.model_id,
    price_book.usage_type,
    price_book.unit as price_unit,
    usage_types.unit as usage_type_unit
from {{ ref('price_book') }} as price_book
inner join {{ ref('usage_types') }} as usage_types
    on price_book.usage_type = usage_types.usage_type
where price_book.unit <> usage_types.unit
