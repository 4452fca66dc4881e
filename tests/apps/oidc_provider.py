"""A minimal OpenID Connect identity provider on 127.0.0.1, for the login test (test_login_browser.py).

It speaks the authorization-code flow as Streamlit's ``st.login`` (Authlib) uses it: discovery
(``/.well-known/openid-configuration``), ``/authorize`` (no sign-in form: it logs in the one test user at once
and redirects back with a code, echoing ``state``), ``/token`` (the code for an RS256-signed ID token carrying
the request's ``nonce``, ``iss``, ``aud``, ``exp``) and ``/jwks``. It checks what a real provider checks and the
test relies on: the client id, the redirect URI registered for it, a code used once, and the PKCE verifier when
a challenge was sent. Test code only: the app never talks to it except through the login.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class OidcProvider:
    client_id: str
    client_secret: str
    redirect_uri: str
    email: str = "ana@example.test"
    name: str = "Ana Analyst"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-key"}))
    codes: dict[str, dict] = field(default_factory=dict)
    tokens_issued: int = 0
    url: str = ""

    def metadata(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """A redirect back to the app with a fresh code, or 400 for a client or redirect URI it does not know."""
        if query.get("client_id") != self.client_id or query.get("redirect_uri") != self.redirect_uri:
            return 400, ""
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return 302, f"{self.redirect_uri}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def token(self, form: dict[str, str], authorization: str) -> dict | None:
        """The tokens for a valid, unused code from the client with its secret (None: 400)."""
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        posted = form.get("client_id") == self.client_id and form.get("client_secret") == self.client_secret
        if authorization != f"Basic {basic}" and not posted:
            return None
        request = self.codes.pop(form.get("code", ""), None)
        if request is None or form.get("redirect_uri") != self.redirect_uri:
            return None
        challenge = request.get("code_challenge")
        if challenge:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                return None
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "user-1",
            "aud": self.client_id,
            "iat": now,
            "exp": now + 600,
            "email": self.email,
            "email_verified": True,
            "name": self.name,
        }
        if request.get("nonce"):
            claims["nonce"] = request["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        self.tokens_issued += 1
        return {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 600,
            "id_token": id_token,
        }


def serve(provider: OidcProvider) -> ThreadingHTTPServer:
    """Start ``provider`` on 127.0.0.1 (a free port; ``provider.url`` is set); stop with ``shutdown()``."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, body: dict | None = None, location: str | None = None) -> None:
            payload = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            if parsed.path == "/.well-known/openid-configuration":
                self._send(200, provider.metadata())
            elif parsed.path == "/jwks":
                self._send(200, {"keys": [provider.key.as_dict(private=False)]})
            elif parsed.path == "/authorize":
                status, location = provider.authorize(query)
                self._send(status, None if status == 302 else {"error": "invalid_request"}, location or None)
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            tokens = (
                provider.token(form, self.headers.get("Authorization", ""))
                if urlparse(self.path).path == "/token"
                else None
            )
            self._send(200, tokens) if tokens else self._send(400, {"error": "invalid_grant"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
