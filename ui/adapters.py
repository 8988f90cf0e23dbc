"""The window's view of the profile, cloud and data services: what a panel shows, in the
shape a panel needs, and the long calls as tasks for a worker.

Each panel talks to one bridge here. The services are created on first use, not at
start-up, so that the window opens before anything heavy is imported; the profile
service's build (torch) runs in a child process (`ui.build_process`), and the calls
that need the llama.cpp runtime run in the model worker (`ui.workers`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.app import AppContext
from assistant.chat import ChatService
from assistant.errors import UserError
from assistant.history import HistoryService
from assistant.profile_service import PROFILE_KINDS
from engine.runtime.generation import CancelToken

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]


class _Bridge:
    """Holds one service, made on first use."""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self._svc: Any = None

    def service(self) -> Any:
        if self._svc is None:
            self._svc = self._make()
        return self._svc

    def _make(self) -> Any:
        raise NotImplementedError


# ---- profile ---------------------------------------------------------------------


@dataclass
class ProfileState:
    """What the panel shows: the active method (or "none") and one profile's facts."""

    active: str = "none"  # the method chat is personalized with (assistant.methods)
    personalized: bool = False  # that method uses the user's data (not "Off")
    method: str = ""  # the profile shown (the active one, else the latest built)
    exists: bool = False
    strength: float = 1.0
    layer: int = 0
    description: str = ""
    top_tokens: list[str] = field(default_factory=list)
    model_name: str = ""
    model_fingerprint: str = ""
    samples_used: int = 0
    built_at: str = ""
    heads: list[dict] = field(default_factory=list)  # DPS: [{layer, head, score}]
    n_layer: int = 0
    n_head: int = 0


class ProfileAdapter(_Bridge):
    def _make(self) -> Any:
        from assistant.profile_service import ProfileService

        return ProfileService(self.app)

    def methods(self) -> list[tuple[str, str]]:
        """(key, label) for the method box: every method of the registry, as the CLI has."""
        from assistant import methods

        return [(m.name, m.label) for m in methods.METHODS.values()]

    def state(self, method: str | None = None) -> ProfileState:
        """The profile of `method` (None: the active one, else the most recent)."""
        from assistant import methods

        svc = self.service()
        self.app.reload_settings()
        chosen = methods.chosen(self.app, None)[0]
        active, personalized = chosen.name, bool(chosen.needs)
        # The profile to show: the method's own (a stack: its last), else the latest.
        kinds = [n for n in methods.get(method).needs if n in PROFILE_KINDS] if method else []
        view = svc.get(kinds[-1] if kinds else None) \
            if kinds or not method or not methods.get(method).needs else None
        if view is None:
            return ProfileState(active=active, personalized=personalized, method=method or "")
        tokens = [str(t.get("token", "")).strip() if isinstance(t, dict) else str(t)
                  for t in view.preference_tokens]
        return ProfileState(
            active=active, personalized=personalized, method=view.method, exists=True,
            strength=float(view.alpha),
            layer=int(view.layer), description=view.description,
            top_tokens=[t for t in tokens if t][:12], model_name=view.model,
            model_fingerprint=view.model_fingerprint, samples_used=int(view.n_samples),
            built_at=view.built_at.replace("T", " "),
            heads=list(view.meta.get("heads", [])) if view.method == "dps" else [],
            n_head=int(view.meta.get("n_head", 0) or 0),
            n_layer=int(view.meta.get("n_layer", 0) or 0),
        )

    # Fints picks history items per reply; the last reply's items, for the panel.
    last_fints_items: list[dict] = []  # noqa: RUF012 (replaced, never mutated)

    def set_method(self, key: str) -> bool:
        """Personalize chat and drafting with `key` (saved as `chat_method`, which the CLI
        reads too). False if a profile it needs is not built."""
        from assistant import methods
        from assistant.history import HistoryService
        from assistant.settings import update_setting

        svc = self.service()
        method = methods.get(key)
        for need in method.needs:
            if need == "history":
                if HistoryService(self.app.db).count() == 0:
                    return False
            elif svc.get(need) is None:
                return False
        own = [n for n in method.needs if n in PROFILE_KINDS]
        if len(own) == 1 and len(method.needs) == 1:
            svc.set_active(True, own[0])  # `assistant profile show` names the same profile
        elif not method.needs:
            svc.set_active(False)
        update_setting(self.app.db, "chat_method", method.name)
        self.app.reload_settings()
        return True

    def set_strength(self, method: str, value: float) -> None:
        self.service().set_strength(method, alpha=value)

    def set_description(self, method: str, text: str) -> None:
        self.service().set_description(text, method)

    def build_args(self, method: str) -> list[str]:
        """Arguments for `python -m ui.build_process` (the build runs in a child process)."""
        from assistant import methods

        kinds = [n for n in methods.get(method).needs if n in PROFILE_KINDS]
        if not kinds:
            raise UserError(f"{methods.get(method).label} needs no build: it reads your "
                            "writing history as it is.")
        # A stack builds what is missing first (SteerX + Fints: the one not built yet).
        todo = [k for k in kinds if self.service().get(k) is None] or kinds
        return ["--home", str(self.app.home), "--method", todo[0]]

    @classmethod
    def build_here(
        cls,
        home: str | Path,
        method: str,
        progress: ProgressFn,
        cancel: threading.Event,
    ) -> dict | None:
        """Build the profile in this process (the child); None if it was cancelled."""
        from assistant.profile_service import ProfileService
        from assistant.profile_store import BuildCancelled

        ctx = AppContext(home)
        try:
            out = ProfileService(ctx).build(
                method,
                progress=lambda frac, stage: progress(
                    int(frac * 1000), 1000, str(stage).capitalize()
                ),
                cancel=cancel,
            )
        except BuildCancelled:
            return None
        finally:
            ctx.close()
        return dict(out.as_dict()) if hasattr(out, "as_dict") else {}



