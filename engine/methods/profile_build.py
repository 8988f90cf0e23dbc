"""Building a StyleVector or SteerX profile from a writing history, step by step.

The app's profile service and the evaluation harness both call `build_profile`,
so what is measured is what the user gets. The stages, with where they run:

1. generic replies for new items            llama.cpp, batched      (cached per prompt)
2. log-probs of new items with history H     reader                  (cached per item)
3. activations and log-probs without H,      reader                  (cached per item)
   token effects, preference positions
4. preference tokens and the description     llama.cpp               (an edit is kept)
5. description contrast                      reader                  (reused if unchanged)
6. the layer, on held-out items' likelihood  reader, control vectors (reused on incremental)
7. the strength, alone and (SteerX) with     llama.cpp, batched      (reused on incremental)
   the user's texts in the prompt, by
   leave-one-out generation

The reader (`engine.runtime.activations`) is llama.cpp itself by default: it reads
the residual stream through the scheduler's eval callback on the quantized
weights, so a build needs about the memory of the model file, where a float32
torch copy needed four bytes a weight (11 GB for a 1.5B model). `BuildOptions.reader
= "torch"` uses the torch runtime instead (a GPU with torch in half precision).
Every token of every text is read; long texts in chunks (`stylevector.text_rows`).

Only items the caches do not know go through 1-3, which is what makes a rebuild
after one new sample fast. `should_stop` is polled between batches; stopping
raises `GenerationCancelled` and the caller keeps its previous profile.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from engine.errors import EngineError, GenerationCancelled
from engine.methods import steerx as sx
from engine.methods.calibration import folds, select_layer_alpha
from engine.methods.description import write_description
from engine.methods.generation_calibration import STAGE as GENERATION_STAGE
from engine.methods.generic_replies import (
    GENERIC_MAX_TOKENS,
    PROFILE_SYSTEM,
    GenericCache,
    ProfileItem,
    chat_prefix,
    generic_responses,
    prompt_hash,
    sha,
)
from engine.methods.kinds import ProfileKind
from engine.methods.stylevector import (
    CHUNK_CONTEXT,
    CHUNK_TOKENS,
    GENERIC_ITEMS,
    ItemActivations,
    capture_activations,
    generic_means,
    style_vector,
)
from engine.runtime.batched import BatchedLlama, use_work_threads_in_torch
from engine.runtime.llamacpp import LlamaRuntime

if TYPE_CHECKING:  # pragma: no cover
    from engine.steering.vectors import Steering

log = logging.getLogger(__name__)

METHODS = ProfileKind.vector_kinds()
MIN_ITEMS = 4
DESC_ITEMS = 8

ProgressFn = Callable[[str, float], None]
StopFn = Callable[[], bool]


class NotEnoughHistory(EngineError):
    """Fewer samples than a profile needs; the message says how many more."""


@dataclass
class CachedItem:
    """What a rebuild reuses for an unchanged sample."""

    tokens: list[int]
    deltas: np.ndarray
    acts: ItemActivations


class ItemStore(Protocol):
    """Per-item results, and named arrays (generic-reply activations, description contrast)."""

    def get_many(self, keys: Sequence[str], config: str) -> dict[str, CachedItem]: ...

    def put(self, key: str, config: str, item: CachedItem) -> None: ...

    def get_array(self, key: str, config: str) -> np.ndarray | None: ...

    def put_array(self, key: str, config: str, arr: np.ndarray) -> None: ...


@dataclass
class BuildOptions:
    method: str = ProfileKind.STEERX
    tau: float = sx.DEFAULT_TAU
    n_context: int = sx.N_CONTEXT
    max_text_tokens: int | None = None  # None: every token of every text (read in chunks)
    context_tokens: int = 48
    generic_tokens: int = GENERIC_MAX_TOKENS
    desc_weight: float = 0.5
    layer: int | None = None  # overrides the automatic choice
    alpha: float | None = None
    description: str | None = None  # the user's edit, used instead of writing one
    previous: dict[str, Any] | None = None  # incremental: {layer, alpha, description}
    generic_items: int = GENERIC_ITEMS
    system: str = PROFILE_SYSTEM
    min_items: int = MIN_ITEMS
    seed: int = 0
    # What reads the states: "llama" (llama.cpp on the quantized weights, any backend it
    # was built for) or "torch" (the torch runtime `load_torch` gives: a GPU in half
    # precision). Both give the same vectors (tests/test_activations.py).
    reader: str = "llama"
    # The reply length chat leaves room for (its max_tokens): with the context it sets the
    # budget of the user's texts in the prompt (engine.methods.rag.rag_budget), so the
    # strength for texts in the prompt is chosen with the texts chat would put there.
    reply_tokens: int = 512

    def config_tag(self) -> str:
        """Everything a cached item depends on; change any and items are recomputed."""
        key = f"v4|{self.tau}|{self.n_context}|{self.max_text_tokens}|{self.context_tokens}|" \
              f"{self.generic_tokens}|{self.system}|{CHUNK_TOKENS}|{CHUNK_CONTEXT}"
        return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass
class BuildReport:
    method: str
    layer: int
    alpha: float
    auto_selected: bool
    vectors: dict[str, np.ndarray]
    description: str
    description_source: str  # written | edited | kept
    preference_tokens: list[dict]
    n_samples: int
    item_keys: list[str]
    n_new: int
    n_generic_generated: int
    truncated: int
    max_text_tokens: int | None
    selection: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    likelihood_alpha: float | None = None  # what held-out likelihood chose (the layer's)
    # The strength chosen by leave-one-out generation, each {"fraction", "alpha",
    # "selection", "held_out", "residual_norm", "layer"}: `alone` for the method by itself
    # (it sets `alpha`), `with_texts` for SteerX with the user's texts in the prompt
    # (rag+steerx, generated positions only; also "steerx_alpha", SteerX's own strength
    # then, which the strength slider's changes are taken relative to). None: not chosen
    # this way (a strength the user set).
    alone: dict[str, Any] | None = None
    with_texts: dict[str, Any] | None = None

    @property
    def vector(self) -> np.ndarray:
        """All layers of the vector this profile's method applies."""
        return self.vectors[self.method]

    def steering(self, alpha: float | None = None, *, generated_only: bool = False) -> Steering:
        """Steering the chosen layer at `alpha` (default: the chosen one); an all-zero
        direction there steers by nothing."""
        from engine.steering.vectors import Steering, SteeringVector

        return Steering.at_layer(SteeringVector.from_layers(self.vector), self.layer,
                                 self.alpha if alpha is None else alpha,
                                 generated_only=generated_only)


