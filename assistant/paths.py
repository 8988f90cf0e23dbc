"""Where the user's data lives.

The default is platformdirs' per-user data folder; `--home DIR` or the
`ASSISTANT_HOME` environment variable overrides it, so tests and several
profiles can live side by side.

An empty or blank override is an error, never "the default": a script that runs
`assistant --home "$DIR" reset --all --yes` with `$DIR` unset must not reach the
user's real data.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistant.errors import UserError

APP_NAME = "VoiceAssistant"
APP_AUTHOR = "VoiceAssistant"


class EmptyHomeError(UserError):
    """`--home` or `ASSISTANT_HOME` was given but blank."""


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: `override` (--home), else `ASSISTANT_HOME`, else the per-user one."""
    if override is not None:
        return _given(os.fspath(override), "--home")
    env = os.environ.get("ASSISTANT_HOME")
    if env is not None:
        return _given(env, "ASSISTANT_HOME")
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def _given(value: str, name: str) -> Path:
    if not value.strip():
        raise EmptyHomeError(
            f"{name} is empty; give the data folder's path, or leave {name} out (unset) "
            "to use the default folder."
        )
    return Path(value).expanduser().resolve()


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
