"""The personal profile: build it from the writing history, keep it, switch it on and off.

A profile is one row of the `profiles` table per method (StyleVector, SteerX):
the direction for every layer, the chosen layer and strength, the description
and the preference tokens. Its `vectors` column holds float32 rows of n_embd,
row i being layer i+1: the llama.cpp control-vector layout that the export
section (`assistant.data.sections.ProfileSection`) writes as GGUF.

Building writes nothing to the `profiles` table until it has finished: a cancel
(or a crash) leaves the previous profile exactly as it was. What the build
computed per sample (generic replies, token effects, activation differences)
is cached as it goes, so the next build, and a rebuild after new samples, only
redoes new samples.

Chat applies a profile through llama.cpp's control vector; this module imports
neither torch nor the builder at import time, so plain chat stays light.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select, update

from assistant.errors import UserError
from assistant.profile.store import (
    BuildCancelled,
    BuildOutcome,
    ProfileView,
    SqlGenericCache,
    SqlItemStore,
    profile_view,
    quiet_load_torch,
)
from assistant.settings import check_flag
from assistant.writing.history import HistoryService
from engine.errors import EngineError, GenerationCancelled
from engine.methods.generation_calibration import STAGE as GENERATION_STAGE
from store.models import Profile, utcnow

if TYPE_CHECKING:  # pragma: no cover
    from assistant.app import AppContext
    from engine.methods.profile_build import BuildReport
    from engine.runtime.llamacpp import LlamaRuntime
    from engine.steering.vectors import SteeringVector

log = logging.getLogger(__name__)

# How much of a build each stage takes (measured on 2 cores), for one progress bar.
STAGE_WEIGHTS = {
    "generic replies": 0.26,
    "token effects": 0.10,
    "activations": 0.18,
    "description": 0.08,
    "choosing layer and strength": 0.12,
    GENERATION_STAGE: 0.26,
}
ProgressFn = Callable[[float, str], None]
DPS_MAX_ITEMS = 20  # the most recent samples a DPS scan looks at (cost grows with each)
# A scan estimated (from its first texts) to take longer stops and says so: an hour of a
# user's machine for one advanced method is more than the app should take unasked.
DPS_MAX_SECONDS = 3600.0


# ---- the service ------------------------------------------------------------------------


class ProfileService:
    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.db = app.db

    # ---- reading ------------------------------------------------------------
    def _row(self, s, method: str | None) -> Profile | None:
        if method is not None:  # a kind of the registry (assistant.method_registry.kinds)
            return s.scalars(select(Profile).where(Profile.method == method)).first()
        active = s.scalars(select(Profile).where(Profile.active.is_(True))).first()
        if active is not None:
            return active
        return s.scalars(select(Profile).order_by(Profile.built_at.desc())).first()

    def get(self, method: str | None = None) -> ProfileView | None:
        """The named method's profile, or the active one, or the most recently built."""
        with self.db.session() as s:
            row = self._row(s, method)
            return profile_view(row) if row is not None else None

    def require(self, method: str | None = None) -> ProfileView:
        view = self.get(method)
        if view is None:
            raise _missing(method)
        return view

    def active_method(self) -> str | None:
        with self.db.session() as s:
            row = s.scalars(select(Profile).where(Profile.active.is_(True))).first()
            return row.method if row is not None else None

    def vector(self, method: str | None = None) -> tuple[ProfileView, np.ndarray]:
        """The profile and its directions, indexed by layer: (n_layer, n_embd)."""
        view, sv = self.steering_vector(method)
        return view, sv.layer_array()

    def steering_vector(self, method: str | None = None) -> tuple[ProfileView, SteeringVector]:
        """The profile as a `SteeringVector` bound to the model it was built for."""
        from engine.steering.vectors import SteeringVector

        with self.db.session() as s:
            row = self._row(s, method)
            if row is None:
                raise _missing(method)
            view = profile_view(row)
            sv = SteeringVector.from_rows(
                row.vectors, row.n_layer, row.n_embd,
                architecture=view.meta.get("architecture", ""),
                fingerprint=view.model_fingerprint, model_name=view.model,
                meta={"method": view.method, "layer": view.layer, "alpha": view.alpha},
            )
        return view, sv

    # ---- changing ---------------------------------------------------------------
    def set_active(self, on: bool, method: str | None = None) -> ProfileView | None:
        with self.db.session() as s:
            if not on:
                s.execute(update(Profile).values(active=False))
                return None
            row = self._row(s, method)
            if row is None:
                raise _missing(method)
            s.execute(update(Profile).values(active=False))
            row.active = True
            s.flush()
            return profile_view(row)

    def set_description(self, text: str, method: str | None = None) -> ProfileView:
        """Store the user's wording; the next build uses it instead of writing its own."""
        if not text.strip():
            raise UserError("The description is empty; give some text, or --reset.")
        return self._edit(method, description=text.strip(), description_edited=True)

    def reset_description(self, method: str | None = None) -> ProfileView:
        """Let the next build write the description again."""
        return self._edit(method, description_edited=False)

    def set_strength(
        self, method: str | None = None, *, layer: int | None = None, alpha: float | None = None
    ) -> ProfileView:
        with self.db.session() as s:
            row = self._row(s, method)
            if row is None:
                raise _missing(method)
            if layer is not None:
                if not 1 <= layer < row.n_layer:
                    raise UserError(f"The layer must be between 1 and {row.n_layer - 1}.")
                row.layer = layer
            if alpha is not None:
                row.alpha = check_flag("alpha", alpha)
            row.meta = {**(row.meta or {}), "auto_selected": False}
            s.flush()
            return profile_view(row)

    def _edit(self, method: str | None, **values: Any) -> ProfileView:
        with self.db.session() as s:
            row = self._row(s, method)
            if row is None:
                raise _missing(method)
            for k, v in values.items():
                setattr(row, k, v)
            s.flush()
            return profile_view(row)

    def export_cvec(self, out: str | Path, method: str | None = None, *,
                    all_layers: bool = False) -> Path:
        """Write the profile as a llama.cpp control vector.

        By default the file holds exactly what chat applies (alpha times the
        direction at the chosen layer), so `llama-cli --control-vector FILE`
        reproduces it; `all_layers` writes every layer's unscaled direction.
        """
        from engine.steering.vectors import SteeringVector

        view, sv = self.steering_vector(method)
        if not all_layers:
            sv = SteeringVector(
                directions={view.layer: sv.directions[view.layer] * np.float32(view.alpha)},
                architecture=sv.architecture, n_embd=sv.n_embd, n_layer=sv.n_layer,
                fingerprint=sv.fingerprint, model_name=sv.model_name, meta=sv.meta,
            )
        path = Path(out).expanduser()
        try:
            return sv.save(path)
        except OSError as exc:
            raise UserError(f"Cannot write {path}: {exc.strerror or exc}") from exc

    # ---- building (the build steps of assistant.profile.kinds) -----------------------
    def build_vector(
        self,
        method: str,
        *,
        layer: int | None = None,
        alpha: float | None = None,
        tau: float | None = None,
        model_flag: str | None = None,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> BuildOutcome:
        """Build (or incrementally rebuild) a one-vector profile (StyleVector, SteerX: the
        kind `method`) and make it the active one. `assistant.method_registry.build_profile` calls
        this for those kinds, with `alpha` and `tau` checked."""
        samples = HistoryService(self.db).writing()
        if not samples:
            raise UserError(
                "Your writing history is empty, so there is nothing to learn from. Add your "
                "own texts with 'assistant history add FILE' or --text, or chat a little first."
            )
        from assistant.writing.edits import profile_items
        from engine.methods.profile_build import (
            MIN_ITEMS,
            BuildOptions,
            NotEnoughHistory,
            build_profile,
        )

        if len(samples) < MIN_ITEMS:
            raise UserError(
                f"A profile needs at least {MIN_ITEMS} writing samples; you have "
                f"{len(samples)}. Add {MIN_ITEMS - len(samples)} more with 'assistant history add'."
            )
        runtime = self.app.runtime(model_flag)
        info = runtime.info
        items = profile_items(self.db, samples)  # an edited sample brings its model text
        if layer is not None and not 1 <= layer < info.n_layer:
            raise UserError(f"The layer must be between 1 and {info.n_layer - 1}.")
        store = SqlItemStore(self.db, info.fingerprint)
        device = self.app.settings.device
        # llama.cpp reads the states on the quantized weights (CPU, or the GPU it was built
        # for); torch only where the user named a GPU for it, in half precision there.
        opts = BuildOptions(method=method, layer=layer, alpha=alpha,
                            system=self.app.settings.system_prompt or BuildOptions.system,
                            reader="torch" if device.startswith(("cuda", "mps")) else "llama",
                            reply_tokens=self.app.settings.max_tokens)
        if tau is not None:
            opts.tau = tau
        previous = self._previous(method, info.fingerprint)
        opts.description = previous.pop("edited_description", None)
        if previous.pop("fixed", False) and layer is None and alpha is None:
            opts.layer, opts.alpha = previous["layer"], previous["alpha"]
        opts.previous = previous
        choice = self.app.model_choice(model_flag)

        def load_torch():
            return quiet_load_torch(choice.path, device)

        stages = list(STAGE_WEIGHTS)

        def on_stage(stage: str, frac: float) -> None:
            if progress is None:
                return
            if stage == "done":
                progress(1.0, "done")
                return
            i = stages.index(stage) if stage in stages else 0
            done = sum(STAGE_WEIGHTS[x] for x in stages[:i])
            progress(min(0.999, done + STAGE_WEIGHTS.get(stage, 0.0) * frac), stage)

        should_stop = cancel.is_set if cancel is not None else None
        try:
            report = build_profile(
                items, runtime, load_torch, SqlGenericCache(self.db, info.fingerprint), store,
                opts, progress=on_stage, should_stop=should_stop,
            )
        except NotEnoughHistory as exc:
            raise UserError(str(exc)) from exc
        except GenerationCancelled as exc:
            raise BuildCancelled(
                "The build was cancelled; your previous profile is unchanged."
            ) from exc
        except EngineError as exc:
            raise UserError(str(exc)) from exc
        view = self._save(report, runtime, opts)
        log.info("profile %s built from %d samples (%d new) in %.1f s", method,
                 report.n_samples, report.n_new, report.timings.get("total", 0.0))
        return BuildOutcome(view, report.n_new, report.n_generic_generated,
                            report.timings.get("total", 0.0), report.timings, report.notes,
                            report.selection)

    def _require_dps_fits(self, model_flag: str | None) -> None:
        """Refuse DPS, before torch loads anything, where the model's torch copy would not
        fit the memory this computer has free (engine.runtime.torch_budget)."""
        from engine.runtime.gguf_info import read_gguf_info
        from engine.runtime.torch_budget import require_torch_fits
        from engine.runtime.torch_device import pick_device

        try:
            info = read_gguf_info(self.app.model_choice(model_flag).path)
            require_torch_fits(info, pick_device(self.app.settings.device), "DPS")
        except EngineError as exc:
            raise UserError(str(exc)) from exc

    def dps_runtime(self, model_flag: str | None = None):
        """The torch runtime DPS scans and decodes with (device from the settings)."""
        choice = self.app.model_choice(model_flag)
        return quiet_load_torch(choice.path, self.app.settings.device)

    def _generic_replies(self, samples, model_flag: str | None, should_stop) -> list[str]:
        """The model's own reply to each sample's prompt (what DPS contrasts the user's text
        with), from the cache SteerX's builds fill, generated in a batch where missing."""
        from engine.methods.generic_replies import ProfileItem, generic_responses
        from engine.runtime.batched import BatchedLlama

        runtime = self.app.runtime(model_flag)
        cache = SqlGenericCache(self.db, runtime.info.fingerprint)
        instructions = [ProfileItem(text=x.text, prompt=x.prompt).instruction for x in samples]
        with BatchedLlama(runtime) as bl:
            replies, _n = generic_responses(runtime, bl, instructions, cache,
                                            should_stop=should_stop)
        return replies

    def build_dps(self, method: str, *, model_flag: str | None, progress: ProgressFn | None,
                  cancel: threading.Event | None, max_items: int = DPS_MAX_ITEMS,
                  **scan_options: Any) -> BuildOutcome:
        """Scan the heads over the user's most recent texts and keep the top ones (the
        profile of kind `method`: DPS).

        Nothing is cached per sample: the scores depend on every item at once
        (each head's mean over all of them), and a scan takes minutes, not hours.
        """
        from engine.methods import dps

        samples = HistoryService(self.db).writing()
        if len(samples) < 2:
            raise UserError(
                f"DPS needs at least 2 writing samples; you have {len(samples)}. Add more "
                "with 'assistant history add'."
            )
        samples = samples[-max_items:]
        self._require_dps_fits(model_flag)
        trt = self.dps_runtime(model_flag)

        def on_progress(frac: float, stage: str) -> None:
            if progress is not None:
                progress(min(0.999, 0.2 + 0.8 * frac), stage)

        should_stop = cancel.is_set if cancel is not None else None
        pairs = [(x.prompt or "", x.text) for x in samples]
        try:
            if progress is not None:
                progress(0.0, "generic replies")
            others = self._generic_replies(samples, model_flag, should_stop)
            if progress is not None:
                progress(0.1, "ranking heads")
            items = dps.prepare_items(trt, pairs)
            reference = dps.reference_items(trt, pairs, others)
            scan = dps.scan_heads(trt, items, progress=on_progress, should_stop=should_stop,
                                  reference=reference, max_seconds=DPS_MAX_SECONDS,
                                  **scan_options)
        except dps.ScanTooSlow as exc:
            raise UserError(
                f"DPS would take about {exc.estimate_s / 60:.0f} minutes on this computer "
                f"for your {len(items)} most recent texts (timed on the first "
                f"{min(exc.measured, len(items))}), so it stopped; your previous profile is "
                "unchanged. A GPU (CUDA, or Apple's Metal through torch) runs it in minutes; "
                "a smaller model also does.") from exc
        except GenerationCancelled as exc:
            raise BuildCancelled(
                "The build was cancelled; your previous profile is unchanged."
            ) from exc
        heads = scan.top(dps.DEFAULT_FRACTION)
        info = trt.info
        desc = "Preference heads (layer.head): " + ", ".join(
            f"{h['layer']}.{h['head']}" for h in heads)
        meta = {"architecture": info.architecture, "auto_selected": True, "heads": heads,
                "gamma": None, "n_head": trt.n_head, "n_layer": trt.n_layer, "scan": scan.mode,
                "base_nll": round(scan.base_nll, 4), "timings": {"total": scan.seconds},
                "contrast": "the model's own replies to the same prompts",
                "notes": [], "n_items": len(items)}
        with self.db.session() as s:
            s.execute(update(Profile).values(active=False))
            row = s.scalars(select(Profile).where(Profile.method == method)).first()
            if row is None:
                row = Profile(method=method)
                s.add(row)
            row.model_name, row.model_fingerprint = info.name, info.fingerprint
            row.n_layer, row.n_embd = info.n_layer, info.n_embd
            row.layer, row.alpha = 0, 0.0
            row.description, row.description_edited = desc, False
            row.preference_tokens, row.n_samples, row.item_hashes = [], len(samples), []
            row.vectors = np.zeros((info.n_layer, info.n_embd), dtype="<f4").tobytes()
            row.active, row.built_at, row.meta = True, utcnow(), meta
            s.flush()
            view = profile_view(row)
        if progress is not None:
            progress(1.0, "done")
        return BuildOutcome(view, len(samples), 0, scan.seconds, {"total": scan.seconds}, [],
                            [])

    def _previous(self, method: str, fingerprint: str) -> dict[str, Any]:
        """What an incremental rebuild may keep from the last build of this method."""
        with self.db.session() as s:
            row = s.scalars(select(Profile).where(Profile.method == method)).first()
            if row is None:
                return {}
            prev: dict[str, Any] = {}
            if row.description_edited and row.description.strip():
                prev["edited_description"] = row.description
            if row.model_fingerprint != fingerprint:
                return prev
            meta = row.meta or {}
            if meta.get("auto_selected", True) is False:
                prev["fixed"] = True  # the user set layer/alpha by hand: keep them
            prev.update(layer=row.layer, alpha=row.alpha, description=row.description,
                        likelihood_alpha=meta.get("likelihood_alpha"),
                        alone=meta.get("alone"), with_texts=meta.get("with_texts"))
        return prev

    def _save(self, report: BuildReport, runtime: LlamaRuntime, opts) -> ProfileView:
        info = runtime.info
        meta = {
            "architecture": info.architecture,
            "auto_selected": report.auto_selected,
            "likelihood_alpha": report.likelihood_alpha,
            "alone": report.alone,
            "with_texts": report.with_texts,
            "description_source": report.description_source,
            "selection": report.selection,
            "timings": report.timings,
            "notes": report.notes,
            "options": {k: v for k, v in report.options.items() if k != "description"},
            "truncated": report.truncated,
        }
        json.dumps(meta)  # fail here, not inside the transaction, if something is not JSON
        with self.db.session() as s:
            s.execute(update(Profile).values(active=False))
            row = s.scalars(select(Profile).where(Profile.method == report.method)).first()
            edited = bool(row is not None and row.description_edited and
                          report.description_source == "edited")
            if row is None:
                row = Profile(method=report.method)
                s.add(row)
            row.model_name = info.name
            row.model_fingerprint = info.fingerprint
            row.n_layer = info.n_layer
            row.n_embd = info.n_embd
            row.layer = report.layer
            row.alpha = report.alpha
            row.description = report.description
            row.description_edited = edited
            row.preference_tokens = report.preference_tokens
            row.n_samples = report.n_samples
            row.item_hashes = report.item_keys
            row.vectors = _rows(report.vector)
            row.active = True
            row.built_at = utcnow()
            row.meta = meta
            s.flush()
            return profile_view(row)


def _missing(method: str | None) -> UserError:
    what = f"No {method} profile" if method else "No profile"
    return UserError(
        f"{what} yet. Build one with 'assistant profile build --method {method or 'steerx'}'."
    )


def _rows(vector: np.ndarray) -> bytes:
    """A builder's layer-indexed vector in the stored layout (SteeringVector owns it)."""
    from engine.steering.vectors import SteeringVector

    return SteeringVector.from_layers(vector).rows()