def text_tokens(llama: LlamaRuntime, text: str) -> list[int]:
    """A text's tokens as the model would write them after a prompt (no BOS, no specials)."""
    return llama.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def history_prompt(llama: LlamaRuntime, instruction: str, examples: Sequence[str],
                   system: str = PROFILE_SYSTEM) -> str:
    """x with some of the user's earlier texts shown first (H for effects; RAG uses it too)."""
    return llama.format_chat(
        [{"role": "system", "content": system},
         {"role": "user", "content": with_examples(instruction, examples)}]
    ).text


def with_examples(instruction: str, examples: Sequence[str]) -> str:
    shown = "\n\n".join(f"---\n{e.strip()}" for e in examples if e.strip())
    if not shown:
        return instruction
    return (
        f"Here are texts I wrote before:\n\n{shown}\n---\n\n"
        f"Write in the same style as my texts. {instruction}"
    )


def truncate_text(llama: LlamaRuntime, text: str, n: int) -> str:
    """The text's first n tokens (all of it when shorter): how H shows each text."""
    toks = text_tokens(llama, text)
    return text if len(toks) <= n else llama.detokenize(toks[:n])


def _stage(progress: ProgressFn | None, name: str, frac: float) -> None:
    if progress:
        progress(name, max(0.0, min(1.0, frac)))


def _check_stop(should_stop: StopFn | None) -> None:
    if should_stop and should_stop():
        raise GenerationCancelled("Stopped.")


