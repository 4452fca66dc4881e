"""Which names (of metadata entries, attributes, tags) hold a credential: one rule for every source.

The readers that drop such names as they land (Langfuse's metadata, OTel attributes) use ``CREDENTIAL_NAME``
here; dbt drops them from the tags of every request source with macro ``credential_name``
(dbt_project/macros/credentials.sql), the same pattern (tests/connectors/test_credentials.py holds the two equal).

A name holds a credential when its lower case contains an API key (``api_key``, ``x-api-key``, ``apiKey``), a
private key, ``authorization``, ``secret``, ``passw`` (password, passwd), ``cookie``, ``credential`` or ``bearer``;
ends with ``token`` (``access_token``, ``x-auth-token``, ``github_token``; not ``max_tokens`` or ``token_budget``,
which are counts and settings); or is ``header``/``headers`` or LiteLLM's ``proxy_server_request`` (a captured
request, headers and all). A harmless tag lost to the rule costs less than a key kept in the warehouse.
"""

import re
import unicodedata

# matched on the lower-cased name; the same text is an RE2 (DuckDB), Java (Spark) and Python pattern
CREDENTIAL_NAME = (
    r"api[^a-z0-9]?key|private[^a-z0-9]?key|authorization|secret|passw|cookie|credential|bearer|token$"
    r"|^headers?$|^proxy_server_request$"
)
_CREDENTIAL_NAME = re.compile(CREDENTIAL_NAME)


def is_credential_name(name: object) -> bool:
    """True when ``name`` looks like it holds a credential (see the module's docstring). Letters are read without
    their accents and width first, so that 'APİ_KEY' or a full-width 'ａｐｉ_key' is an API key too."""
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return bool(_CREDENTIAL_NAME.search(plain.lower()))


def credential_name_sql(expression: str) -> str:
    """DuckDB SQL, true when the name ``expression`` (a VARCHAR) looks like it holds a credential; NULL for NULL."""
    return f"regexp_matches(lower({expression}), '{CREDENTIAL_NAME}')"
