"""One rule for the names that hold a credential (connectors/credentials.py): what it drops and keeps, the same in
Python and in DuckDB, and the same pattern as dbt's macro credential_name, whose cheap pre-test on a JSON text
(macro may_name_a_credential) lets no such name through."""

import json
import re
from pathlib import Path

import duckdb
import pytest

from connectors.credentials import CREDENTIAL_NAME, credential_name_sql, is_credential_name

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "credentials.sql"

CREDENTIALS = [
    "api_key", "API-Key", "x-api-key", "apiKey", "OPENAI_API_KEY", "openai.api.key", "user_api_key", "private_key",
    "privateKey", "Authorization", "proxy-authorization", "http.request.header.authorization", "client_secret",
    "password", "Passwd", "cookie", "Set-Cookie", "aws_credentials", "bearer", "token", "access_token",
    "x-auth-token", "GitHub_Token", "headers", "header", "proxy_server_request",
]  # fmt: skip
KEPT = [
    "max_tokens", "prompt_tokens", "token_budget", "tokenizer", "gen_ai.usage.input_tokens",
    "gen_ai.request.max_tokens", "env", "team", "feature", "customer", "session.id", "user.id", "service.name",
    "keyboard", "monkey", "api_version", "header_count", "request_headers_size",
]  # fmt: skip


def _macro_strings(name: str) -> str:
    """The string literals of dbt macro ``name`` in macros/credentials.sql, joined (they are concatenated with ~)."""
    text = MACROS.read_text()
    body = text[text.index("{% macro " + name) :]
    body = body[: body.index("{%- endmacro %}")]
    return "".join(re.findall(r"'([^']*)'", body.split("-#}")[-1]))


@pytest.mark.parametrize("name", CREDENTIALS)
def test_a_credential_name_is_dropped(name):
    assert is_credential_name(name)


@pytest.mark.parametrize("name", KEPT)
def test_a_count_or_setting_is_kept(name):
    assert not is_credential_name(name)


def test_accents_and_full_width_letters_do_not_hide_a_key():
    assert is_credential_name("APİ_KEY") and is_credential_name("ａｐｉ_key") and is_credential_name("pässword")


def test_duckdb_reads_the_rule_as_python_does():
    names = CREDENTIALS + KEPT
    found = duckdb.sql(f"select n, {credential_name_sql('n')} from unnest(?::varchar[]) as t (n)", params=[names])
    assert dict(found.fetchall()) == {n: n in CREDENTIALS for n in names}


def test_dbt_uses_the_same_pattern():
    assert _macro_strings("credential_name_pattern") == CREDENTIAL_NAME


def test_the_pre_test_on_json_text_lets_no_credential_name_through():
    # a document is taken apart only when the pre-test says it may hold such a name: it must say so for every one,
    # written plainly, with a JSON escape, or with a letter outside ASCII
    # as macros credential_name_words and may_name_a_credential build it from the pattern
    words = CREDENTIAL_NAME.replace("[^a-z0-9]?", ".?").replace("^", "").replace("$", "")
    assert (
        words
        == "api.?key|private.?key|authorization|secret|passw|cookie|credential|bearer|token|headers?|proxy_server_request"
    )
    pre = "(?i)" + words + "|[^ -~]"
    documents = [json.dumps({n: "x"}) for n in CREDENTIALS]
    documents += [json.dumps({n: "x"}, ensure_ascii=False) for n in ("APİ_KEY", "pässword")]
    documents += ['{"p\\u0061ssword": "x"}']
    flagged = duckdb.sql(
        f"select d, regexp_matches(d, '{pre}') or instr(d, chr(92)) > 0 from unnest(?::varchar[]) as t (d)",
        params=[documents],
    ).fetchall()
    assert [d for d, hit in flagged if not hit] == []
    # and it is cheap because it stays quiet on the usual names (those without a word of the rule in them)
    quiet = [json.dumps({n: "x"}) for n in ("env", "team", "feature", "customer", "session.id", "max_output")]
    hits = duckdb.sql(f"select regexp_matches(d, '{pre}') from unnest(?::varchar[]) as t (d)", params=[quiet])
    assert hits.fetchall() == [(False,)] * len(quiet)
