"""Thin bridges from the panels to the profile, cloud and data services.

The profile (SteerX), cloud (CoSteer) and data (export/import/reset) services
land separately. Each panel talks to exactly one adapter here, and each adapter
is the only code that knows its service's API; while a service module is
missing, `available` is False and `reason` says, in one sentence, why the panel's
controls are disabled. Services are imported lazily (on first use, not at
start-up) because they may pull in torch, which the app must not import to start.

Service APIs used (the adapter is the one place to adjust when they change):

- `assistant.data_service.DataService.for_app(app)`: `export(dest, progress)`,
  `import_file(src, mode, progress)`, `reset(scope, progress)`; progress is
  `(phase, done, total)`; results have `as_dict()`. No cancel: import is
  all-or-nothing and reset must not stop half-way.
- `assistant.cloud_service.CloudService(app)`: `status()`, `configure(url, model,
  key)`, `preview(conversation_id, text, runtime, max_tokens)` and
  `generate(chat, turn, runtime, sampling, cancel=...)`; the last two need the
  llama.cpp runtime, so they run as model-worker jobs (see `ui.workers`).
- The profile service is not written yet; expected (`assistant.profile_service`
  or `assistant.profile`, class `ProfileService(app)`): `methods()`, `state()`
  (method, strength, description, top_tokens, model_name, samples_used,
  built_at), `set_method(key)`, `set_strength(x)`, `set_description(text)`,
  `build(method, progress=fn(done, total, msg), cancel=CancelToken) -> dict`.
"""

from __future__ import annotations

import importlib
import importlib.util
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
from engine.runtime.generation import CancelToken

log = logging.getLogger(__name__)

PROFILE_MODULES = ("assistant.profile_service", "assistant.profile")
CLOUD_MODULE = "assistant.cloud_service"
DATA_MODULE = "assistant.data_service"

ProgressFn = Callable[[int, int, str], None]


def module_available(name: str) -> bool:
    """True if `name` can be imported; finds it without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class _Adapter:
    modules: tuple[str, ...] = ()
    service_class = ""
    missing_reason = ""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self._svc: Any = None
        # Probed once: a service does not appear or vanish while the app runs.
        self.module = next((m for m in self.modules if module_available(m)), "")

    @property
    def available(self) -> bool:
        return bool(self.module)

    @property
    def reason(self) -> str:
        return "" if self.available else self.missing_reason

    def service(self) -> Any:
        if not self.available:
            raise UserError(self.missing_reason)
        if self._svc is None:
            try:
                self._svc = self._make(importlib.import_module(self.module))
            except UserError:
                raise
            except Exception as exc:
                log.exception("could not start %s", self.module)
                raise UserError(
                    f"{self.service_class} could not start ({type(exc).__name__}: {exc})."
                ) from exc
        return self._svc

    def _make(self, module: Any) -> Any:
        return getattr(module, self.service_class)(self.app)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a service method; a missing method is a clear error, not an AttributeError."""
        fn = getattr(self.service(), method, None)
        if fn is None:
            raise UserError(f"{self.service_class} has no '{method}' yet.")
        return fn(*args, **kwargs)


# ---- profile ---------------------------------------------------------------------


@dataclass
class ProfileState:
    """What the panel shows: the active method (or "none") and one profile's facts."""

    active: str = "none"  # the method chat is personalized with, or "none"
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