# ---- cloud -----------------------------------------------------------------------


@dataclass
class CloudConfig:
    endpoint: str = ""
    model: str = ""
    configured: bool = False
    key_source: str = "none"  # keyring | session | environment | none
    session_only: bool = False  # no OS keyring: a key lasts for this session only


class CloudAdapter(_Bridge):
    def _make(self) -> Any:
        from assistant.cloud_service import CloudService

        return CloudService(self.app)

    def set_enabled(self, conversation_id: int, on: bool) -> None:
        ChatService(self.app.db).set_cloud(conversation_id, on)

    def config(self) -> CloudConfig:
        st = dict(self.service().status() or {})
        return CloudConfig(
            endpoint=st.get("url") or "",
            model=st.get("model") or "",
            configured=bool(st.get("configured")),
            key_source=str(st.get("key_source") or "none"),
            session_only=bool(st.get("session_only")),
        )

    def save_config(self, endpoint: str, model: str, api_key: str | None) -> None:
        self.service().configure(endpoint, model, api_key or None)

    # Run in the model worker thread (they need the llama.cpp runtime):
    def preview_in_worker(
        self, conversation_id: int | None, text: str, runtime: Any, max_tokens: int
    ) -> dict:
        return dict(self.service().preview(conversation_id, text, runtime, max_tokens))

    def generate_in_worker(self, chat: ChatService, turn: Any, runtime: Any, sampling: Any,
                           cancel: CancelToken) -> Any:
        """The steered reply's pieces; they go through `chat.generate` (partial-reply rule)."""
        pieces, _reply = self.service().generate(chat, turn, runtime, sampling, cancel=cancel)
        return pieces


# ---- data (export / import / reset) -----------------------------------------------


class DataAdapter(_Bridge):
    """Export, import and reset. No cancel: import is all-or-nothing and a reset must not
    stop half-way."""

    def _make(self) -> Any:
        from assistant.data import DataService

        return DataService.for_app(self.app)

    def reset_summary(self, scope: str) -> str:
        """What a reset deletes, in words, counted now."""
        if scope == "profile":
            return (
                "This deletes your personal profile (the learned description and steering "
                "vectors). Your conversations and writing history are kept."
            )
        convs = ChatService(self.app.db).list_conversations()
        n_msgs = sum(c.n_messages for c in convs)
        n_samples = HistoryService(self.app.db).count()
        return (
            f"This deletes {len(convs)} conversation(s) with {n_msgs} message(s), "
            f"{n_samples} writing sample(s), your profile, your settings, the logs and the "
            "cloud API key. Model files are kept. This cannot be undone."
        )

    @staticmethod
    def _progress(progress: ProgressFn) -> Callable[[str, int, int], None]:
        return lambda phase, done, total: progress(done, total, f"{phase.capitalize()}…")

    @staticmethod
    def _result(out: Any) -> dict:
        return dict(out.as_dict())

    def export_task(self, path: Path) -> Callable[[ProgressFn, CancelToken], dict]:
        svc = self.service()
        return lambda progress, _c: self._result(svc.export(path, self._progress(progress)))

    def import_task(self, path: Path, mode: str = "merge"):
        svc = self.service()
        return lambda progress, _c: self._result(
            svc.import_file(path, mode, self._progress(progress))
        )

    def reset_task(self, scope: str) -> Callable[[ProgressFn, CancelToken], dict]:
        svc = self.service()
        return lambda progress, _c: self._result(svc.reset(scope, self._progress(progress)))
