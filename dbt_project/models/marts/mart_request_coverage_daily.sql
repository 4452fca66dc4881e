{#-
    Requests attribute, billing counts (DESIGN §3), one row per UTC day x provider:
      - usage_cost_usd: the provider's usage cost at list price (fct_usage_cost_daily), where a billing or
        usage source covers the provider that day (is_covered_by_billing);
      - request_cost_usd: the list cost of the logged requests (fct_request_cost, priced requests only);
      - explained_share = request_cost_usd / usage_cost_usd, the share of usage cost that request logs explain
        (team, feature, user); gap_usd = usage_cost_usd - request_cost_usd, the cost no request log explains
        (negative: more logged than used - a request logged by two sources, or a log from another account);
      - reported_cost_usd vs request_cost_usd: the gateways' own cost counters against the price book, so
        drift in a gateway's figures shows;
      - spend_usd: what the day costs for the provider - the usage cost where a billing source covers it,
        else the request logs' cost. Request cost never adds to a covered provider-day.
-#}

with

usage_costs as (

    select
        usage_date,
        provider,
        {{ to_usd_decimal('sum(list_cost_usd)') }} as usage_cost_usd,
        cast(sum(case when is_priced then 0 else 1 end) as bigint) as unpriced_usage_lines
    from {{ ref('fct_usage_cost_daily') }}
    group by usage_date, provider

),

request_costs as (

    select
        usage_date,
        provider,
        cast(sum(requests) as bigint) as requests,
        cast(sum(unpriced_requests) as bigint) as unpriced_requests,
        {{ to_usd_decimal('coalesce(sum(list_cost_usd), 0)') }} as request_cost_usd,
        {{ to_usd_decimal('sum(reported_cost_usd)') }} as reported_cost_usd
    from {{ ref('fct_request_cost_team_daily') }}
    group by usage_date, provider

),

joined as (

    select
        coalesce(usage_costs.usage_date, request_costs.usage_date) as usage_date,
        coalesce(usage_costs.provider, request_costs.provider) as provider,
        usage_costs.usage_date is not null as is_covered_by_billing,
        usage_costs.usage_cost_usd,
        coalesce(usage_costs.unpriced_usage_lines, 0) as unpriced_usage_lines,
        coalesce(request_costs.requests, 0) as requests,
        coalesce(request_costs.unpriced_requests, 0) as unpriced_requests,
        coalesce(request_costs.request_cost_usd, {{ to_usd_decimal(0) }}) as request_cost_usd,
        request_costs.reported_cost_usd
    from usage_costs
    full outer join request_costs
        on
            usage_costs.usage_date = request_costs.usage_date
            and usage_costs.provider = request_costs.provider

),

final as (

    select
        ----------  ids
        usage_date,
        provider,

        ----------  numerics
        usage_cost_usd,
        request_cost_usd,
        {{ to_usd_decimal('usage_cost_usd - request_cost_usd') }} as gap_usd,
        case
            when usage_cost_usd > 0 then cast(request_cost_usd / usage_cost_usd as decimal(18, 6))
        end as explained_share,
        reported_cost_usd,
        {{ to_usd_decimal('reported_cost_usd - request_cost_usd') }} as reported_minus_list_usd,
        {{ to_usd_decimal('case when is_covered_by_billing then usage_cost_usd else request_cost_usd end') }}
            as spend_usd,
        requests,
        unpriced_requests,
        unpriced_usage_lines,

        ----------  booleans
        is_covered_by_billing

    from joined

)

select * from final
