{#-
    Which names hold a credential: one rule for the tags and metadata names of every request source (never carried
    further). The rule, and why, is connectors/credentials.py's CREDENTIAL_NAME, which the readers that drop such
    names as they land use (tests/connectors/test_credentials.py holds the two patterns equal).
-#}

{% macro credential_name_pattern() -%}
    {#- Matched on the lower-cased name; RE2 (DuckDB) and Java (Spark) syntax alike. -#}
    {{ return(
        'api[^a-z0-9]?key|private[^a-z0-9]?key|authorization|secret|passw|cookie|credential|bearer|token$'
        ~ '|^headers?$|^proxy_server_request$'
    ) }}
{%- endmacro %}


{% macro credential_name(expression) -%}
    {#- True for a name that looks like it holds a credential; NULL for NULL. Matched on its lower case: DuckDB's
        lower turns 'APİ_KEY' into api_key, which a case-blind regular expression does not match. -#}
    {{ regex_search('lower(' ~ expression ~ ')', "'" ~ credential_name_pattern() ~ "'") }}
{%- endmacro %}


{% macro credential_name_words() -%}
    {#- The words of credential_name_pattern, derived from it: unanchored, and '.?' for the one character its
        '[^a-z0-9]?' allows (matched on JSON text in any case, a superset of the pattern's matches). -#}
    {{ return(credential_name_pattern().replace('[^a-z0-9]?', '.?').replace('^', '').replace('$', '')) }}
{%- endmacro %}


{% macro may_name_a_credential(expression) -%}
    {#-
        False only when the JSON text `expression` cannot hold a name that macro credential_name matches: none of the
        rule's words in any case (macro credential_name_words), no character outside printable ASCII (a name whose
        lower case is one of the words) and no backslash (a name written with escapes). A cheap test on the text, so
        that the documents without such a name, nearly all, are not taken apart. NULL for NULL.
    -#}
    (
        {{ regex_search(expression, "'(?i)" ~ credential_name_words() ~ "|[^ -~]'") }}
        or instr({{ expression }}, chr(92)) > 0
    )
{%- endmacro %}
