"""The cloud API key: the OS keyring, or for this session only the environment; never the
database, the settings, the logs or an export."""


from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

KEY_ENV = "ASSISTANT_CLOUD_API_KEY"
KEY_ACCOUNT = "default"




# ---- the key ------------------------------------------------------------------
def keyring_backend() -> str | None:
    """The usable OS keyring's name, or None when there is none (session-only keys)."""
    try:
        import keyring
        from keyring.backends import fail

        kr = keyring.get_keyring()
        return None if isinstance(kr, fail.Keyring) else type(kr).__name__
    except Exception:
        return None


def session_only() -> bool:
    """True when no keyring backend exists, so a stored key lasts for this process only."""
    from assistant import secrets

    fn = getattr(secrets, "session_only", None)
    if callable(fn):
        return bool(fn())
    return keyring_backend() is None


def stored_api_key() -> str | None:
    """The key from the keyring (or this session's store), else from ASSISTANT_CLOUD_API_KEY."""
    from assistant import secrets

    return secrets.get_api_key(KEY_ACCOUNT) or os.environ.get(KEY_ENV) or None


