-- int_usage_priced unrolls fallback chains to depth 3: a longer chain (or a cycle) would be cut silently.
select
    t0.usage_type,
    t1.usage_type as fallback_1,
    t2.usage_type as fallback_2,
    t3.usage_type as fallback_3,
    t3.fallback_usage_type as fallback_4
from {{ ref('usage_types') }} as t0
inner join {{ ref('usage_types') }} as t1 on t0.fallback_usage_type = t1.usage_type
inner join {{ ref('usage_types') }} as t2 on t1.fallback_usage_type = t2.usage_type
inner join {{ ref('usage_types') }} as t3 on t2.fallback_usage_type = t3.usage_type
where t3.fallback_usage_type is not null and t3.fallback_usage_type <> ''
