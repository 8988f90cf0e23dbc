"""Who may call the server: a bearer token kept in the OS keyring, and loopback hosts only.

The token is made on first use (`token()`), kept under its own keyring account
beside the cloud key, and never written to the database, the settings, the log
or an export. A machine without a keyring keeps it for this process only, so the
server prints it at start there. The Host check (`ALLOWED_HOSTS`) stops DNS
rebinding: a web page whose name resolves to 127.0.0.1 still sends its own name.
"""

from __future__ import annotations

import hmac
import secrets as _random

from assistant import secrets

ACCOUNT = "serve-token"
PREFIX = "va-"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


def token() -> str:
    """The access token, made and stored on first use."""
    value = secrets.get_api_key(ACCOUNT)
    if not value:
        value = new_token()
    return value


def new_token() -> str:
    """A fresh token, replacing the old one (clients with the old one get 401)."""
    value = PREFIX + _random.token_urlsafe(32)
    secrets.set_api_key(value, ACCOUNT)
    return value


def kept_for_session_only() -> bool:
    return secrets.session_only()


def bearer_ok(header: str | None, expected: str) -> bool:
    """Whether an Authorization header carries `expected`, compared in constant time."""
    if not header:
        return False
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), expected.encode())
