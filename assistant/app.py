"""The application context: one data folder, its database, settings and the loaded model.

Both front ends (the CLI and the Qt app) build one `AppContext` and go through
the services; neither touches SQL or llama.cpp directly.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.errors import UserError
from assistant.local_models.choice import ModelChoice, probe_model, resolve_model
from assistant.logging_setup import setup_logging
from assistant.paths import data_dir, export_notes_dir, machine_cache_dir
from assistant.settings import SPECS, AppSettings, check_setting, load_settings
from engine.errors import EngineError
from engine.runtime.generation import SamplingSettings
from engine.runtime.llamacpp import LlamaRuntime
from engine.runtime.native_guard import check_native_build
from store import Database, StoreError
from store.partials import PartialLedger

log = logging.getLogger(__name__)


class AppContext:
    def __init__(self, home: str | Path | None = None) -> None:
        self.home = data_dir(home)
        try:
            self.db = Database(self.home)
        except StoreError as exc:
            raise UserError(str(exc)) from exc
        try:
            setup_logging(self.home)
        except OSError as exc:
            raise UserError(f"Cannot write the log in {self.home}: {exc.strerror}") from exc
        self.settings: AppSettings = load_settings(self.db)
        # A killed export left a full copy of the data beside its target; remove it
        # at the first start after (store.partials).
        PartialLedger(export_notes_dir(self.home)).sweep()
        self._runtime: LlamaRuntime | None = None
        self._runtime_key: tuple | None = None

    def reload_settings(self) -> AppSettings:
        self.settings = load_settings(self.db)
        return self.settings

    def model_choice(self, model_flag: str | None = None) -> ModelChoice:
        return resolve_model(model_flag, self.settings.model_path)

    def runtime(self, model_flag: str | None = None) -> LlamaRuntime:
        """The loaded llama.cpp model, loaded once and reused while the choice is unchanged."""
        choice = self.model_choice(model_flag)
        key = (str(choice.path), self.settings.n_ctx, self.settings.n_threads)
        if self._runtime is not None and self._runtime_key == key:
            return self._runtime
        self.close_runtime()
        try:
            check_native_build(probe_model(choice.path), machine_cache_dir())
            log.info("loading model %s (%s)", choice.path.name, choice.source)
            self._runtime = LlamaRuntime(
                choice.path, n_ctx=self.settings.n_ctx, n_threads=self.settings.n_threads
            )
        except EngineError as exc:
            raise UserError(str(exc)) from exc
        self._runtime_key = key
        return self._runtime

    def sampling(self, **overrides: object) -> SamplingSettings:
        s = self.settings
        base = SamplingSettings(
            temperature=s.temperature,
            top_k=s.top_k,
            top_p=s.top_p,
            repeat_penalty=s.repeat_penalty,
            max_tokens=s.max_tokens,
        )
        for k, v in overrides.items():
            if v is not None:
                # A flag gets the same check as the saved setting (seed is not one).
                setattr(base, k, check_setting(k, v) if k in SPECS else v)
        return base

    def close_runtime(self) -> None:
        if self._runtime is not None:
            self._runtime.close()
        self._runtime = None
        self._runtime_key = None

    def close(self) -> None:
        self.close_runtime()
        self.db.close()
