"""Where the user's data lives.

The default is platformdirs' per-user data folder; `--home DIR` or the
`ASSISTANT_HOME` environment variable overrides it, so tests and several
profiles can live side by side.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "VoiceAssistant"
APP_AUTHOR = "VoiceAssistant"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get("ASSISTANT_HOME")
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def logs_dir(home: Path) -> Path:
    return home / "logs"


def export_notes_dir(home: Path) -> Path:
    """Notes of exports in progress (store.partials): where a killed one left its temp file."""
    return home / "exports-in-progress"


def cache_dir(home: Path) -> Path:
    """Derived files (generic responses, vectors in flight): safe to delete."""
    return home / "cache"


def machine_cache_dir() -> Path:
    """Facts about this machine rather than this user's data (the native-build verdict).

    Shared by every data folder on the machine; `ASSISTANT_CACHE_DIR` overrides it.
    """
    env = os.environ.get("ASSISTANT_CACHE_DIR")
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, APP_AUTHOR))
