"""`finops app --login-secrets FILE`: the OIDC settings are checked before Streamlit starts (orchestration/app_login.py).

The login itself, in a real browser against a real authorization-code flow, is tests/apps/test_login_browser.py.
"""

from __future__ import annotations

import pytest

from orchestration import cli
from orchestration.app_login import LOGIN_SECRETS_ENV, is_loopback, login_secrets
from orchestration.errors import FinopsError

SECRET = "fake-client-secret-xyz"
GOOD = f"""[auth]
redirect_uri = "http://127.0.0.1:8501/oauth2callback"
cookie_secret = "fake-cookie-secret-abc"
client_id = "finops"
client_secret = "{SECRET}"
server_metadata_url = "https://idp.example.test/.well-known/openid-configuration"
"""


def _file(tmp_path, text):
    path = tmp_path / "secrets.toml"
    path.write_text(text)
    return path


def test_off_unless_given(tmp_path):
    assert login_secrets(None, environ={}) is None


def test_a_complete_file_is_accepted_from_the_flag_or_the_environment(tmp_path):
    path = _file(tmp_path, GOOD)
    assert login_secrets(str(path), environ={}) == path
    assert login_secrets(None, environ={LOGIN_SECRETS_ENV: str(path)}) == path


def test_named_providers_each_need_their_client(tmp_path):
    text = (
        '[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\ncookie_secret = "c"\n'
        '[auth.okta]\nclient_id = "a"\nclient_secret = "b"\nserver_metadata_url = "https://okta.test/.well-known"\n'
        '[auth.google]\nclient_id = "a"\nserver_metadata_url = "https://google.test/.well-known"\n'
    )
    with pytest.raises(FinopsError, match=r"lacks client_secret in \[auth\.google\]"):
        login_secrets(str(_file(tmp_path, text)), environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml = = 1", "is not valid TOML"),
        ("[server]\nport = 1\n", r"has no \[auth\] table"),
        (GOOD.replace('cookie_secret = "fake-cookie-secret-abc"\n', ""), r"lacks cookie_secret in \[auth\]"),
        (GOOD.replace("/oauth2callback", "/callback"), "does not end in /oauth2callback"),
        (GOOD.replace('client_id = "finops"\n', ""), r"lacks client_id in \[auth\]"),
    ],
)
def test_a_bad_file_is_one_sentence_naming_the_file_and_never_a_secret(tmp_path, text, message):
    path = _file(tmp_path, text)
    with pytest.raises(FinopsError, match=message) as caught:
        login_secrets(str(path), environ={})
    assert str(path) in str(caught.value)
    assert SECRET not in str(caught.value)
    assert "fake-cookie-secret" not in str(caught.value)


def test_cli_refuses_a_missing_file_before_starting_streamlit(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))
    missing = tmp_path / "nope.toml"
    assert cli.main(["app", "--login-secrets", str(missing)]) == 2  # a usage error, as every FinopsError
    err = capsys.readouterr().err
    assert f"The login secrets file {missing} does not exist" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_loopback(address, loopback):
    assert is_loopback(address) is loopback
