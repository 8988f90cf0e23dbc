"""Personalization methods: one object each, in one registry, from build to chat to evaluation.

Every surface reads the registry: the CLI's `--method` and `profile --method` choices,
the window's menus, the terminal chat, the saved `chat_method` setting, the profile
build (`build_profile`) and the evaluation (`assistant.evaluation.methods`); no caller
compares a method name. A method declares:

- `name`, `label` (the window's menu) and `summary` (one line for help texts);
- `needs`: the profile kinds it steers with (`assistant.profile.kinds.Kind`, each with
  its build step), `HISTORY` if it reads the writing history, `REMOTE` if it needs a
  remote endpoint;
- `prepare(req)`: a chat or draft request as a `Prepared` one: the messages the model
  sees (RAG adds the user's texts), the steering the turn applies around generation
  (`Prepared.steering`; the method leaves the runtime alone), or its own token stream
  (DPS decodes with torch);
- `evaluate(parts)`: the plug-in `assistant eval` runs it with (engine.eval.harness);
- `chat`: False for a method only the evaluation runs (never offered by chat).

Adding a method is one module with its object (and its profile kind, if new) and one
`register(...)` line; `tests/test_method_registry.py` does it with a toy.

The built-in methods are registered below ("the registry") in the order the surfaces
list them: none, rag, stylevector, steerx, rag+steerx, fints, steerx+fints, rag+fints,
dps; assistant.evaluation.methods registers the evaluation's costeer, remote, remote+rag.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from assistant.errors import ProfileMissing, UserError
from assistant.profile.kinds import BUILT_IN, DPS, FINTS, STEERX, STYLEVECTOR, Kind
from engine.methods.kinds import ProfileKind

if TYPE_CHECKING:  # pragma: no cover
    from assistant.app import AppContext
    from assistant.evaluation.service import EvalParts
    from assistant.profile.store import BuildOutcome
    from engine.runtime.generation import CancelToken, GenerationStats, SamplingSettings
    from engine.runtime.llamacpp import ChatPrompt, LlamaRuntime
    from engine.steering.vectors import Steering

log = logging.getLogger(__name__)

HISTORY = "history"  # the need of a method that reads the writing history itself
REMOTE = "remote"  # the need of a method that asks a remote endpoint (evaluation only)
Need = Kind | str  # a stored profile's kind, HISTORY or REMOTE


@dataclass
class Request:
    """One turn's request as a method sees it."""

    app: AppContext
    runtime: LlamaRuntime
    messages: list[dict[str, str]]  # the chat the model will see, the request last
    text: str  # the user's request (what retrieval and Fints match against)
    sampling: SamplingSettings
    cancel: CancelToken
    model_flag: str | None = None
    explicit: bool = True  # asked for by name: a missing profile is an error, not a fallback
    # A multiplier on the profile's own strength for the control-vector methods
    # (`assistant serve`'s extension field); 1.0 is the strength the profile chose.
    strength: float = 1.0


Decoder = Callable[["ChatPrompt", "GenerationStats"], Iterator[str]]


@dataclass
class Prepared:
    """What a method made of a request; `decode` is None for llama.cpp's own stream."""

    method: str
    messages: list[dict[str, str]]
    decode: Decoder | None = None
    details: dict[str, Any] = field(default_factory=dict)  # shown by --explain and --json
    notice: str = ""  # one sentence for the user (a fallback, what went into the prompt)
    # How llama.cpp is steered while the reply is written (`with runtime.steered(...)`);
    # None: unsteered.
    steering: Steering | None = None


class Method(Protocol):
    # Read-only (properties), as the frozen dataclasses below hold them.
    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...  # the window's menu
    @property
    def summary(self) -> str: ...  # one line for help texts
    @property
    def needs(self) -> tuple[Need, ...]: ...  # profile kinds (build steps), HISTORY, REMOTE
    @property
    def chat(self) -> bool: ...  # offered by chat, the CLI and the window; False: evaluation only

    def prepare(self, req: Request) -> Prepared:
        """The request to run and how to steer it (the runtime is left as it is)."""

    def evaluate(self, parts: EvalParts) -> Any:
        """The evaluation's plug-in for this method (engine.eval.harness.Method)."""


# ---- the methods -----------------------------------------------------------------------


