"""The emulator's own price table: what the simulated organisation pays, written out by hand.

Exactly the (provider, model, usage type, service tier, prompt-size tier) combinations the organisation
uses, each with the days its price was in effect: no modifiers, no fallbacks, no wildcards, nothing
computed. The emulator prices its ground truth and its invoices from this table alone; it never reads the
warehouse's seeds (``pricing_seeds/``), so a wrong seed price shows up as a disagreement instead of being
mirrored. ``tests/emulator/test_emulator_price_table.py`` compares every row with the seeds and names
every disagreement.

Format (whitespace-separated columns, ``#`` starts a comment, ``-`` is an open end):

* ``tier``: the normalised service tier (``standard``, ``batch``, ``flex``);
* ``>tokens``: the prompt-size tier: the price applies to requests with more prompt tokens than this
  (``0``, or ``200000`` for Anthropic's 1M context window);
* ``from`` / ``to``: the UTC days the price is in effect, ``to`` exclusive;
* ``unit``: ``per_1m_tokens``, ``per_1k_requests``, ``per_second`` (see ``emulator.pricing.UNIT_DIVISORS``);
  ``unit_price`` in USD, exact.

``MODEL_ALIASES``: the model names the organisation calls that the vendor resolves to a dated snapshot,
with the days each resolution held (other names are their own model id, lower-cased).

When a vendor changes a price, or the organisation starts using a model, tier or feature, add rows here
(the organisation refuses to call a model before its first price, and fails on usage it cannot price; the
test then says whether the seeds agree).
"""

