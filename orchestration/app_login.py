"""`finops app --login-secrets FILE`: check Streamlit's OIDC settings before the app starts (apps/lib/login.py).

The file is the operator's own Streamlit secrets file (TOML), passed to Streamlit as ``--secrets.files``;
nothing here copies, prints or logs its values. It needs an ``[auth]`` table with ``redirect_uri`` (ending in
``/oauth2callback``, Streamlit's callback route) and ``cookie_secret``, and the provider's ``client_id``,
``client_secret`` and ``server_metadata_url`` either in ``[auth]`` itself or in each ``[auth.NAME]`` table
(Streamlit's layout for one or several identity providers). A missing or malformed file is one sentence and a
non-zero exit before Streamlit starts, instead of a login button that fails later.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path

from orchestration.errors import FinopsError

LOGIN_SECRETS_ENV = "FINOPS_APP_LOGIN_SECRETS"
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def login_secrets(given: str | None, environ: dict[str, str] | None = None) -> Path | None:
    """The secrets file from ``--login-secrets`` or FINOPS_APP_LOGIN_SECRETS, checked; None: login is off."""
    value = given or (environ if environ is not None else os.environ).get(LOGIN_SECRETS_ENV)
    if not value:
        return None
    path = Path(value).expanduser()
    where = f"login secrets file {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FinopsError(f"The {where} does not exist: pass the path of your Streamlit secrets file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FinopsError(f"The {where} cannot be read ({type(exc).__name__}): check its permissions.") from None
    except tomllib.TOMLDecodeError as exc:
        raise FinopsError(f"The {where} is not valid TOML ({exc}): fix it and start the app again.") from None
    auth = data.get("auth")
    if not isinstance(auth, dict):
        raise FinopsError(f"The {where} has no [auth] table: add Streamlit's OIDC settings (see README, Login).")
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth.get(key)]
    if missing:
        raise FinopsError(f"The {where} lacks {' and '.join(missing)} in [auth]: add them (see README, Login).")
    if not str(auth["redirect_uri"]).endswith("/oauth2callback"):
        raise FinopsError(
            f"The {where} has a redirect_uri that does not end in /oauth2callback: Streamlit receives the login "
            "there, so set it to the app's address followed by /oauth2callback."
        )
    providers = {name: value for name, value in auth.items() if isinstance(value, dict)}
    for name, table in providers.items() or [("", auth)]:
        absent = [key for key in PROVIDER_KEYS if not table.get(key)]
        if absent:
            section = f"[auth.{name}]" if name else "[auth]"
            raise FinopsError(
                f"The {where} lacks {', '.join(absent)} in {section}: add the identity provider's values."
            )
    return path


def is_loopback(address: str) -> bool:
    """Whether the app would listen on this machine only (localhost, 127.0.0.0/8, ::1)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
