"""Optional login through Streamlit's own authentication (OIDC), for a shared deployment.

Off by default: ``finops app`` on localhost asks nobody to log in. It is on when the app is started with an
``[auth]`` section in Streamlit's secrets (``finops app --login-secrets FILE`` passes the file to Streamlit;
the keys are Streamlit's own: ``redirect_uri``, ``cookie_secret``, ``client_id``, ``client_secret``,
``server_metadata_url``). Then every page stays behind the identity provider's login: a visitor who is not
logged in sees a log-in button and nothing read from the warehouse. The secrets stay in the operator's file;
the app never shows or logs them.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError


def configured() -> bool:
    """Whether Streamlit's secrets hold an ``[auth]`` section (no secrets file at all: not configured)."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def require() -> None:
    """Stop the page with a log-in prompt unless login is off or the visitor is logged in; when logged in,
    the sidebar shows who and offers to log out."""
    if not configured():
        return
    if not st.user.get("is_logged_in", False):
        st.title("AI spend")
        st.write("This deployment is shared: log in with your organisation's account to see the numbers.")
        st.button("Log in", icon=":material/login:", on_click=st.login, key="login_button")
        st.stop()
    who = st.user.get("email") or st.user.get("name") or "logged in"
    st.sidebar.text(f"Signed in: {who}")  # from the identity provider: plain text, never Markdown
    st.sidebar.button("Log out", icon=":material/logout:", on_click=st.logout, key="logout_button")