PRICES = """
provider   model_id                    usage_type             tier      >tokens  from        to          unit             unit_price

openai     gpt-3.5-turbo-0125          input_tokens           standard  0        2024-01-25  -           per_1m_tokens    0.5
openai     gpt-3.5-turbo-0125          output_tokens          standard  0        2024-01-25  -           per_1m_tokens    1.5

openai     gpt-3.5-turbo-0613          input_tokens           standard  0        2023-06-13  -           per_1m_tokens    1.5
openai     gpt-3.5-turbo-0613          output_tokens          standard  0        2023-06-13  -           per_1m_tokens    2

openai     gpt-4-0613                  input_tokens           standard  0        2023-06-13  -           per_1m_tokens    30
openai     gpt-4-0613                  output_tokens          standard  0        2023-06-13  -           per_1m_tokens    60

# gpt-4-turbo has no cache discount: cached input is billed as input.
openai     gpt-4-turbo-2024-04-09      input_tokens           standard  0        2024-04-09  -           per_1m_tokens    10
openai     gpt-4-turbo-2024-04-09      cache_read_tokens      standard  0        2024-04-09  -           per_1m_tokens    10
openai     gpt-4-turbo-2024-04-09      output_tokens          standard  0        2024-04-09  -           per_1m_tokens    30

openai     gpt-4.1-2025-04-14          input_tokens           standard  0        2025-04-14  -           per_1m_tokens    2
openai     gpt-4.1-2025-04-14          cache_read_tokens      standard  0        2025-04-14  -           per_1m_tokens    0.5
openai     gpt-4.1-2025-04-14          output_tokens          standard  0        2025-04-14  -           per_1m_tokens    8

# gpt-4o-2024-05-13 has no cache discount: cached input is billed as input. Batch is half price.
openai     gpt-4o-2024-05-13           input_tokens           standard  0        2024-05-13  -           per_1m_tokens    5
openai     gpt-4o-2024-05-13           input_tokens           batch     0        2024-05-13  -           per_1m_tokens    2.5
openai     gpt-4o-2024-05-13           cache_read_tokens      standard  0        2024-05-13  -           per_1m_tokens    5
openai     gpt-4o-2024-05-13           output_tokens          standard  0        2024-05-13  -           per_1m_tokens    15
openai     gpt-4o-2024-05-13           output_tokens          batch     0        2024-05-13  -           per_1m_tokens    7.5

openai     gpt-4o-2024-08-06           input_tokens           standard  0        2024-08-06  -           per_1m_tokens    2.5
openai     gpt-4o-2024-08-06           input_tokens           batch     0        2024-08-06  -           per_1m_tokens    1.25
openai     gpt-4o-2024-08-06           cache_read_tokens      standard  0        2024-08-06  -           per_1m_tokens    1.25
openai     gpt-4o-2024-08-06           output_tokens          standard  0        2024-08-06  -           per_1m_tokens    10
openai     gpt-4o-2024-08-06           output_tokens          batch     0        2024-08-06  -           per_1m_tokens    5

openai     gpt-4o-mini-2024-07-18      input_tokens           standard  0        2024-07-18  -           per_1m_tokens    0.15
openai     gpt-4o-mini-2024-07-18      input_tokens           batch     0        2024-07-18  -           per_1m_tokens    0.075
openai     gpt-4o-mini-2024-07-18      cache_read_tokens      standard  0        2024-07-18  -           per_1m_tokens    0.075
openai     gpt-4o-mini-2024-07-18      output_tokens          standard  0        2024-07-18  -           per_1m_tokens    0.6
openai     gpt-4o-mini-2024-07-18      output_tokens          batch     0        2024-07-18  -           per_1m_tokens    0.3

# OpenAI bills cache writes as uncached input; flex and batch are half price.
openai     gpt-5-2025-08-07            input_tokens           standard  0        2025-08-07  -           per_1m_tokens    1.25
openai     gpt-5-2025-08-07            input_tokens           batch     0        2025-08-07  -           per_1m_tokens    0.625
openai     gpt-5-2025-08-07            input_tokens           flex      0        2025-08-07  -           per_1m_tokens    0.625
openai     gpt-5-2025-08-07            cache_read_tokens      standard  0        2025-08-07  -           per_1m_tokens    0.125
openai     gpt-5-2025-08-07            cache_read_tokens      flex      0        2025-08-07  -           per_1m_tokens    0.0625
openai     gpt-5-2025-08-07            cache_write_tokens     standard  0        2025-08-07  -           per_1m_tokens    1.25
openai     gpt-5-2025-08-07            cache_write_tokens     flex      0        2025-08-07  -           per_1m_tokens    0.625
openai     gpt-5-2025-08-07            output_tokens          standard  0        2025-08-07  -           per_1m_tokens    10
openai     gpt-5-2025-08-07            output_tokens          batch     0        2025-08-07  -           per_1m_tokens    5
openai     gpt-5-2025-08-07            output_tokens          flex      0        2025-08-07  -           per_1m_tokens    5

openai     gpt-5.1                     input_tokens           standard  0        2025-11-13  -           per_1m_tokens    1.25
openai     gpt-5.1                     input_tokens           flex      0        2025-11-13  -           per_1m_tokens    0.625
openai     gpt-5.1                     cache_read_tokens      standard  0        2025-11-13  -           per_1m_tokens    0.125
openai     gpt-5.1                     cache_read_tokens      flex      0        2025-11-13  -           per_1m_tokens    0.0625
openai     gpt-5.1                     cache_write_tokens     standard  0        2025-11-13  -           per_1m_tokens    1.25
openai     gpt-5.1                     cache_write_tokens     flex      0        2025-11-13  -           per_1m_tokens    0.625
openai     gpt-5.1                     output_tokens          standard  0        2025-11-13  -           per_1m_tokens    10
openai     gpt-5.1                     output_tokens          flex      0        2025-11-13  -           per_1m_tokens    5

# o3: the 80% price cut of 2025-06-10 ($10 / $2.50 / $40 -> $2 / $0.50 / $8); flex is half price.
openai     o3-2025-04-16               input_tokens           standard  0        2025-04-16  2025-06-10  per_1m_tokens    10
openai     o3-2025-04-16               input_tokens           standard  0        2025-06-10  -           per_1m_tokens    2
openai     o3-2025-04-16               input_tokens           flex      0        2025-04-16  2025-06-10  per_1m_tokens    5
openai     o3-2025-04-16               input_tokens           flex      0        2025-06-10  -           per_1m_tokens    1
openai     o3-2025-04-16               cache_read_tokens      standard  0        2025-04-16  2025-06-10  per_1m_tokens    2.5
openai     o3-2025-04-16               cache_read_tokens      standard  0        2025-06-10  -           per_1m_tokens    0.5
openai     o3-2025-04-16               cache_read_tokens      flex      0        2025-04-16  2025-06-10  per_1m_tokens    1.25
openai     o3-2025-04-16               cache_read_tokens      flex      0        2025-06-10  -           per_1m_tokens    0.25
openai     o3-2025-04-16               output_tokens          standard  0        2025-04-16  2025-06-10  per_1m_tokens    40
openai     o3-2025-04-16               output_tokens          standard  0        2025-06-10  -           per_1m_tokens    8
openai     o3-2025-04-16               output_tokens          flex      0        2025-04-16  2025-06-10  per_1m_tokens    20
openai     o3-2025-04-16               output_tokens          flex      0        2025-06-10  -           per_1m_tokens    4

# The other usage endpoints the org uses (OpenAI's tool streams), each in its own unit: embeddings per 1M
# tokens, whisper per second ($0.006 a minute), tool calls per 1k; '(none)' keys usage without a model.
openai     text-embedding-3-small      input_tokens           standard  0        2024-01-25  -           per_1m_tokens    0.02
openai     whisper-1                   transcription_seconds  standard  0        2023-03-01  -           per_second       0.0001
openai     (none)                      file_search_calls      standard  0        2025-03-11  -           per_1k_requests  2.5
openai     gpt-4.1-2025-04-14          web_search_requests    standard  0        2026-01-24  -           per_1k_requests  10

# Claude Haiku 3.5: $1 / $5 at launch, $0.80 / $4 from 2024-12-01. Batch is half price.
anthropic  claude-3-5-haiku-20241022   input_tokens           standard  0        2024-11-04  2024-12-01  per_1m_tokens    1
anthropic  claude-3-5-haiku-20241022   input_tokens           standard  0        2024-12-01  -           per_1m_tokens    0.8
anthropic  claude-3-5-haiku-20241022   input_tokens           batch     0        2024-11-04  2024-12-01  per_1m_tokens    0.5
anthropic  claude-3-5-haiku-20241022   input_tokens           batch     0        2024-12-01  -           per_1m_tokens    0.4
anthropic  claude-3-5-haiku-20241022   cache_read_tokens      standard  0        2024-11-04  2024-12-01  per_1m_tokens    0.1
anthropic  claude-3-5-haiku-20241022   cache_read_tokens      standard  0        2024-12-01  -           per_1m_tokens    0.08
anthropic  claude-3-5-haiku-20241022   cache_read_tokens      batch     0        2024-11-04  2024-12-01  per_1m_tokens    0.05
anthropic  claude-3-5-haiku-20241022   cache_read_tokens      batch     0        2024-12-01  -           per_1m_tokens    0.04
anthropic  claude-3-5-haiku-20241022   cache_write_tokens     standard  0        2024-11-04  2024-12-01  per_1m_tokens    1.25
anthropic  claude-3-5-haiku-20241022   cache_write_tokens     standard  0        2024-12-01  -           per_1m_tokens    1
anthropic  claude-3-5-haiku-20241022   cache_write_tokens     batch     0        2024-11-04  2024-12-01  per_1m_tokens    0.625
anthropic  claude-3-5-haiku-20241022   cache_write_tokens     batch     0        2024-12-01  -           per_1m_tokens    0.5
anthropic  claude-3-5-haiku-20241022   output_tokens          standard  0        2024-11-04  2024-12-01  per_1m_tokens    5
anthropic  claude-3-5-haiku-20241022   output_tokens          standard  0        2024-12-01  -           per_1m_tokens    4
anthropic  claude-3-5-haiku-20241022   output_tokens          batch     0        2024-11-04  2024-12-01  per_1m_tokens    2.5
anthropic  claude-3-5-haiku-20241022   output_tokens          batch     0        2024-12-01  -           per_1m_tokens    2

anthropic  claude-3-5-sonnet-20240620  input_tokens           standard  0        2024-06-20  -           per_1m_tokens    3
anthropic  claude-3-5-sonnet-20240620  cache_read_tokens      standard  0        2024-06-20  -           per_1m_tokens    0.3
anthropic  claude-3-5-sonnet-20240620  cache_write_tokens     standard  0        2024-06-20  -           per_1m_tokens    3.75
anthropic  claude-3-5-sonnet-20240620  output_tokens          standard  0        2024-06-20  -           per_1m_tokens    15

anthropic  claude-3-5-sonnet-20241022  input_tokens           standard  0        2024-10-22  -           per_1m_tokens    3
anthropic  claude-3-5-sonnet-20241022  cache_read_tokens      standard  0        2024-10-22  -           per_1m_tokens    0.3
anthropic  claude-3-5-sonnet-20241022  cache_write_tokens     standard  0        2024-10-22  -           per_1m_tokens    3.75
anthropic  claude-3-5-sonnet-20241022  output_tokens          standard  0        2024-10-22  -           per_1m_tokens    15

# Claude Haiku 3: its own cache prices (write 1.2x, read 0.12x input), not the usual 1.25x / 0.1x.
anthropic  claude-3-haiku-20240307     input_tokens           standard  0        2024-03-13  -           per_1m_tokens    0.25
anthropic  claude-3-haiku-20240307     input_tokens           batch     0        2024-10-08  -           per_1m_tokens    0.125
anthropic  claude-3-haiku-20240307     cache_read_tokens      standard  0        2024-03-13  -           per_1m_tokens    0.03
anthropic  claude-3-haiku-20240307     cache_read_tokens      batch     0        2024-10-08  -           per_1m_tokens    0.015
anthropic  claude-3-haiku-20240307     cache_write_tokens     standard  0        2024-03-13  -           per_1m_tokens    0.3
anthropic  claude-3-haiku-20240307     cache_write_tokens     batch     0        2024-10-08  -           per_1m_tokens    0.15
anthropic  claude-3-haiku-20240307     output_tokens          standard  0        2024-03-13  -           per_1m_tokens    1.25
anthropic  claude-3-haiku-20240307     output_tokens          batch     0        2024-10-08  -           per_1m_tokens    0.625

anthropic  claude-3-opus-20240229      input_tokens           standard  0        2024-03-04  -           per_1m_tokens    15
anthropic  claude-3-opus-20240229      input_tokens           batch     0        2024-10-08  -           per_1m_tokens    7.5
anthropic  claude-3-opus-20240229      cache_read_tokens      standard  0        2024-03-04  -           per_1m_tokens    1.5
anthropic  claude-3-opus-20240229      cache_read_tokens      batch     0        2024-10-08  -           per_1m_tokens    0.75
anthropic  claude-3-opus-20240229      cache_write_tokens     standard  0        2024-03-04  -           per_1m_tokens    18.75
anthropic  claude-3-opus-20240229      cache_write_tokens     batch     0        2024-10-08  -           per_1m_tokens    9.375
anthropic  claude-3-opus-20240229      output_tokens          standard  0        2024-03-04  -           per_1m_tokens    75
anthropic  claude-3-opus-20240229      output_tokens          batch     0        2024-10-08  -           per_1m_tokens    37.5

anthropic  claude-3-sonnet-20240229    input_tokens           standard  0        2024-03-04  -           per_1m_tokens    3
anthropic  claude-3-sonnet-20240229    output_tokens          standard  0        2024-03-04  -           per_1m_tokens    15

anthropic  claude-haiku-4-5-20251001   input_tokens           standard  0        2025-10-15  -           per_1m_tokens    1
anthropic  claude-haiku-4-5-20251001   input_tokens           batch     0        2025-10-15  -           per_1m_tokens    0.5
anthropic  claude-haiku-4-5-20251001   cache_read_tokens      standard  0        2025-10-15  -           per_1m_tokens    0.1
anthropic  claude-haiku-4-5-20251001   cache_read_tokens      batch     0        2025-10-15  -           per_1m_tokens    0.05
anthropic  claude-haiku-4-5-20251001   cache_write_tokens     standard  0        2025-10-15  -           per_1m_tokens    1.25
anthropic  claude-haiku-4-5-20251001   cache_write_tokens     batch     0        2025-10-15  -           per_1m_tokens    0.625
anthropic  claude-haiku-4-5-20251001   output_tokens          standard  0        2025-10-15  -           per_1m_tokens    5
anthropic  claude-haiku-4-5-20251001   output_tokens          batch     0        2025-10-15  -           per_1m_tokens    2.5

anthropic  claude-opus-4-20250514      input_tokens           standard  0        2025-05-22  -           per_1m_tokens    15
anthropic  claude-opus-4-20250514      input_tokens           batch     0        2025-05-22  -           per_1m_tokens    7.5
anthropic  claude-opus-4-20250514      cache_read_tokens      standard  0        2025-05-22  -           per_1m_tokens    1.5
anthropic  claude-opus-4-20250514      cache_read_tokens      batch     0        2025-05-22  -           per_1m_tokens    0.75
anthropic  claude-opus-4-20250514      cache_write_tokens     standard  0        2025-05-22  -           per_1m_tokens    18.75
anthropic  claude-opus-4-20250514      cache_write_tokens     batch     0        2025-05-22  -           per_1m_tokens    9.375
anthropic  claude-opus-4-20250514      output_tokens          standard  0        2025-05-22  -           per_1m_tokens    75
anthropic  claude-opus-4-20250514      output_tokens          batch     0        2025-05-22  -           per_1m_tokens    37.5

anthropic  claude-opus-4-5-20251101    input_tokens           standard  0        2025-11-24  -           per_1m_tokens    5
anthropic  claude-opus-4-5-20251101    input_tokens           batch     0        2025-11-24  -           per_1m_tokens    2.5
anthropic  claude-opus-4-5-20251101    cache_read_tokens      standard  0        2025-11-24  -           per_1m_tokens    0.5
anthropic  claude-opus-4-5-20251101    cache_read_tokens      batch     0        2025-11-24  -           per_1m_tokens    0.25
anthropic  claude-opus-4-5-20251101    cache_write_tokens     standard  0        2025-11-24  -           per_1m_tokens    6.25
anthropic  claude-opus-4-5-20251101    cache_write_tokens     batch     0        2025-11-24  -           per_1m_tokens    3.125
anthropic  claude-opus-4-5-20251101    output_tokens          standard  0        2025-11-24  -           per_1m_tokens    25
anthropic  claude-opus-4-5-20251101    output_tokens          batch     0        2025-11-24  -           per_1m_tokens    12.5

# Sonnet 4 and 4.5: 5m cache write 1.25x input, 1h write 2x, read 0.1x; over 200k prompt tokens
# (the 1M context window) input doubles and output is 1.5x. Web search: $10 per 1,000, whatever the tier.
anthropic  claude-sonnet-4-20250514    input_tokens           standard  0        2025-05-22  -           per_1m_tokens    3
anthropic  claude-sonnet-4-20250514    input_tokens           standard  200000   2025-08-12  -           per_1m_tokens    6
anthropic  claude-sonnet-4-20250514    cache_read_tokens      standard  0        2025-05-22  -           per_1m_tokens    0.3
anthropic  claude-sonnet-4-20250514    cache_read_tokens      standard  200000   2025-08-12  -           per_1m_tokens    0.6
anthropic  claude-sonnet-4-20250514    cache_write_tokens     standard  0        2025-05-22  -           per_1m_tokens    3.75
anthropic  claude-sonnet-4-20250514    cache_write_tokens     standard  200000   2025-08-12  -           per_1m_tokens    7.5
anthropic  claude-sonnet-4-20250514    cache_write_1h_tokens  standard  0        2025-05-22  -           per_1m_tokens    6
anthropic  claude-sonnet-4-20250514    cache_write_1h_tokens  standard  200000   2025-08-12  -           per_1m_tokens    12
anthropic  claude-sonnet-4-20250514    output_tokens          standard  0        2025-05-22  -           per_1m_tokens    15
anthropic  claude-sonnet-4-20250514    output_tokens          standard  200000   2025-08-12  -           per_1m_tokens    22.5
anthropic  claude-sonnet-4-20250514    web_search_requests    standard  0        2025-05-22  -           per_1k_requests  10
anthropic  claude-sonnet-4-20250514    web_search_requests    standard  200000   2025-05-22  -           per_1k_requests  10

anthropic  claude-sonnet-4-5-20250929  input_tokens           standard  0        2025-09-29  -           per_1m_tokens    3
anthropic  claude-sonnet-4-5-20250929  input_tokens           standard  200000   2025-09-29  -           per_1m_tokens    6
anthropic  claude-sonnet-4-5-20250929  cache_read_tokens      standard  0        2025-09-29  -           per_1m_tokens    0.3
anthropic  claude-sonnet-4-5-20250929  cache_read_tokens      standard  200000   2025-09-29  -           per_1m_tokens    0.6
anthropic  claude-sonnet-4-5-20250929  cache_write_tokens     standard  0        2025-09-29  -           per_1m_tokens    3.75
anthropic  claude-sonnet-4-5-20250929  cache_write_tokens     standard  200000   2025-09-29  -           per_1m_tokens    7.5
anthropic  claude-sonnet-4-5-20250929  cache_write_1h_tokens  standard  0        2025-09-29  -           per_1m_tokens    6
anthropic  claude-sonnet-4-5-20250929  cache_write_1h_tokens  standard  200000   2025-09-29  -           per_1m_tokens    12
anthropic  claude-sonnet-4-5-20250929  output_tokens          standard  0        2025-09-29  -           per_1m_tokens    15
anthropic  claude-sonnet-4-5-20250929  output_tokens          standard  200000   2025-09-29  -           per_1m_tokens    22.5
anthropic  claude-sonnet-4-5-20250929  web_search_requests    standard  0        2025-09-29  -           per_1k_requests  10
anthropic  claude-sonnet-4-5-20250929  web_search_requests    standard  200000   2025-09-29  -           per_1k_requests  10

anthropic  claude-sonnet-4-6           input_tokens           standard  0        2026-02-17  -           per_1m_tokens    3
anthropic  claude-sonnet-4-6           cache_read_tokens      standard  0        2026-02-17  -           per_1m_tokens    0.3
anthropic  claude-sonnet-4-6           cache_write_tokens     standard  0        2026-02-17  -           per_1m_tokens    3.75
anthropic  claude-sonnet-4-6           cache_write_1h_tokens  standard  0        2026-02-17  -           per_1m_tokens    6
anthropic  claude-sonnet-4-6           output_tokens          standard  0        2026-02-17  -           per_1m_tokens    15

# OpenRouter: its own list prices (what /models shows, per token there, per 1M here); no per-request fee.
# Constant over the emulated history: OpenRouter's /models shows prices now, so the warehouse learns a price
# change only from the day it snapshots it (see tests/dbt/test_openrouter_price_history.py).
openrouter  openai/gpt-4.1-mini                input_tokens   standard  0  2025-04-14  -  per_1m_tokens    0.4
openrouter  openai/gpt-4.1-mini                output_tokens  standard  0  2025-04-14  -  per_1m_tokens    1.6
openrouter  anthropic/claude-sonnet-4.5        input_tokens   standard  0  2025-09-29  -  per_1m_tokens    3
openrouter  anthropic/claude-sonnet-4.5        output_tokens  standard  0  2025-09-29  -  per_1m_tokens    15
openrouter  meta-llama/llama-3.3-70b-instruct  input_tokens   standard  0  2024-12-06  -  per_1m_tokens    0.1
openrouter  meta-llama/llama-3.3-70b-instruct  output_tokens  standard  0  2024-12-06  -  per_1m_tokens    0.32
openrouter  google/gemini-2.5-flash            input_tokens   standard  0  2025-06-17  -  per_1m_tokens    0.3
openrouter  google/gemini-2.5-flash            output_tokens  standard  0  2025-06-17  -  per_1m_tokens    2.5

# The cloud billing exports (plugins gcp_billing, aws_cur, azure_cost): each cloud's published list price, per 1M
# tokens here whatever unit the export bills in. The warehouse prices them from its book (genai-prices' rows in
# pricing_seeds/generated/, curated Azure rows) with its route modifiers; tests/e2e/test_cloud_emulator_drops.py
# checks that every cloud day reconciles.
#
# Google Cloud, Gemini 2.5 on Vertex AI (cloud.google.com/vertex-ai/generative-ai/pricing): Flash $0.30 input /
# $2.50 output / $0.03 cached input; batch predictions half price; Pro $1.25 / $10 (prompts up to 200k tokens).
gcp_billing  vertex_ai/gemini-2.5-flash  input_tokens       standard  0  2025-06-17  -           per_1m_tokens  0.3
gcp_billing  vertex_ai/gemini-2.5-flash  input_tokens       batch     0  2025-06-17  -           per_1m_tokens  0.15
gcp_billing  vertex_ai/gemini-2.5-flash  cache_read_tokens  standard  0  2025-06-17  -           per_1m_tokens  0.03
gcp_billing  vertex_ai/gemini-2.5-flash  output_tokens      standard  0  2025-06-17  -           per_1m_tokens  2.5
gcp_billing  vertex_ai/gemini-2.5-flash  output_tokens      batch     0  2025-06-17  -           per_1m_tokens  1.25
gcp_billing  vertex_ai/gemini-2.5-pro    input_tokens       standard  0  2025-06-17  -           per_1m_tokens  1.25
gcp_billing  vertex_ai/gemini-2.5-pro    output_tokens      standard  0  2025-06-17  -           per_1m_tokens  10
# The Gemini API (ai.google.dev/gemini-api/docs/pricing), paid tier, prompts up to 200k tokens: Flash $0.30 / $2.50
# / $0.03 context caching. (Caching was $0.075 at GA; the day of the cut is not known, 2025-10-31 in the warehouse's
# seeds for provider google. The organisation calls the Gemini API only from 2025-11-03, after it.)
gcp_billing  gemini/gemini-2.5-flash     input_tokens       standard  0  2025-10-31  -           per_1m_tokens  0.3
gcp_billing  gemini/gemini-2.5-flash     cache_read_tokens  standard  0  2025-10-31  -           per_1m_tokens  0.03
gcp_billing  gemini/gemini-2.5-flash     output_tokens      standard  0  2025-10-31  -           per_1m_tokens  2.5

# AWS Bedrock, US East (N. Virginia), on-demand (aws.amazon.com/bedrock/pricing). Claude Sonnet 4.5 through its
# in-region (not global) endpoint: Anthropic's models from Sonnet 4.5 on cost 10% more there than through the
# global cross-Region profile ($3 / $15), so $3.30 / $16.50. Nova Pro $0.0008 / $0.0032 / $0.0002 (cache read)
# per 1K tokens; its cache writes cost nothing ($0.00 in the AWS Price List), so they have no row here.
aws_cur  anthropic.claude-sonnet-4-5-20250929-v1:0  input_tokens       standard  0  2025-09-29  -  per_1m_tokens  3.3
aws_cur  anthropic.claude-sonnet-4-5-20250929-v1:0  output_tokens      standard  0  2025-09-29  -  per_1m_tokens  16.5
aws_cur  amazon.nova-pro-v1:0                       input_tokens       standard  0  2024-12-03  -  per_1m_tokens  0.8
aws_cur  amazon.nova-pro-v1:0                       cache_read_tokens  standard  0  2025-04-07  -  per_1m_tokens  0.2
aws_cur  amazon.nova-pro-v1:0                       output_tokens      standard  0  2024-12-03  -  per_1m_tokens  3.2

# Azure OpenAI, global deployments (azure.microsoft.com/pricing/details/cognitive-services/openai-service):
# gpt-4o 2024-08-06 $2.50 input / $1.25 cached input / $10 output; gpt-4o-mini 2024-07-18 $0.15 / $0.60. From
# 2024-10-01 (prompt caching on Azure OpenAI), before the organisation's first call.
azure_cost  gpt-4o-2024-08-06       input_tokens       standard  0  2024-10-01  -  per_1m_tokens  2.5
azure_cost  gpt-4o-2024-08-06       cache_read_tokens  standard  0  2024-10-01  -  per_1m_tokens  1.25
azure_cost  gpt-4o-2024-08-06       output_tokens      standard  0  2024-10-01  -  per_1m_tokens  10
azure_cost  gpt-4o-mini-2024-07-18  input_tokens       standard  0  2024-10-01  -  per_1m_tokens  0.15
azure_cost  gpt-4o-mini-2024-07-18  output_tokens      standard  0  2024-10-01  -  per_1m_tokens  0.6
"""

MODEL_ALIASES = """
provider  alias          model_id                from        to
openai    gpt-3.5-turbo  gpt-3.5-turbo-0613      2023-06-27  2024-02-16
openai    gpt-3.5-turbo  gpt-3.5-turbo-0125      2024-02-16  -
openai    gpt-4          gpt-4-0613              2023-06-27  -
openai    gpt-4o         gpt-4o-2024-05-13       2024-05-13  2024-10-02
openai    gpt-4o         gpt-4o-2024-08-06       2024-10-02  -
openai    gpt-4o-mini    gpt-4o-mini-2024-07-18  2024-07-18  -
"""
