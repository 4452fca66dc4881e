{#-
    The list price of every price key of int_request_price_keys (day, provider, model, service tier,
    prompt-size tier, usage type that some request uses), priced by macro price_usage: exactly the rules that
    price provider usage (int_usage_priced), so a request and the usage it is part of get the same unit
    price. Pricing the distinct keys rather than each request keeps the lookup small however many requests
    there are.
-#}

{{ price_usage(ref('int_request_price_keys')) }}