def build_profile(
    items: Sequence[ProfileItem],
    llama: LlamaRuntime,
    load_torch: Callable[[], Any],
    generic_cache: GenericCache,
    item_store: ItemStore,
    options: BuildOptions | None = None,
    *,
    batched: BatchedLlama | None = None,
    progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
) -> BuildReport:
    """Build the profile; raise `NotEnoughHistory` or `GenerationCancelled` when it cannot."""
    opt = options or BuildOptions()
    if opt.method not in METHODS:
        raise EngineError(f"Unknown method {opt.method!r}; use {' or '.join(METHODS)}.")
    n = len(items)
    if n < opt.min_items:
        raise NotEnoughHistory(
            f"A profile needs at least {opt.min_items} writing samples; there "
            f"{'is' if n == 1 else 'are'} {n}. Add {opt.min_items - n} more."
        )
    owned: list[BatchedLlama] = []

    def get_batched(release: bool = False) -> BatchedLlama | None:
        """The batch context for generation, opened when first needed (an incremental build
        rarely needs one); `release` closes one this build opened, so that it and the
        reader's context never hold their memory at the same time."""
        if batched is not None:
            return None if release else batched
        if release:
            while owned:
                owned.pop().close()
            return None
        if not owned:
            owned.append(BatchedLlama(llama))
        return owned[0]

    try:
        return _build(items, llama, load_torch, generic_cache, item_store, opt, get_batched,
                      progress, should_stop)
    finally:
        for bl in owned:
            bl.close()


def _build(items, llama, load_torch, generic_cache, item_store, opt, get_batched, progress,
           should_stop):
    t_start = time.perf_counter()
    timings: dict[str, float] = {}
    notes: list[str] = []
    n = len(items)
    tag = opt.config_tag()
    keys = [it.key for it in items]
    prefixes = [llama.tokenize(chat_prefix(llama, it.instruction, opt.system)) for it in items]
    full = [text_tokens(llama, it.text) for it in items]
    cap = opt.max_text_tokens
    users = [t[:cap] if cap else t for t in full]
    truncated = sum(len(t) > cap for t in full) if cap else 0
    if truncated:
        notes.append(
            f"{truncated} sample(s) are longer than {cap} tokens; only their "
            f"first {cap} tokens were used."
        )
    cached = item_store.get_many(keys, tag)
    new = [i for i in range(n) if keys[i] not in cached]
    # A sample may appear twice in the history; compute it once.
    seen: set[str] = set()
    new = [i for i in new if not (keys[i] in seen or seen.add(keys[i]))]
    # The generic side: `generic_items` items (a mean needs no more), those with an edit
    # pair first: the model's text the user edited is their generic reply, real and free.
    gen_idx = sorted(sorted(range(n), key=lambda i: items[i].generic is None)[:opt.generic_items])
    gen_keys = {i: sha("generic-activation", prompt_hash(items[i].instruction, opt.system),
                       *(("edit-pair", items[i].generic) if items[i].generic else ()))
                for i in gen_idx}
    gen_means = {i: item_store.get_array(gen_keys[i], tag) for i in gen_idx}
    gen_todo = [i for i in gen_idx if gen_means[i] is None]
    n_generic = 0
    reader = _Reader(llama, load_torch, opt.reader, timings,
                     before_open=lambda: get_batched(release=True))
    try:
        if gen_todo:
            t = time.perf_counter()
            _stage(progress, "generic replies", 0.0)
            # A sample the user edited brings the model's own text: no reply to generate.
            to_generate = [i for i in gen_todo if not items[i].generic]
            made, n_generic = generic_responses(
                llama, get_batched(), [items[i].instruction for i in to_generate],
                generic_cache, system=opt.system, max_tokens=opt.generic_tokens,
                progress=lambda d, m: _stage(progress, "generic replies", d / m),
                should_stop=should_stop,
            ) if to_generate else ([], 0)
            by_index = dict(zip(to_generate, made, strict=True))
            generics = [items[i].generic or by_index[i] for i in gen_todo]
            timings["generic"] = time.perf_counter() - t
            t = time.perf_counter()
            gen_ids = [text_tokens(llama, g)[: opt.generic_tokens] for g in generics]

            def keep_mean(k: int, m: np.ndarray) -> None:
                # stored as each is read: a killed build resumes from here
                item_store.put_array(gen_keys[gen_todo[k]], tag, m)
                gen_means[gen_todo[k]] = m

            generic_means(reader.get(), [prefixes[i] for i in gen_todo], gen_ids,
                          on_item=keep_mean, should_stop=should_stop)
            timings["generic_activations"] = time.perf_counter() - t
        generic_mean = np.mean([gen_means[i] for i in gen_idx], axis=0)
        if new:
            _read_new_items(items, llama, reader.get(), item_store, opt, tag, new, keys,
                            prefixes, users, cached, timings, progress, should_stop)
        return _finish(items, llama, reader, generic_mean, cached, keys, prefixes, users, new,
                       truncated, n_generic, notes, timings, t_start, opt, get_batched,
                       item_store, tag, progress, should_stop)
    finally:
        reader.close()