@dataclass(frozen=True)
class Plain:
    name: str = "none"
    label: str = "Off"
    summary: str = "no personalization"
    needs: tuple[Need, ...] = ()
    chat: bool = True

    def prepare(self, req: Request) -> Prepared:
        return Prepared(self.name, list(req.messages))

    def evaluate(self, parts: EvalParts) -> Any:
        from assistant.evaluation.service import NoneMethod

        return NoneMethod(parts.gen)


def _profiles(app: AppContext):
    from assistant.profile.service import ProfileService

    return ProfileService(app)


def _checked_profile(req: Request, kind: str):
    """`kind`'s stored profile, refused (ProfileMissing) when absent or built for another
    model: steering a model with another model's profile means nothing."""
    view = _profiles(req.app).get(kind)
    if view is None:
        raise ProfileMissing(
            f"No {kind} profile yet. Build one with 'assistant profile build --method {kind}'."
        )
    if view.model_fingerprint != req.runtime.info.fingerprint:
        raise ProfileMissing(
            f"Your {kind} profile was built for the model '{view.model}', not for "
            f"'{req.runtime.model_name}'. Rebuild it with 'assistant profile build --method "
            f"{kind}', or turn personalization off with 'assistant profile off'."
        )
    return view


def _vector_steering(req: Request, kind: str, scale: float = 1.0, *,
                     alpha: float | None = None, generated_only: bool = False) -> Steering:
    """`kind`'s vector at its chosen layer, at `scale` times its chosen strength (or times
    `alpha`, a strength chosen for another setting); nothing learned there steers by
    nothing."""
    from engine.steering.vectors import Steering

    _checked_profile(req, kind)
    view, sv = _profiles(req.app).steering_vector(kind)
    base = view.alpha if alpha is None else alpha
    return Steering.at_layer(sv, view.layer, base * scale, generated_only=generated_only)


def retrieve_texts(req: Request) -> tuple[list[str], list[int], int]:
    """(texts, their sample ids, tokens used) for the request (assistant.writing.retrieval)."""
    from assistant.writing import retrieval

    return retrieval.retrieve_texts(req.app.db, req.text, req.runtime, req.sampling.max_tokens)


def _history_texts(req: Request) -> list[str]:
    """The retrieved texts, or none when the history is empty (DPS can decode without)."""
    try:
        return retrieve_texts(req)[0]
    except ProfileMissing:
        return []


def _with_retrieved(name: str, req: Request) -> Prepared:
    """The request with the user's most relevant texts in front of it, said in a notice."""
    from assistant.writing import retrieval

    messages, details, notice = retrieval.with_retrieved(
        req.app.db, req.text, req.runtime, req.sampling.max_tokens, req.messages)
    return Prepared(name, messages, details=details, notice=notice)


@dataclass(frozen=True)
class Rag:
    name: str = "rag"
    label: str = "My texts in the prompt"
    summary: str = "your most relevant own texts go into the prompt (nothing is trained)"
    needs: tuple[Need, ...] = (HISTORY,)
    chat: bool = True

    def prepare(self, req: Request) -> Prepared:
        return _with_retrieved(self.name, req)

    def evaluate(self, parts: EvalParts) -> Any:
        from assistant.evaluation.service import RagMethod

        return RagMethod(parts.gen)


@dataclass(frozen=True)
class Steered:
    """One stored control vector for the whole reply (StyleVector, SteerX)."""

    name: str
    label: str
    summary: str
    kind: Kind
    chat: bool = True

    @property
    def needs(self) -> tuple[Need, ...]:
        return (self.kind,)

    def evaluate(self, parts: EvalParts) -> Any:
        from assistant.evaluation.service import SteeredMethod

        return SteeredMethod(parts.gen, parts.profile_builds(), self.kind.name, name=self.name)

    def prepare(self, req: Request) -> Prepared:
        view = _checked_profile(req, self.kind)
        # A strength chosen by generation was chosen steering the reply's positions only;
        # an older profile's, by likelihood, steering every position: each as it was chosen.
        return Prepared(self.name, list(req.messages), steering=_vector_steering(
            req, self.kind, req.strength, generated_only=bool((view.meta or {}).get("alone"))))


