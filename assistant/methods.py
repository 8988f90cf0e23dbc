"""Personalization methods for a chat or draft turn: one object each, in one registry.

Every surface (the CLI's `--method`, the window's menu, the terminal chat, the
saved `chat_method` setting) reads `METHODS`; no caller compares a method name.
A method turns one request into a `Prepared` request: the messages the model will
see (RAG adds the user's own texts), the steering the turn applies around its
generation (`Prepared.steering`: a control vector, or one picked per request; the
method itself leaves the runtime alone), or its own token stream (DPS decodes with
torch). What a method needs from the store it asks the profile and history services for.

The methods and what they need:
- none          nothing
- rag           the writing history (the texts most like the request go in the prompt)
- stylevector   a StyleVector profile (one control vector)
- steerx        a SteerX profile (one control vector)
- rag+steerx    both: the texts in the prompt, SteerX at the strength tuned for that
- fints         a Fints bank (a control vector chosen per request)
- steerx+fints  a Fints bank and a SteerX profile, summed
- rag+fints     both: the texts in the prompt, Fints at the strength chosen for that
- dps           a DPS profile (preference heads), decoded contrastively in torch
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.errors import UserError
from engine.methods.kinds import ProfileKind

if TYPE_CHECKING:  # pragma: no cover
    from assistant.app import AppContext
    from engine.runtime.generation import CancelToken, GenerationStats, SamplingSettings
    from engine.runtime.llamacpp import ChatPrompt, LlamaRuntime
    from engine.steering.vectors import Steering

log = logging.getLogger(__name__)

# RAG: at most RAG_K of the user's texts (engine.methods.rag), in at most this share of
# the context.
RAG_CONTEXT_SHARE = 0.25
RAG_SCAN = 500  # the most recent samples searched (embedding more per request is slow)
_EMBEDDED: dict[tuple[int, int], np.ndarray] = {}  # (sample id, hash of its text) -> vector
HISTORY = "history"  # the need of a method that reads the writing history itself
Need = ProfileKind | str  # a stored profile's kind, or HISTORY


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
    def needs(self) -> tuple[Need, ...]: ...  # profile kinds it uses, HISTORY if it reads it

    def prepare(self, req: Request) -> Prepared:
        """The request to run and how to steer it (the runtime is left as it is)."""


class ProfileMissing(UserError):
    """A method's profile is not there or belongs to another model."""


# ---- the methods -----------------------------------------------------------------------


@dataclass(frozen=True)
class Plain:
    name: str = "none"
    label: str = "Off"
    summary: str = "no personalization"
    needs: tuple[Need, ...] = ()

    def prepare(self, req: Request) -> Prepared:
        return Prepared(self.name, list(req.messages))


def _profiles(app: AppContext):
    from assistant.profile_service import ProfileService

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
    """The user's texts most like the request, within the RAG token budget.

    Returns (texts, their sample ids, tokens used). The budget is a quarter of the
    context after the reply's room, so the conversation keeps most of the window.
    """
    from assistant.history import HistoryService
    from engine.methods.rag import is_near_duplicate

    # Only the included samples (chat requests are not, by default), and never the
    # request itself or a near-copy of it (an earlier, near-identical request).
    history = HistoryService(req.app.db)
    samples = history.writing()[-RAG_SCAN:]
    samples = [s for s in samples if not is_near_duplicate(req.text, s.text)]
    if not samples:
        why = ("Your writing history is empty" if not history.count() else
               "None of your writing samples is included (chat messages are left out unless "
               "you include them) or they only repeat this request")
        raise ProfileMissing(
            f"{why}, so there is nothing to put in the prompt. Add your own texts with "
            "'assistant history add FILE' or --text."
        )
    from engine.methods.embeddings import embed
    from engine.methods.rag import RAG_ITEM_TOKENS, RAG_K

    missing = [s for s in samples if (s.id, hash(s.text)) not in _EMBEDDED]
    if missing:  # each sample is embedded once per process, not on every request
        for s, v in zip(missing, embed([s.text for s in missing]), strict=True):
            _EMBEDDED[(s.id, hash(s.text))] = v
    query = embed([req.text])[0]
    sims = np.stack([_EMBEDDED[(s.id, hash(s.text))] for s in samples]) @ query
    order = np.argsort(-sims)[:RAG_K]
    rt = req.runtime
    budget = int((rt.n_ctx - req.sampling.max_tokens) * RAG_CONTEXT_SHARE)
    texts, ids, used = [], [], 0
    for i in order:
        toks = rt.tokenize(samples[i].text)
        if len(toks) > RAG_ITEM_TOKENS:
            toks = toks[:RAG_ITEM_TOKENS]
        if used + len(toks) > budget:
            continue
        texts.append(rt.detokenize(toks) if len(toks) == RAG_ITEM_TOKENS else samples[i].text)
        ids.append(samples[i].id)
        used += len(toks)
    return texts, ids, used