class _Reader:
    """The build's activation reader, opened when a stage first needs one: llama.cpp on the
    quantized weights (the default: the memory of the file), or torch where the options
    ask for it (a GPU with torch in half precision)."""

    def __init__(self, llama: LlamaRuntime, load_torch: Callable[[], Any], kind: str,
                 timings: dict[str, float], before_open: Callable[[], Any]) -> None:
        self.llama, self.load_torch, self.kind, self.timings = llama, load_torch, kind, timings
        self.before_open = before_open
        self._r: Any = None

    def get(self) -> Any:
        if self._r is None:
            self.before_open()
            t = time.perf_counter()
            if self.kind == "torch":
                from engine.runtime.activations import TorchActivations

                self._r = TorchActivations(_torch(self.load_torch))
                self.timings["torch_load"] = time.perf_counter() - t
            else:
                from engine.runtime.activations import LlamaActivations

                self._r = LlamaActivations(self.llama)
        elif self.kind == "torch":
            _torch(lambda: self._r.trt)  # re-pick the CPU threads for the next stage
        return self._r

    def close(self) -> None:
        if self._r is not None:
            self._r.close()
            self._r = None


def _read_new_items(items, llama, reader, item_store, opt, tag, new, keys, prefixes, users,
                    cached, timings, progress, should_stop) -> None:
    """Token effects and activations of the samples the cache does not know; each is stored
    as soon as it is complete, so a build killed here resumes with the rest."""
    n = len(items)
    # 2. log-probs of each new text with some of the user's other texts shown first
    t = time.perf_counter()
    _stage(progress, "token effects", 0.0)
    contexts = []
    for i in new:
        ctx = [truncate_text(llama, items[j].text, opt.context_tokens)
               for j in sx.context_items(n, i, opt.n_context)]
        contexts.append(llama.tokenize(history_prompt(llama, items[i].instruction, ctx,
                                                      opt.system)))
    with_h = sx.history_logprobs(reader, contexts, [users[i] for i in new],
                                 should_stop=should_stop,
                                 progress=lambda d, m: _stage(progress, "token effects", d / m))
    timings["effects"] = time.perf_counter() - t
    # 3. activations, and log-probs without H: effects and preference positions
    t = time.perf_counter()
    _stage(progress, "activations", 0.0)

    def pref_fn(k: int, off: int, lp_without: np.ndarray) -> list[int]:
        d = (with_h[k][off : off + len(lp_without)] - lp_without).astype(np.float32)
        return sx.preference_positions(d, opt.tau)

    def keep(k: int, acts: ItemActivations, lp_without: np.ndarray) -> None:
        i = new[k]
        c = CachedItem(users[i], (with_h[k] - lp_without).astype(np.float32), acts)
        item_store.put(keys[i], tag, c)
        cached[keys[i]] = c

    capture_activations(
        reader, [prefixes[i] for i in new], [users[i] for i in new], pref_fn, on_item=keep,
        should_stop=should_stop,
        progress=lambda d, m: _stage(progress, "activations", d / m),
    )
    timings["activations"] = time.perf_counter() - t