@dataclass(frozen=True)
class RagSteered:
    """The user's texts in the prompt and SteerX, at the strength tuned for the pair."""

    name: str = "rag+steerx"
    label: str = "My texts + SteerX"
    summary: str = "your texts in the prompt and SteerX steering together"
    needs: tuple[Need, ...] = (HISTORY, STEERX)
    chat: bool = True

    def evaluate(self, parts: EvalParts) -> Any:
        from assistant.evaluation.service import SteeredMethod

        return SteeredMethod(parts.gen, parts.profile_builds(), STEERX.name, with_rag=True,
                             name=self.name)

    def prepare(self, req: Request) -> Prepared:
        view = _checked_profile(req, ProfileKind.STEERX)
        chosen = (view.meta or {}).get("with_texts") or {}
        if chosen.get("alpha") is None or chosen.get("layer", view.layer) != view.layer:
            # Built before the strength was chosen with texts in the prompt, or the user
            # moved SteerX to another layer since: the fixed quarter of its own strength,
            # on every position, as that was tuned.
            from engine.methods.calibration import WITH_PROMPT_HISTORY

            steering = _vector_steering(req, ProfileKind.STEERX,
                                        WITH_PROMPT_HISTORY * req.strength)
        else:
            # The calibrated strength, times the user's change to SteerX's own since the
            # build (the strength slider), so the slider moves this method too. When the
            # build found SteerX alone best at 0 there is nothing to take a change against.
            built = float(chosen.get("steerx_alpha", view.alpha))
            change = view.alpha / built if built else 1.0
            steering = _vector_steering(req, ProfileKind.STEERX, change * req.strength,
                                        alpha=float(chosen["alpha"]), generated_only=True)
        prepared = _with_retrieved(self.name, req)
        prepared.steering = steering
        if chosen:
            prepared.details["with_texts_fraction"] = chosen.get("fraction")
        return prepared


@dataclass(frozen=True)
class Fints:
    """A control vector chosen per request from the Fints bank (optionally plus SteerX)."""

    name: str
    label: str
    summary: str
    stacked: bool = False
    chat: bool = True

    @property
    def needs(self) -> tuple[Need, ...]:
        return (FINTS, STEERX) if self.stacked else (FINTS,)

    def evaluate(self, parts: EvalParts) -> Any:
        from assistant.evaluation.service import fints_plugin

        return fints_plugin(parts, self.name, stack=STEERX.name if self.stacked else None)

    def prepare(self, req: Request) -> Prepared:
        from assistant.profile import fints as fints_service

        _checked_profile(req, ProfileKind.FINTS)
        svc = _profiles(req.app)
        stack = (_vector_steering(req, ProfileKind.STEERX, req.strength) if self.stacked
                 else None)
        steering, items = fints_service.request_steering(svc, req.runtime, req.text, stack,
                                                         scale=req.strength)
        return Prepared(self.name, list(req.messages), details={"fints_items": items},
                        steering=steering)


@dataclass(frozen=True)
class RagFints:
    """The user's texts in the prompt and the Fints vector mixed for the request, at the
    strength its build chose with texts in the prompt (on the reply's positions only)."""

    name: str = "rag+fints"
    label: str = "My texts + Fints"
    summary: str = "your texts in the prompt and Fints steering together"
    needs: tuple[Need, ...] = (HISTORY, FINTS)
    chat: bool = True

    def evaluate(self, parts: EvalParts) -> Any:
        from assistant.evaluation.service import fints_plugin

        return fints_plugin(parts, self.name, with_rag=True)

    def prepare(self, req: Request) -> Prepared:
        from assistant.profile import fints as fints_service

        _checked_profile(req, ProfileKind.FINTS)
        try:
            steering, items = fints_service.request_steering(
                _profiles(req.app), req.runtime, req.text, scale=req.strength, with_texts=True)
        except UserError as exc:
            raise ProfileMissing(str(exc)) from exc
        prepared = _with_retrieved(self.name, req)
        prepared.details["fints_items"] = items
        prepared.steering = steering
        return prepared


_TORCH: dict[tuple[str, str], Any] = {}  # the torch runtime DPS decodes with, loaded once