class ProfileAdapter(_Adapter):
    modules = PROFILE_MODULES
    service_class = "ProfileService"
    missing_reason = (
        "Profiles arrive with the SteerX feature. Until then replies are not personalized; "
        "your writing history is already being kept for it."
    )

    def methods(self) -> list[tuple[str, str]]:
        """(key, label) for the method box: every method of the registry, as the CLI has."""
        from assistant import methods

        return [(m.name, m.label) for m in methods.METHODS.values()]

    def state(self, method: str | None = None) -> ProfileState:
        """The profile of `method` (None: the active one, else the most recent)."""
        if not self.available:
            return ProfileState()
        from assistant import methods

        svc = self.service()
        self.app.reload_settings()
        active = methods.chosen(self.app, None)[0].name
        # The profile to show: the method's own (a stack: its last), else the latest.
        kinds = [n for n in methods.get(method).needs if n in svc_methods(svc)] if method else []
        view = svc.get(kinds[-1] if kinds else None) if kinds or not method \
            or method == "none" else None
        if view is None:
            return ProfileState(active=active, method=method or "")
        tokens = [str(t.get("token", "")).strip() if isinstance(t, dict) else str(t)
                  for t in view.preference_tokens]
        return ProfileState(
            active=active, method=view.method, exists=True, strength=float(view.alpha),
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
        own = [n for n in method.needs if n in svc_methods(svc)]
        if len(own) == 1 and len(method.needs) == 1:
            svc.set_active(True, own[0])  # `assistant profile show` names the same profile
        elif not method.needs:
            svc.set_active(False)
        update_setting(self.app.db, "chat_method", method.name)
        self.app.reload_settings()
        return True

    def set_strength(self, method: str, value: float) -> None:
        self.call("set_strength", method, alpha=value)

    def set_description(self, method: str, text: str) -> None:
        self.call("set_description", text, method)

    def build_args(self, method: str) -> list[str]:
        """Arguments for `python -m ui.build_process` (the build runs in a child process)."""
        if not self.available:
            raise UserError(self.missing_reason)
        from assistant import methods

        kinds = [n for n in methods.get(method).needs if n in svc_methods(self.service())]
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
        module = importlib.import_module(next(m for m in PROFILE_MODULES if module_available(m)))
        ctx = AppContext(home)
        try:
            out = module.ProfileService(ctx).build(
                method,
                progress=lambda frac, stage: progress(
                    int(frac * 1000), 1000, str(stage).capitalize()
                ),
                cancel=cancel,
            )
        except getattr(module, "BuildCancelled", ()):
            return None
        finally:
            ctx.close()
        return dict(out.as_dict()) if hasattr(out, "as_dict") else {}



def svc_methods(svc: Any) -> tuple[str, ...]:
    """The profiles the profile service stores (the ones a state can show)."""
    from assistant.profile_service import PROFILE_KINDS

    return PROFILE_KINDS


# ---- cloud -----------------------------------------------------------------------


@dataclass
class CloudConfig:
    endpoint: str = ""
    model: str = ""
    configured: bool = False
    key_source: str = "none"  # keyring | session | environment | none
    session_only: bool = False  # no OS keyring: a key lasts for this session only


class CloudAdapter(_Adapter):
    modules = (CLOUD_MODULE,)
    service_class = "CloudService"
    missing_reason = (
        "Cloud collaboration arrives with the CoSteer feature. Nothing leaves this computer "
        "until then."
    )

    def set_enabled(self, conversation_id: int, on: bool) -> None:
        ChatService(self.app.db).set_cloud(conversation_id, on)

    def config(self) -> CloudConfig:
        if not self.available:
            return CloudConfig()
        st = dict(self.call("status") or {})
        return CloudConfig(
            endpoint=st.get("url") or "",
            model=st.get("model") or "",
            configured=bool(st.get("configured")),
            key_source=str(st.get("key_source") or "none"),
            session_only=bool(st.get("session_only")),
        )

    def save_config(self, endpoint: str, model: str, api_key: str | None) -> None:
        self.call("configure", endpoint, model, api_key or None)

    @property
    def can_check(self) -> bool:
        return self.available and callable(getattr(self.service(), "check_connection", None))

    def connection_task(self) -> Callable[[ProgressFn, CancelToken], dict]:
        svc = self.service()

        def task(_progress: ProgressFn, _cancel: CancelToken) -> dict:
            return {"message": str(svc.check_connection())}

        return task

    # Run in the model worker thread (they need the llama.cpp runtime):
    def preview_in_worker(
        self, conversation_id: int | None, text: str, runtime: Any, max_tokens: int
    ) -> dict:
        return dict(self.call("preview", conversation_id, text, runtime, max_tokens))

    def generate_in_worker(self, chat: ChatService, turn: Any, runtime: Any, sampling: Any,
                           cancel: CancelToken) -> Any:
        """The steered reply's pieces; they go through `chat.generate` (partial-reply rule)."""
        pieces, _reply = self.call("generate", chat, turn, runtime, sampling, cancel=cancel)
        return pieces


# ---- data (export / import / reset) -----------------------------------------------


class DataAdapter(_Adapter):
    modules = (DATA_MODULE,)
    service_class = "DataService"
    missing_reason = "Export, import and reset arrive with the data service; nothing to do yet."

    can_cancel = False  # see the module docstring

    def _make(self, module: Any) -> Any:
        cls = module.DataService
        return cls.for_app(self.app) if hasattr(cls, "for_app") else cls(self.app.db, self.app.home)

    def reset_summary(self, scope: str) -> str:
        """What a reset deletes, in words, counted now (works without the data service)."""
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

    def _result(self, out: Any) -> dict:
        return dict(out.as_dict()) if hasattr(out, "as_dict") else dict(out or {})

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
