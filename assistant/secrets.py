"""The API key, kept in the OS keyring and nowhere else.

Secrets never go into the database, the settings, the logs or an export. When
the machine has no usable keyring (a headless Linux box, a CI runner), the key
lives in memory for this session only, so the cloud feature still works but
nothing is written to disk in clear text.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors
from keyring.backends import fail

log = logging.getLogger(__name__)

SERVICE_NAME = "voice-assistant"

# Fallback when no keyring backend exists: {account: key}, this process only.
_session_store: dict[str, str] = {}


def _backend_usable() -> bool:
    try:
        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # a broken backend configuration is the same as none
        return False


def get_api_key(account: str = "default") -> str | None:
    """The stored key, or None."""
    if _backend_usable():
        try:
            value = keyring.get_password(SERVICE_NAME, account)
        except keyring.errors.NoKeyringError:
            value = None
        except keyring.errors.KeyringError as exc:
            log.warning("keyring unavailable (%s); using the session store", type(exc).__name__)
            value = None
        if value is not None:
            return value
    return _session_store.get(account)


def set_api_key(key: str, account: str = "default") -> None:
    """Store the key in the keyring (or, with none, in memory for this session)."""
    if not key:
        raise ValueError("An empty API key cannot be stored; use delete_api_key to remove it.")
    if _backend_usable():
        try:
            keyring.set_password(SERVICE_NAME, account, key)
            _session_store.pop(account, None)
            return
        except keyring.errors.NoKeyringError:
            pass
        except keyring.errors.KeyringError as exc:
            log.warning("keyring refused the key (%s); keeping it for this session only",
                        type(exc).__name__)
    _session_store[account] = key


def delete_api_key(account: str = "default") -> bool:
    """Remove the key from the keyring and the session store; True if one was there."""
    removed = _session_store.pop(account, None) is not None
    if _backend_usable():
        try:
            if keyring.get_password(SERVICE_NAME, account) is not None:
                keyring.delete_password(SERVICE_NAME, account)
                removed = True
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            log.warning("keyring unavailable for delete (%s)", type(exc).__name__)
    return removed


def session_only() -> bool:
    """True when no keyring backend exists, so a stored key lasts for this process only."""
    return not _backend_usable()