@dataclass(frozen=True)
class Dps:
    """Preference heads found on the history; contrastive decoding in torch."""

    name: str = "dps"
    label: str = "DPS"
    summary: str = "contrastive decoding through your preference heads (torch)"
    needs: tuple[Need, ...] = (DPS,)
    chat: bool = True

    def evaluate(self, parts: EvalParts) -> Any:
        from assistant.evaluation.service import DpsMethod

        return DpsMethod(parts.runtime, parts.sampling, parts.profile_builds(), parts.device)

    def prepare(self, req: Request) -> Prepared:
        from engine.methods import dps

        svc = _profiles(req.app)
        view = _checked_profile(req, ProfileKind.DPS)
        choice = req.app.model_choice(req.model_flag)
        key = (str(choice.path), req.app.settings.device)
        if key not in _TORCH:
            _TORCH.clear()  # one model in memory at a time
            _TORCH[key] = svc.dps_runtime(req.model_flag)
        trt = _TORCH[key]
        heads = [(h["layer"], h["head"]) for h in view.meta.get("heads", [])]
        gamma = view.meta.get("gamma")
        # Decoded with the conditioning the heads were scored under: a few of the user's
        # texts (the most relevant) before the request, worded as the scan worded them.
        texts = _history_texts(req)[: dps.N_CONTEXT]
        messages = [dict(m) for m in req.messages]
        if texts:
            per = dps.MAX_CONTEXT_TOKENS // len(texts)
            messages[-1]["content"] = dps.user_prompt(
                messages[-1]["content"], [dps.cut(trt, t, per) for t in texts])
        sampling, cancel = req.sampling, req.cancel

        def decode(_fit: ChatPrompt, stats: GenerationStats) -> Iterator[str]:
            yield from _threaded(lambda put: dps.generate(
                trt, dps.chat_prompt(trt, messages), heads, sampling, gamma=gamma,
                cancel=cancel, on_text=put), stats)

        return Prepared(self.name, messages, decode=decode,
                        details={"heads": len(heads), "dps_texts": len(texts)})


def _threaded(work: Callable[[Callable[[str], None]], Any],
              stats: GenerationStats) -> Iterator[str]:
    """Run a decoder that reports text through a callback as a stream of pieces.

    The decode runs in a thread and hands pieces over a queue, so the chat service
    flushes the growing reply exactly as it does for llama.cpp.
    """
    import time

    q: queue.Queue = queue.Queue()
    done = object()
    t0 = time.perf_counter()

    def run() -> None:
        try:
            out = work(q.put)
            stats.tokens = len(getattr(out, "tokens", ()) or ())
            stats.finish_reason = str(getattr(out, "finish_reason", "stop"))
        except BaseException as exc:  # re-raised on the reading side
            q.put(exc)
        finally:
            q.put(done)

    threading.Thread(target=run, daemon=True).start()
    while (item := q.get()) is not done:
        if isinstance(item, BaseException):
            raise item
        if stats.first_token_s is None:
            stats.first_token_s = time.perf_counter() - t0
        yield item
    stats.seconds = time.perf_counter() - t0


# ---- the registry ----------------------------------------------------------------------

REGISTRY: dict[str, Method] = {}  # every method, in the order the surfaces list them
METHODS: dict[str, Method] = {}  # the ones chat offers (REGISTRY less the evaluation's)
NAMES: tuple[str, ...] = ()  # METHODS' names
_KINDS: dict[str, Kind] = {}  # every profile kind a registered method needs


def register(method: Method) -> Method:
    """Add `method` (and the profile kinds it needs) to every surface: chat's choices,
    the window's menus, the profile build and the evaluation."""
    global NAMES
    if method.name in REGISTRY:
        raise ValueError(f"a method named {method.name!r} is registered already")
    for kind in _kinds_of(method):
        if _KINDS.get(kind.name, kind) is not kind:
            raise ValueError(f"another profile kind named {kind.name!r} is registered")
    for kind in _kinds_of(method):
        _KINDS.setdefault(kind.name, kind)
    REGISTRY[method.name] = method
    if method.chat:
        METHODS[method.name] = method
        NAMES = tuple(METHODS)
    return method


def unregister(name: str) -> None:
    """Remove a method, and the profile kinds no other method needs (a test's toy)."""
    global NAMES
    method = REGISTRY.pop(name)
    METHODS.pop(name, None)
    NAMES = tuple(METHODS)
    needed = {k.name for m in REGISTRY.values() for k in _kinds_of(m)}
    for kind in _kinds_of(method):
        if kind.name not in needed:
            del _KINDS[kind.name]


def _kinds_of(method: Method) -> list[Kind]:
    return [n for n in method.needs if isinstance(n, Kind)]


for _kind in BUILT_IN:  # first, so the CLI lists them in the order it always has
    _KINDS[_kind.name] = _kind
