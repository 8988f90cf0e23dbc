"""Typed application settings, persisted in the store's settings table.

No secret is ever a setting: API keys go to the OS keyring (see the cloud service).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import select

from store import Database
from store.models import Setting


@dataclass
class AppSettings:
    model_path: str | None = None  # None: the embedded default model
    n_ctx: int = 4096
    n_threads: int | None = None
    device: str = "auto"  # auto | cpu | cuda | mps (torch runtime)
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    system_prompt: str = "You are a helpful assistant."
    cloud_url: str | None = None  # OpenAI-compatible endpoint (CoSteer); key: keyring
    cloud_model: str | None = None


def _known() -> dict[str, Any]:
    return {f.name: f for f in fields(AppSettings)}


def load_settings(db: Database) -> AppSettings:
    known = _known()
    values: dict[str, Any] = {}
    with db.session() as s:
        for row in s.scalars(select(Setting)):
            if row.key in known:
                values[row.key] = row.value
    return AppSettings(**values)


def save_settings(db: Database, settings: AppSettings) -> None:
    with db.session() as s:
        for key, value in asdict(settings).items():
            s.merge(Setting(key=key, value=value))


def update_setting(db: Database, key: str, value: Any) -> AppSettings:
    if key not in _known():
        raise KeyError(key)
    settings = load_settings(db)
    setattr(settings, key, value)
    save_settings(db, settings)
    return settings
