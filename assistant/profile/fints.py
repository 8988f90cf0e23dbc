"""Fints in the app: build the per-item bank into SQLite, apply it per request.

Kept apart from `assistant.profile.service` because Fints is not one vector but a
bank of per-item interventions picked per request: the per-item vectors live in
the existing `profile_item_cache` table (keyed by item hash, model and a Fints
config tag, so a rebuild computes only new items), and the `profiles` row for
method "fints" holds the settings (layers, k, temperature, the strength chosen by
generation as a fraction of the residual norm, `engine.methods.fints_strength`), the item keys
and, as its `vectors`, the items' mean intervention (what an export would use).
No new table, so no migration.

Chat (`fints`, `steerx+fints` or `rag+fints`) embeds the request, which imports
sentence-transformers (and so torch); plain chat never reaches this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from assistant.errors import UserError
from engine.methods.kinds import ProfileKind
from store import Database
from store.models import ProfileItemCache

if TYPE_CHECKING:  # pragma: no cover
    from engine.methods.fints import FintsBank, FintsChoice, FintsItem
    from engine.steering.vectors import Steering



class SqlFintsStore:
    """Per-item Fints vectors for one model in `profile_item_cache`."""

    def __init__(self, db: Database, fingerprint: str) -> None:
        self.db = db
        self.fp = fingerprint

    def get_many(self, keys: Sequence[str], config: str) -> dict[str, FintsItem]:
        from engine.methods.fints import FintsItem

        out: dict[str, FintsItem] = {}
        with self.db.session() as s:
            for start in range(0, len(keys), 500):
                q = select(ProfileItemCache).where(
                    ProfileItemCache.model_fingerprint == self.fp,
                    ProfileItemCache.config == config,
                    ProfileItemCache.item_hash.in_(list(keys[start : start + 500])),
                )
                out.update({r.item_hash: FintsItem.from_bytes(r.data) for r in s.scalars(q)})
        return out

    def put(self, key: str, config: str, item: FintsItem) -> None:
        with self.db.session() as s:
            s.merge(ProfileItemCache(item_hash=key, model_fingerprint=self.fp, config=config,
                                     effects={"method": ProfileKind.FINTS.value},
                                     data=item.to_bytes()))


def fints_settings(view) -> dict[str, Any]:
    """The Fints settings stored with the profile (what `profile show --json` lists)."""
    return dict((view.meta or {}).get("fints", {})) if view is not None else {}


def build(svc, *, layer: int | None = None, alpha: float | None = None,
          model_flag: str | None = None, progress=None, cancel=None):
    """Build (or incrementally rebuild) the Fints bank; returns the service's BuildOutcome.

    Unless the user gives `alpha` (a fixed multiplier of the mixed vectors, as the paper
    has it), the strength is chosen on the user's own texts by generation; a rebuild that
    adds at most a tenth new items keeps the strength it chose before, as SteerX's does.
    """
    import time

    from assistant.profile.store import (
        BuildCancelled,
        BuildOutcome,
        SqlGenericCache,
    )
    from assistant.writing.edits import profile_items
    from assistant.writing.history import HistoryService
    from engine.errors import EngineError, GenerationCancelled
    from engine.methods import fints as F
    from engine.methods import generation_calibration as gc
    from engine.methods.generic_replies import PROFILE_SYSTEM
    from engine.runtime.batched import BatchedLlama

    samples = HistoryService(svc.db).writing()
    if len(samples) < 2:
        raise UserError("Fints needs at least 2 writing samples; add more with "
                        "'assistant history add'.")
    runtime = svc.app.runtime(model_flag)
    info = runtime.info
    if layer is not None and not 1 <= layer < info.n_layer:
        raise UserError(f"The layer must be between 1 and {info.n_layer - 1}.")
    # What the user set by hand (`profile set`) is kept by a plain rebuild, as for SteerX:
    # the layer, and the alpha that multiplies the chosen strength.
    before = svc.get(ProfileKind.FINTS)
    by_hand = (before is not None and (before.meta or {}).get("auto_selected") is False
               and layer is None and alpha is None and before.model_fingerprint == info.fingerprint)
    if by_hand:
        layer = before.layer
    layers = [layer] if layer is not None else F.default_layers(info.n_layer)
    system = svc.app.settings.system_prompt or PROFILE_SYSTEM
    items = profile_items(svc.db, samples)
    t0 = time.perf_counter()

    shares = {"generic replies": (0.0, 0.4), "activations": (0.4, 0.2),
              gc.STAGE: (0.6, 0.4)}

    def on_stage(stage: str, frac: float) -> None:
        if progress is not None and stage != "done":
            share = shares.get(stage)
            progress(share[0] + share[1] * frac if share else 0.0, stage)

    previous = fints_settings(before).get("strength")
    should_stop = cancel.is_set if cancel is not None else None
    try:
        bank, n_new, n_gen = F.build_bank(
            items, runtime, SqlGenericCache(svc.db, info.fingerprint),
            SqlFintsStore(svc.db, info.fingerprint),
            layers=layers, system=system, progress=on_stage, should_stop=should_stop)
        t_build = time.perf_counter() - t0
        strength = None
        # A hand-set alpha of the paper's kind (no chosen strength) stays that kind.
        if alpha is None and not (by_hand and previous is None):
            incremental = n_new <= max(1, len(bank) // 10)
            if (previous and incremental and previous.get("layer") == bank.layers[0]
                    and "with_texts" in previous):  # older builds chose it alone only
                strength = previous
            else:
                with BatchedLlama(runtime) as batched:
                    strength = choose_strength_for(runtime, batched, bank, items, system,
                                                   lambda f: on_stage(gc.STAGE, f),
                                                   should_stop,
                                                   reply_tokens=svc.app.settings.max_tokens)
    except GenerationCancelled as exc:
        raise BuildCancelled("The build was cancelled; your previous profile is unchanged.") \
            from exc
    except EngineError as exc:
        raise UserError(str(exc)) from exc
    if progress is not None:
        progress(1.0, "done")
    seconds = time.perf_counter() - t0
    vec = bank.mean_layer_array(info.n_layer)
    settings = {"layers": bank.layers, "k": F.DEFAULT_K, "temperature": F.DEFAULT_TEMPERATURE,
                # With a strength chosen by generation, alpha multiplies it (1: as chosen);
                # without, it multiplies the mixed vectors themselves.
                "alpha": (before.alpha if by_hand else
                          F.DEFAULT_ALPHA if alpha is None else float(alpha)),
                **({"strength": strength} if strength is not None else {}),
                "config": F.config_tag(bank.layers, system), "embedder": F.EMBEDDER,
                "injection": {"torch": "attention output then MLP output, every position",
                              "llama.cpp": "attn+mlp delta on the residual of that layer"},
                "n_items": len(bank)}
    from engine.steering.vectors import SteeringVector

    rows = SteeringVector.from_layers(vec).rows()
    view = _save(svc, runtime, bank.layers[0], settings, rows, len(items), bank.keys,
                 auto=not by_hand and alpha is None and layer is None)
    timings = {"bank": round(t_build, 2), "total": round(seconds, 2)}
    return BuildOutcome(view, n_new, n_gen, seconds, timings, [], [])


def choose_strength_for(runtime, batched, bank, items, system, progress=None,
                        should_stop=None, *, reply_tokens: int) -> dict[str, Any]:
    """Fints' strength for this user (engine.methods.fints_strength), alone on the chat
    prompt every item's reply would be written after, and for `rag+fints` on that prompt
    with the user's other texts in it, picked and cut as chat picks and cuts them for a
    reply of `reply_tokens` (engine.methods.rag.pick_texts)."""
    from engine.methods import fints as F
    from engine.methods.fints_strength import choose_strength
    from engine.methods.generic_replies import chat_prefix
    from engine.methods.profile_build import history_prompt
    from engine.methods.rag import pick_texts, prepare, rag_budget

    prompts = [runtime.tokenize(chat_prefix(runtime, it.instruction, system)) for it in items]
    queries = F.embed_texts([it.instruction for it in items])
    prepare([it.text for it in items] + [it.instruction for it in items])  # torch stays out
    budget = rag_budget(runtime.n_ctx, reply_tokens)

    def with_texts_prompt(i: int) -> list[int]:
        others = [it.text for j, it in enumerate(items) if j != i]
        shown = pick_texts(items[i].instruction, others, runtime, budget).texts
        return runtime.tokenize(history_prompt(runtime, items[i].instruction, shown, system))

    return choose_strength(bank, prompts, queries, [it.text for it in items], batched,
                           runtime.detokenize, runtime.info.n_layer, progress=progress,
                           should_stop=should_stop, with_texts_prompt=with_texts_prompt)


def _save(svc, runtime, layer: int, settings: dict, vectors: bytes, n_samples: int,
          keys: list[str], *, auto: bool = True):
    """Write the `profiles` row for fints and make it the active one (as other builds do)."""
    from sqlalchemy import update

    from assistant.profile.store import profile_view
    from store.models import Profile, utcnow

    info = runtime.info
    with svc.db.session() as s:
        s.execute(update(Profile).values(active=False))
        row = s.scalars(select(Profile).where(Profile.method == ProfileKind.FINTS.value)).first()
        if row is None:
            row = Profile(method=ProfileKind.FINTS.value)
            s.add(row)
        row.model_name, row.model_fingerprint = info.name, info.fingerprint
        row.n_layer, row.n_embd = info.n_layer, info.n_embd
        row.layer, row.alpha = layer, float(settings["alpha"])
        row.description, row.description_edited, row.preference_tokens = "", False, []
        row.n_samples, row.item_hashes, row.vectors = n_samples, list(keys), vectors
        row.active, row.built_at = True, utcnow()
        row.meta = {"fints": settings, "auto_selected": auto,
                    "architecture": info.architecture}
        s.flush()
        return profile_view(row)


def load_bank(svc, fingerprint: str) -> FintsBank:
    """The stored bank for the model (raises a UserError saying how to build it)."""
    from engine.methods.fints import FintsBank

    view = svc.get(ProfileKind.FINTS)
    if view is None:
        raise UserError("No fints profile yet. Build one with "
                        "'assistant profile build --method fints'.")
    if view.model_fingerprint != fingerprint:
        raise UserError(f"Your fints profile was built for the model '{view.model}'. Rebuild it "
                        "with 'assistant profile build --method fints'.")
    st = fints_settings(view)
    with svc.db.session() as s:
        from store.models import Profile

        row = s.scalars(select(Profile).where(Profile.method == ProfileKind.FINTS.value)).first()
        keys = list(row.item_hashes or [])
    found = SqlFintsStore(svc.db, fingerprint).get_many(keys, st["config"])
    keys = [k for k in keys if k in found]
    if not keys:
        raise UserError("The fints profile's items are gone; rebuild it.")
    return FintsBank.from_items(st["layers"], keys, [found[k] for k in keys])


def choose_for(svc, runtime, text: str) -> tuple[FintsChoice, dict[str, Any]]:
    from engine.methods.fints import embed_texts

    bank = load_bank(svc, runtime.info.fingerprint)
    st = fints_settings(svc.get(ProfileKind.FINTS))
    ch = bank.choose(embed_texts([text])[0], k=int(st.get("k", 5)),
                     temperature=float(st.get("temperature", 0.1)))
    # `profile set --alpha` edits the row
    return ch, st | {"alpha": svc.get(ProfileKind.FINTS).alpha}


def request_alpha(choice: FintsChoice, settings: dict[str, Any], scale: float = 1.0, *,
                  with_texts: bool = False) -> float:
    """The multiplier of this request's mixed vector: the chosen fraction of the residual
    norm turned into a multiplier of *this* vector, times the row's alpha (the user's
    change) and `scale`; without a chosen strength, the row's alpha itself. `with_texts`:
    the fraction chosen with the user's texts in the prompt (`rag+fints`)."""
    alpha = float(settings.get("alpha", 1.0)) * scale
    strength = settings.get("strength")
    if with_texts:
        if not strength or "with_texts" not in strength:
            raise UserError("Your Fints profile has no strength chosen with your texts in the "
                            "prompt yet. Rebuild it with 'assistant profile build --method "
                            "fints' (without --alpha).")
        fraction = float(strength["with_texts"]["fraction"])
    elif strength is None:
        return alpha
    else:
        fraction = float(strength["fraction"])
    return alpha * choice.alpha_for(fraction, float(strength["residual_norm"]))


