"""What the Personalization panel shows, read from the store: the active method and one
stored profile's facts (`profile_state`), and what a build of a method's profile is started
with (`build_args`). No widgets here: the panel draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from assistant import method_registry as methods
from assistant.app import AppContext
from assistant.errors import UserError

if TYPE_CHECKING:  # pragma: no cover
    from assistant.profile.service import ProfileService


@dataclass
class ProfileState:
    """What the panel shows: the active method and one stored profile's facts."""

    active: str = "none"  # the method chat is personalized with (assistant.method_registry)
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
    # what the user's own texts showed best (assistant.profile.recommendation)
    recommended: str = "none"
    recommended_why: str = ""
    effect: str = ""  # one sentence from the build's own test on the user's texts
    sources: list[str] = field(default_factory=list)  # previews of the samples learned from
    n_included: int = 0
    steering_off: str = ""  # why the build switched steering off, and what would change it


def profile_state(app: AppContext, profiles: ProfileService,
                  method: str | None = None) -> ProfileState:
    """The profile `method` steers with (a stack: its last), else the most recent one."""
    from assistant.profile.recommendation import effect_sentence, recommend
    from assistant.writing.history import HistoryService
    from engine.methods.steerx import is_word

    app.reload_settings()
    writing = HistoryService(app.db).writing()
    sources = [_preview(x.text) for x in writing[-SOURCES_SHOWN:]][::-1]
    chosen = methods.chosen(app, None)[0]
    active, personalized = chosen.name, bool(chosen.needs)
    rec = recommend(app)
    kinds = methods.profile_kinds(methods.get(method)) if method else []
    view = (profiles.get(kinds[-1] if kinds else None)
            if kinds or not method or not methods.get(method).needs else None)
    if view is None:
        return ProfileState(active=active, personalized=personalized, method=method or "",
                            recommended=rec.method, recommended_why=rec.why, sources=sources,
                            n_included=len(writing))
    # Words only: a profile built before the fix at the source (engine.methods.steerx)
    # may still hold punctuation or fragments.
    tokens = [str(t.get("token", "")).strip() if isinstance(t, dict) else str(t)
              for t in view.preference_tokens]
    tokens = [t for t in tokens if is_word(t)]
    meta = view.meta or {}
    # The test that matches how chat runs: with the user's texts in the prompt, or alone.
    first, second = ("with_texts", "alone") if methods.uses_history(chosen) else (
        "alone", "with_texts")
    effect = effect_sentence(meta.get(first)) or effect_sentence(meta.get(second)) or ""
    return ProfileState(
        active=active, personalized=personalized, method=view.method, exists=True,
        strength=float(view.alpha), layer=int(view.layer), description=view.description,
        top_tokens=[t for t in tokens if t][:12], model_name=view.model,
        model_fingerprint=view.model_fingerprint, samples_used=int(view.n_samples),
        built_at=view.built_at.replace("T", " "),
        heads=list(view.meta.get("heads", [])),  # DPS: its preference heads
        n_head=int(view.meta.get("n_head", 0) or 0),
        n_layer=int(view.meta.get("n_layer", 0) or 0),
        recommended=rec.method, recommended_why=rec.why, effect=effect, sources=sources,
        n_included=len(writing), steering_off=view.steering_off(),
    )


SOURCES_SHOWN = 5  # the most recent samples listed as what the profile learns from


def _preview(text: str, n: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= n else line[:n].rsplit(" ", 1)[0] + "…"


def build_args(app: AppContext, profiles: ProfileService, method: str) -> list[str]:
    """Arguments for `python -m ui.build_process`: the profile `method` needs that is
    not built yet (a stack builds its parts one at a time), else its first."""
    kinds = methods.profile_kinds(methods.get(method))
    if not kinds:
        raise UserError(QCoreApplication.translate(
            "PersonalizationPanel", "{0} needs no build: it reads your writing history as it is."
        ).format(methods.get(method).label))
    todo = [k for k in kinds if profiles.get(k) is None] or kinds
    return ["--home", str(app.home), "--method", str(todo[0])]
