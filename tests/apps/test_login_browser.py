"""Optional OIDC login (issue 11), end to end: ``finops app --login-secrets`` in a real Chromium against a real
authorization-code flow (tests/apps/oidc_provider.py on 127.0.0.1).

Without login (the default on localhost) the Overview opens at once; that is test_browser.py's case.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest
from oidc_provider import OidcProvider, serve
from test_browser import _browser_page, _free_port, _serve, _settled, assert_metric, screenshot

pytestmark = pytest.mark.slow

CLIENT_SECRET = "fake-client-secret-for-tests"  # obviously fake; must never appear in the app's output


def test_login_required_then_pages_show_after_oidc_login(serving_db: Path, tmp_path: Path) -> None:
    port = _free_port()
    redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
    provider = OidcProvider(client_id="finops-test", client_secret=CLIENT_SECRET, redirect_uri=redirect_uri)
    server = serve(provider)
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "finops-test"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n'
    )
    log_path = tmp_path / "finops-app.log"
    try:
        # the real command: `finops app --login-secrets` checks the file, then runs Streamlit with it
        command = [sys.executable, "-m", "orchestration.cli", "app", "--port", str(port)]
        command += ["--login-secrets", str(secrets_file)]
        with _serve(command, serving_db.parent, port, log_path) as url, _browser_page() as page:
            page.goto(url)
            button = page.get_by_role("button", name="Log in")
            button.wait_for(timeout=30_000)
            # Logged out: nothing read from the warehouse is on the page.
            assert page.locator('[data-testid="stMetric"]').count() == 0
            assert "$39.69" not in page.content()
            screenshot(page, "login")

            button.click()  # -> the provider's /authorize -> back to /oauth2callback with a code -> the app
            page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
            _settled(page)
            assert provider.tokens_issued == 1
            assert_metric(page, "$39.69")
            assert page.locator('[data-testid="stException"]').count() == 0
            assert "Signed in: ana@example.test" in page.locator('[data-testid="stSidebar"]').inner_text()
            screenshot(page, "overview-logged-in")

            page.get_by_role("button", name="Log out").click()
            page.get_by_role("button", name="Log in").wait_for(timeout=30_000)
            assert page.locator('[data-testid="stMetric"]').count() == 0
    finally:
        server.shutdown()
    output = log_path.read_text()
    assert "login required (OIDC)" in output
    assert CLIENT_SECRET not in output