for _method in (
    Plain(),
    Rag(),
    Steered("stylevector", "StyleVector", "one steering vector learned from your texts",
            STYLEVECTOR),
    Steered("steerx", "SteerX", "a steering vector from the words that carry your preferences",
            STEERX),
    RagSteered(),
    Fints("fints", "Fints", "a steering vector chosen per request from your own texts"),
    Fints("steerx+fints", "SteerX + Fints", "Fints per request plus SteerX", stacked=True),
    RagFints(),
    Dps(),
):
    register(_method)


def get(name: str) -> Method:
    """The chat method named `name` (an evaluation-only name is refused as unknown)."""
    try:
        return METHODS[name]
    except KeyError:
        raise UserError(f"Unknown method {name!r}; use one of {', '.join(NAMES)}.") from None


def kinds(which: str = "") -> list[Kind]:
    """The registered profile kinds; `which` keeps those with that ability ("describable",
    "tunable", "exportable")."""
    return [k for k in _KINDS.values() if not which or getattr(k, which)]


def kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UserError(f"Unknown method {name!r}; use {' or '.join(_KINDS)}.") from None


def chosen(app: AppContext, flag: str | None,
           conversation: str | None = None) -> tuple[Method, bool]:
    """The method a turn uses and whether the user named it for this turn.

    `--method` wins; then the conversation's own method; then the saved `chat_method`
    (the window's menu and `settings set` write it); then the active profile of older
    data folders; then none.
    """
    if flag:
        return get(flag), True
    if conversation:
        if conversation in METHODS:
            return METHODS[conversation], False
        log.warning("conversation method %r is not a method; using the app's", conversation)
    saved = app.settings.chat_method
    if saved:
        if saved in METHODS:
            return METHODS[saved], False
        log.warning("saved chat_method %r is not a method; answering without one", saved)
    active = _profiles(app).active_method()
    return (METHODS.get(active or "none", METHODS["none"])), False


def profile_kinds(method: Method) -> list[Kind]:
    """The stored profiles `method` steers with, in the order they are built."""
    return _kinds_of(method)


def uses_history(method: Method) -> bool:
    """Whether `method` reads the writing history at request time (RAG)."""
    return HISTORY in method.needs


def missing_need(app: AppContext, method: Method) -> str | None:
    """What `method` lacks to run now, in words, or None when it can run."""
    from assistant.writing.history import HistoryService

    history = HistoryService(app.db)
    if uses_history(method) and history.count(included_only=True) == 0:
        return ("your writing history is empty" if not history.count() else
                "none of your writing samples is included")
    svc = _profiles(app)
    for kind in profile_kinds(method):
        if svc.get(kind) is None:
            return f"there is no {kind} profile yet"
    return None


def use(app: AppContext, name: str) -> str | None:
    """Personalize chat and drafting with `name` from now on (the saved `chat_method`,
    which the CLI and the window both read). Returns why not, or None when saved.

    A method with exactly one profile also makes it the active profile, so that
    `assistant profile show` names the profile chat uses.
    """
    from assistant.settings import update_setting

    method = get(name)
    why = missing_need(app, method)
    if why is not None:
        return why
    kinds = profile_kinds(method)
    if len(kinds) == 1 and len(method.needs) == 1:
        _profiles(app).set_active(True, kinds[0])
    elif not method.needs:
        _profiles(app).set_active(False)
    update_setting(app.db, "chat_method", method.name)
    app.reload_settings()
    return None


def build_profile(app: AppContext, name: str, *, layer: int | None = None,
                  alpha: float | None = None, tau: float | None = None,
                  model_flag: str | None = None, progress=None, cancel=None) -> BuildOutcome:
    """Build (or incrementally rebuild) the profile of kind `name` with its kind's build step
    and make it the active one; the previous profile stays as it was until the step ends."""
    from assistant.settings import check_flag

    alpha, tau = check_flag("alpha", alpha), check_flag("tau", tau)  # as `set` checks them
    k = kind(name)
    return k.build(_profiles(app), k.name, layer=layer, alpha=alpha, tau=tau,
                   model_flag=model_flag, progress=progress, cancel=cancel)


def prepare(method: Method, req: Request) -> Prepared:
    """`method.prepare`, but a default (not named) method that cannot run falls back to none.

    A method the user named for this turn fails with its reason instead.
    """
    try:
        return method.prepare(req)
    except ProfileMissing as exc:
        if req.explicit:
            raise
        return Prepared("none", list(req.messages),
                        notice=f"{exc} Answering without personalization.")