def _finish(items, llama, reader, generic_mean, cached, keys, prefixes, users, new, truncated,
            n_generic, notes, timings, t_start, opt, get_batched, item_store, tag, progress,
            should_stop):
    n = len(items)
    all_items = [cached[k] for k in keys]
    acts_all = [c.acts for c in all_items]
    vectors: dict[str, np.ndarray] = {ProfileKind.STYLEVECTOR: style_vector(acts_all, generic_mean)}
    report_tokens: list[dict] = []
    description, desc_source = "", "none"
    if opt.method == ProfileKind.STEERX:
        t = time.perf_counter()
        tok_vec = sx.steerx_tokens_vector(acts_all, generic_mean)
        if tok_vec is None:
            notes.append("No preference-driven tokens were found; SteerX falls back to "
                         "the StyleVector direction.")
            tok_vec = vectors[ProfileKind.STYLEVECTOR]
        vectors["steerx_tokens"] = tok_vec
        pieces = [[_piece(llama, tok) for tok in c.tokens] for c in all_items]
        report_tokens = sx.preference_tokens(pieces, [c.deltas for c in all_items], opt.tau)
        prev = opt.previous or {}
        if opt.description is not None and opt.description.strip():
            description, desc_source = opt.description.strip(), "edited"
        elif prev.get("description") and len(new) <= max(1, n // 10):
            # A few new samples barely move the tokens: keep the text the user has seen.
            description, desc_source = prev["description"], "kept"
        else:
            _stage(progress, "description", 0.0)
            order = sorted(range(n), key=lambda i: -all_items[i].acts.pref_count)
            description = write_description(
                llama, [r["token"] for r in report_tokens], [items[i].text for i in order[:3]],
                seed=opt.seed,
            )
            desc_source = "written"
        _check_stop(should_stop)
        _stage(progress, "description", 0.5)
        pick = list(range(n))[:DESC_ITEMS]
        desc_key = sha("description-contrast", description,
                       *(items[i].instruction for i in pick))
        desc_vec = item_store.get_array(desc_key, tag)
        if desc_vec is None or desc_vec.shape != tok_vec.shape:
            sys_d = f"{opt.system}\n\nThe user's writing style: {description}"
            desc_vec = sx.description_contrast(
                reader.get(),
                [llama.tokenize(chat_prefix(llama, items[i].instruction, sys_d)) for i in pick],
                [prefixes[i] for i in pick],
            )
            item_store.put_array(desc_key, tag, desc_vec)
        vectors["description"] = desc_vec
        vectors[ProfileKind.STEERX] = sx.combine(tok_vec, desc_vec, opt.desc_weight)
        timings["description"] = time.perf_counter() - t
    _check_stop(should_stop)
    # 6. layer and strength
    t = time.perf_counter()
    prev = opt.previous or {}
    selection: list[dict] = []
    auto = False
    likelihood_alpha: float | None = None
    if opt.layer is not None and opt.alpha is not None:
        layer, alpha = opt.layer, opt.alpha
    elif prev.get("layer") is not None and len(new) <= max(1, n // 10) and opt.layer is None \
            and opt.alpha is None:
        layer, alpha = int(prev["layer"]), float(prev["alpha"])
        likelihood_alpha = prev.get("likelihood_alpha")
    else:
        _stage(progress, "choosing layer and strength", 0.0)
        fold_vectors = [
            (held, _fold_vector(opt.method, [all_items[j] for j in train], generic_mean,
                                vectors, opt.desc_weight))
            for train, held in folds(n)
        ]
        layer, alpha, selection = select_layer_alpha(
            reader.get(), fold_vectors, prefixes, users,
            fixed_layer=opt.layer, fixed_alpha=opt.alpha, should_stop=should_stop,
            progress=lambda f: _stage(progress, "choosing layer and strength", f),
        )
        if opt.alpha is None:
            likelihood_alpha = alpha
        auto = True
    timings["selection"] = time.perf_counter() - t
    # 7. the strength by what it makes the model write
    t = time.perf_counter()
    kept = {k: prev.get(k) or {} for k in ("alone", "with_texts")}
    incremental = not auto and len(new) <= max(1, n // 10)
    chosen: dict[str, dict[str, Any] | None] = {"alone": None, "with_texts": None}
    todo = []
    if auto and opt.alpha is None:
        todo.append("alone")
    elif incremental and kept["alone"].get("layer") == layer:
        chosen["alone"] = kept["alone"]
    if opt.method == ProfileKind.STEERX:
        if incremental and kept["with_texts"].get("layer") == layer:
            chosen["with_texts"] = kept["with_texts"]
        else:
            todo.append("with_texts")
    if todo:
        reader.close()  # its context's memory goes back before the batch context's comes
        chosen.update(_calibrate_by_generation(
            items, llama, get_batched(), opt, all_items, generic_mean, vectors, layer, todo,
            progress, should_stop))
        if "alone" in todo:
            alpha = chosen["alone"]["alpha"]
        if "with_texts" in todo:
            chosen["with_texts"]["steerx_alpha"] = alpha  # what the slider's changes scale
        timings["by_generation"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t_start
    _stage(progress, "done", 1.0)
    opts = asdict(opt)
    opts.pop("previous", None)
    return BuildReport(
        method=opt.method, layer=layer, alpha=alpha, auto_selected=auto, vectors=vectors,
        description=description, description_source=desc_source,
        preference_tokens=report_tokens, n_samples=n, item_keys=keys, n_new=len(new),
        n_generic_generated=n_generic, truncated=truncated, max_text_tokens=opt.max_text_tokens,
        selection=selection, timings={k: round(v, 3) for k, v in timings.items()}, notes=notes,
        options=opts, likelihood_alpha=likelihood_alpha, alone=chosen["alone"],
        with_texts=chosen["with_texts"],
    )


def _torch(load_torch: Callable[[], Any]) -> Any:
    """The torch runtime, with its CPU threads re-picked for the stage about to run."""
    trt = load_torch()
    if getattr(trt, "device", "cpu") == "cpu":
        use_work_threads_in_torch()
    return trt


def _piece(llama: LlamaRuntime, tok: int) -> str:
    return llama.llm.detokenize([tok]).decode("utf-8", errors="replace")


def _fold_vector(method: str, train: list[CachedItem], generic_mean: np.ndarray,
                 vectors: dict[str, np.ndarray], desc_weight: float) -> np.ndarray:
    """The method's vector from the training items of one fold only."""
    acts = [c.acts for c in train]
    if method == ProfileKind.STYLEVECTOR:
        return style_vector(acts, generic_mean)
    tok = sx.steerx_tokens_vector(acts, generic_mean)
    if tok is None:
        tok = style_vector(acts, generic_mean)
    return sx.combine(tok, vectors.get("description"), desc_weight)


def _calibrate_by_generation(items, llama, batched, opt, all_items, generic_mean, vectors,
                             layer, settings, progress, should_stop) -> dict[str, dict[str, Any]]:
    """The method's strength in each setting ("alone": the task's prompt only; "with_texts":
    after the user's other texts, those chat would retrieve): each text hidden in turn, a
    reply written to its prompt under each candidate strength of the vector built without
    it, scored against the hidden text."""
    from engine.methods import generation_calibration as gc
    from engine.methods.rag import pick_texts, prepare, rag_budget

    held: dict[str, list[gc.HeldOut]] = {name: [] for name in settings}
    if "with_texts" in held:  # embedded in a child process: no torch in the build's memory
        prepare([it.text for it in items] + [it.instruction for it in items])
    budget = rag_budget(llama.n_ctx, opt.reply_tokens)
    for train, ho in folds(len(items)):
        vec = _fold_vector(opt.method, [all_items[j] for j in train], generic_mean, vectors,
                           opt.desc_weight)
        for i in ho:
            if "alone" in held:
                prompt = llama.tokenize(chat_prefix(llama, items[i].instruction, opt.system))
                held["alone"].append(gc.HeldOut(prompt, vec, items[i].text))
            if "with_texts" in held:
                texts = [items[j].text for j in train]
                shown = pick_texts(items[i].instruction, texts, llama, budget).texts
                prompt = llama.tokenize(history_prompt(llama, items[i].instruction, shown,
                                                       opt.system))
                held["with_texts"].append(gc.HeldOut(prompt, vec, items[i].text))
    norm = gc.residual_norm([c.acts.user_mean for c in all_items], layer)
    _stage(progress, GENERATION_STAGE, 0.0)
    choices = gc.choose_per_setting(
        batched, llama.detokenize, held, layer, norm, should_stop=should_stop,
        progress=lambda f: _stage(progress, GENERATION_STAGE, f),
    )
    return {name: {"fraction": c.fraction,
                   "alpha": gc.scale_for(vectors[opt.method], layer, c.fraction, norm),
                   "selection": c.table, "held_out": c.n_held, "residual_norm": norm,
                   "layer": layer}
            for name, c in choices.items()}