def _history_texts(req: Request) -> list[str]:
    """The retrieved texts, or none when the history is empty (DPS can decode without)."""
    try:
        return retrieve_texts(req)[0]
    except ProfileMissing:
        return []


def _with_retrieved(name: str, req: Request) -> Prepared:
    """The request with the user's most relevant texts in front of it, said in a notice."""
    texts, ids, used = retrieve_texts(req)
    previews = [_preview(t) for t in texts]
    which = "; ".join(f"#{i} \u201c{p}\u201d" for i, p in zip(ids, previews, strict=True))
    return Prepared(name, _with_texts(req.messages, texts),
                    details={"rag_samples": ids, "rag_tokens": used, "rag_previews": previews},
                    notice=f"{len(ids)} of your texts ({used} tokens) are in the prompt: "
                           f"{which}.")


def _preview(text: str, n: int = 48) -> str:
    """A retrieved text's opening words, to say which texts went in (`--explain`, window)."""
    line = " ".join(text.split())
    return line if len(line) <= n else line[:n].rsplit(" ", 1)[0] + "\u2026"


def _with_texts(messages: Sequence[dict[str, str]], texts: Sequence[str]) -> list[dict[str, str]]:
    from engine.methods.profile_build import with_examples

    out = [dict(m) for m in messages]
    out[-1]["content"] = with_examples(out[-1]["content"], texts)
    return out


@dataclass(frozen=True)
class Rag:
    name: str = "rag"
    label: str = "My texts in the prompt"
    summary: str = "your most relevant own texts go into the prompt (nothing is trained)"
    needs: tuple[Need, ...] = (HISTORY,)

    def prepare(self, req: Request) -> Prepared:
        return _with_retrieved(self.name, req)


@dataclass(frozen=True)
class Steered:
    """One stored control vector for the whole reply (StyleVector, SteerX)."""

    name: str
    label: str
    summary: str
    kind: ProfileKind

    @property
    def needs(self) -> tuple[Need, ...]:
        return (self.kind,)

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
    needs: tuple[Need, ...] = (HISTORY, ProfileKind.STEERX)

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

    @property
    def needs(self) -> tuple[Need, ...]:
        return (ProfileKind.FINTS, ProfileKind.STEERX) if self.stacked else (ProfileKind.FINTS,)

    def prepare(self, req: Request) -> Prepared:
        from assistant import fints_service

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
    needs: tuple[Need, ...] = (HISTORY, ProfileKind.FINTS)

    def prepare(self, req: Request) -> Prepared:
        from assistant import fints_service

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
    needs: tuple[Need, ...] = (ProfileKind.DPS,)

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


METHODS: dict[str, Method] = {m.name: m for m in (
    Plain(),
    Rag(),
    Steered("stylevector", "StyleVector", "one steering vector learned from your texts",
            ProfileKind.STYLEVECTOR),
    Steered("steerx", "SteerX", "a steering vector from the words that carry your preferences",
            ProfileKind.STEERX),
    RagSteered(),
    Fints("fints", "Fints", "a steering vector chosen per request from your own texts"),
    Fints("steerx+fints", "SteerX + Fints", "Fints per request plus SteerX", stacked=True),
    RagFints(),
    Dps(),
)}
NAMES = tuple(METHODS)


def get(name: str) -> Method:
    try:
        return METHODS[name]
    except KeyError:
        raise UserError(f"Unknown method {name!r}; use one of {', '.join(NAMES)}.") from None


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


def profile_kinds(method: Method) -> list[ProfileKind]:
    """The stored profiles `method` steers with, in the order they are built."""
    return [ProfileKind(n) for n in method.needs if n != HISTORY]


def uses_history(method: Method) -> bool:
    """Whether `method` reads the writing history at request time (RAG)."""
    return HISTORY in method.needs


def missing_need(app: AppContext, method: Method) -> str | None:
    """What `method` lacks to run now, in words, or None when it can run."""
    from assistant.history import HistoryService

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