def request_steering(svc, runtime, text: str, stack: Steering | None = None, *,
                     scale: float = 1.0, with_texts: bool = False,
                     ) -> tuple[Steering, list[dict[str, Any]]]:
    """How to steer `runtime` for this one request, and the items used with their weights.

    `stack` (SteerX's steering for `steerx+fints`) is added to the Fints one: both are
    residual additions in llama.cpp, so stacking is a sum. A strength chosen by
    generation was chosen steering generated positions only, so it is applied so.
    `with_texts`: the request's prompt holds the user's texts (`rag+fints`), so the
    strength chosen that way.
    """
    ch, st = choose_for(svc, runtime, text)
    steering = ch.steering(runtime.info.n_layer,
                           request_alpha(ch, st, scale, with_texts=with_texts),
                           generated_only="strength" in st)
    if stack is not None:  # assistant.method_registry checked the SteerX profile's model
        steering = steering.plus(stack)
    return steering, ch.explain()


class FintsEvalMethod:
    """`fints`, `steerx+fints` and `rag+fints` as evaluation plug-ins
    (assistant.evaluation.service).

    The row's bank is built with the same `build_bank` the app uses, into the
    eval cache database; each task then picks its own items, as chat does.
    """

    def __init__(self, gen, builds, *, name: str, stack: str | None = None,
                 rag_prompt=None) -> None:
        self.gen = gen
        self.builds = builds
        self.stack = stack  # the profile kind summed with Fints (steerx+fints), if any
        # rag+fints: (history, task) -> the task with the user's texts, as the eval's rag
        self.rag_prompt = rag_prompt
        self.with_rag = rag_prompt is not None
        self.name = name
        self.uses_history = True
        self._banks: dict[tuple, Any] = {}  # per history: the other-user control reuses them

    def prepare(self, history):
        from engine.methods import fints as F
        from engine.methods.generic_replies import PROFILE_SYSTEM, ProfileItem

        key = tuple((h.prompt, h.text) for h in history)
        if key not in self._banks:
            b = self.builds
            items = [ProfileItem(text=h.text, prompt=h.prompt) for h in history]
            bank, _, _ = F.build_bank(
                items, b.runtime, b.generic_cache,
                SqlFintsStore(b.db, b.runtime.info.fingerprint), batched=b.batched)
            strength = choose_strength_for(b.runtime, b.batched, bank, items, PROFILE_SYSTEM,
                                           reply_tokens=self.gen.sampling.max_tokens)
            self._banks[key] = bank, strength
        steerx = self.builds.get(history, self.stack) if self.stack else None
        return (*self._banks[key], steerx, history)

    def steering_strength(self, state) -> float:
        """The fraction of the residual norm chosen for this user (0: steering off); the
        multiplier itself differs per request with the items mixed."""
        _bank, strength, _steerx, _history = state
        if not strength:
            return 1.0  # no strength chosen: the paper's fixed alpha of 1
        part = strength.get("with_texts") if self.with_rag else strength
        return float((part or {}).get("fraction") or 0.0)

    def generate(self, state, task: str, seed: int) -> str:
        from engine.methods.fints import embed_texts

        bank, strength, steerx, history = state
        ch = bank.choose(embed_texts([task])[0])
        settings = {"alpha": 1.0} | ({"strength": strength} if strength else {})
        steering = ch.steering(self.gen.runtime.info.n_layer,
                               request_alpha(ch, settings, with_texts=self.with_rag),
                               generated_only=strength is not None)
        if steerx is not None:
            steering = steering.plus(steerx.steering())
        user = self.rag_prompt(history, task) if self.with_rag else task
        return self.gen.reply(user, seed, steering)
