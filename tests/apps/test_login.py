"""The optional login gate (apps/lib/login.py) through AppTest: off without an [auth] secrets section; with one,
nothing from the warehouse until the visitor is logged in. The real OIDC flow in Chromium is
test_login_browser.py."""

from __future__ import annotations

from apptest_helpers import APP, metrics, run
from streamlit.testing.v1 import AppTest

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "fake-cookie-secret",
    "client_id": "finops-test",
    "client_secret": "fake-client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def _app(user: dict | None, auth: bool) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    if auth:
        at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    return run(at)


def test_no_login_without_an_auth_section(serving_db):
    at = _app(None, auth=False)
    assert not [b for b in at.button if b.label == "Log in"]
    assert metrics(at)["List cost"] == "$39.69"


def test_logged_out_visitor_sees_a_login_button_and_no_numbers(serving_db):
    at = _app({"is_logged_in": False}, auth=True)
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.metric and not at.dataframe
    assert "sidebar_filters" not in at.session_state  # the sidebar's queries never ran


def test_logged_in_visitor_sees_the_pages_and_who_they_are(serving_db):
    at = _app({"is_logged_in": True, "email": "ana@example.test"}, auth=True)
    assert metrics(at)["List cost"] == "$39.69"
    assert "Signed in: ana@example.test" in [t.value for t in at.sidebar.text]
    assert "Log out" in [b.label for b in at.sidebar.button]
