{#-
    Request lines from every registered request-log source (LiteLLM, OpenTelemetry, Helicone, Langfuse, the
    plain JSONL format, ...): the union of the conformed models stg_<source>__request_lines that the dbt var
    finops_conformed names (macro union_conformed). One row per request as each source logged it; a request
    logged twice (the same id in two files, a re-exported file) is still here twice: fct_request_cost keeps one.

    The conformed columns (each source's staging model builds exactly these, its contract enforced):
      request_id              the source's id of the call (unique within the source)
      source                  the source's name (connectors.registry)
      requested_at            when the call started, UTC (naive timestamp meaning UTC)
      usage_date              UTC day of requested_at
      provider                the price book's provider vocabulary (macro request_provider)
      model_raw               the model as logged, less a gateway's routing prefix ('openai/gpt-4o' -> 'gpt-4o')
      service_tier            standard | batch | flex | priority
      status                  success | error
      latency_ms              end - start of the call, milliseconds (null if unknown)
      user_id, team, feature  who and what called (null if the log does not say)
      api_key_alias           the gateway key's alias or hashed id (never a key itself)
      session_id              conversation / session / trace id, if logged
      tags                    JSON object text of tag key -> string value ('{}' when none); a bare tag 'x'
                              is {"x": ""}, a 'k:v' tag is {"k": "v"}
      input_tokens            uncached input tokens          } DISJOINT buckets, so that the request's cost
      cache_read_tokens       input read from the cache      } is the sum of bucket x price: each source
      cache_write_tokens      written to the cache (5-minute } subtracts what its format includes in its
                              or unspecified TTL)            } prompt count (OpenAI-style: cached inside
      cache_write_1h_tokens   written with a 1-hour TTL      } prompt_tokens; Anthropic-style: separate)
      output_tokens           all output tokens, reasoning included
      reasoning_tokens        the reasoning part of output_tokens (informational, not priced apart)
      reported_cost_usd       the source's own cost figure in USD, kept for audit (null if none)
      loaded_at               when the row was landed (_loaded_at), so the latest copy of a request wins
-#}

with

request_lines as (

    {{ union_conformed('request_lines', request_line_columns()) }}

)

select * from request_lines
