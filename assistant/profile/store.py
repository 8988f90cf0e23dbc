"""The profile's persistence: SQLite caches a build fills, the view of a stored profile,
(the row layout its vectors are kept in is `engine.steering.vectors.SteeringVector`'s).

Shared by `assistant.profile.service` (steering profiles, DPS) and
`assistant.profile.fints` (the Fints bank), so that neither imports the other's
private names: the build services depend on this module, never on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from assistant.errors import UserError
from store import Database
from store.models import GenericResponse, Profile, ProfileItemCache

if TYPE_CHECKING:  # pragma: no cover
    from engine.methods.profile_build import CachedItem

class BuildCancelled(UserError):
    """The user stopped a build; the previous profile is untouched."""


# ---- caches in SQLite ---------------------------------------------------------------


class SqlGenericCache:
    """Generic replies for one model, one row per prompt (committed one by one)."""

    def __init__(self, db: Database, fingerprint: str) -> None:
        self.db = db
        self.fp = fingerprint

    def get_many(self, hashes: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        with self.db.session() as s:
            for start in range(0, len(hashes), 500):
                chunk = list(hashes[start : start + 500])
                q = select(GenericResponse).where(
                    GenericResponse.model_fingerprint == self.fp,
                    GenericResponse.prompt_hash.in_(chunk),
                )
                out.update({r.prompt_hash: r.text for r in s.scalars(q)})
        return out

    def put(self, prompt_hash: str, text: str) -> None:
        with self.db.session() as s:
            s.merge(GenericResponse(prompt_hash=prompt_hash, model_fingerprint=self.fp, text=text))


class SqlItemStore:
    """Per-sample results of a build (token effects, activation differences) for one model."""

    def __init__(self, db: Database, fingerprint: str) -> None:
        self.db = db
        self.fp = fingerprint

    def get_many(self, keys: Sequence[str], config: str) -> dict[str, CachedItem]:
        from engine.methods.profile_build import CachedItem
        from engine.methods.stylevector import ItemActivations

        out: dict[str, CachedItem] = {}
        with self.db.session() as s:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                q = select(ProfileItemCache).where(
                    ProfileItemCache.model_fingerprint == self.fp,
                    ProfileItemCache.config == config,
                    ProfileItemCache.item_hash.in_(chunk),
                )
                for r in s.scalars(q):
                    out[r.item_hash] = CachedItem(
                        list(r.effects["tokens"]),
                        np.asarray(r.effects["deltas"], dtype=np.float32),
                        ItemActivations.from_bytes(r.data),
                    )
        return out

    def put(self, key: str, config: str, item: CachedItem) -> None:
        effects = {"tokens": [int(t) for t in item.tokens],
                   "deltas": [round(float(d), 4) for d in item.deltas]}
        with self.db.session() as s:
            s.merge(ProfileItemCache(item_hash=key, model_fingerprint=self.fp, config=config,
                                     effects=effects, data=item.acts.to_bytes()))

    def get_array(self, key: str, config: str) -> np.ndarray | None:
        """A cached array that is not a sample's (the description contrast)."""
        with self.db.session() as s:
            r = s.get(ProfileItemCache, (key, self.fp, config))
            if r is None:
                return None
            return np.load(_bytes_io(r.data))

    def put_array(self, key: str, config: str, arr: np.ndarray) -> None:
        buf = _bytes_io()
        np.save(buf, arr.astype(np.float32))
        with self.db.session() as s:
            s.merge(ProfileItemCache(item_hash=key, model_fingerprint=self.fp, config=config,
                                     effects={}, data=buf.getvalue()))


def _bytes_io(data: bytes | None = None):
    import io

    return io.BytesIO(data) if data is not None else io.BytesIO()


# ---- views --------------------------------------------------------------------------


_SHOWN_META = ("fints",)  # stored settings `profile show --json` lists as they are


@dataclass
class ProfileView:
    method: str
    layer: int
    alpha: float
    description: str
    description_edited: bool
    preference_tokens: list[dict]
    n_samples: int
    model: str
    model_fingerprint: str
    built_at: str
    active: bool
    meta: dict[str, Any] = field(default_factory=dict)

    def steering_off(self) -> str:
        """One sentence when the build's own calibration switched steering off (strength 0),
        saying what would change it; "" when it steers (or the strength was set by hand).
        Only a one-vector build (StyleVector, SteerX) chooses a strength "alone"."""
        alone = self.meta.get("alone") or {}
        if not alone or alone.get("fraction", 1) != 0 or self.alpha != 0:
            return ""
        held = alone.get("held_out") or self.n_samples
        with_texts = self.meta.get("with_texts") or {}
        tail = (f"; with your texts in the prompt it still steers at "
                f"{with_texts['fraction']:.1%} of the model's activation size"
                if with_texts.get("fraction") else "")
        return (f"Steering is off: on {held} of your {self.n_samples} texts, written again "
                f"at each strength, no strength came closer to what you wrote than none"
                f"{tail}; more texts, or longer ones, give the next build more of your "
                "voice to find.")

    def as_dict(self, top: int = 10) -> dict[str, Any]:
        return {
            "method": self.method,
            "layer": self.layer,
            "alpha": self.alpha,
            "description": self.description,
            "description_edited": self.description_edited,
            "preference_tokens": self.preference_tokens[:top],
            "n_samples": self.n_samples,
            "model": self.model,
            "model_fingerprint": self.model_fingerprint,
            "built_at": self.built_at,
            "active": self.active,
            "auto_selected": bool(self.meta.get("auto_selected")),
            "steering_off": self.steering_off() or None,
            # What a kind's build stored beyond the common columns: DPS its preference
            # heads and gamma, Fints its settings.
            **({"heads": list(self.meta["heads"]), "gamma": self.meta.get("gamma")}
               if self.meta.get("heads") is not None else {}),
            **{key: self.meta[key] for key in _SHOWN_META if key in self.meta},
        }


def profile_view(row: Profile) -> ProfileView:
    return ProfileView(
        row.method, row.layer, row.alpha, row.description, bool(row.description_edited),
        list(row.preference_tokens or []), row.n_samples, row.model_name, row.model_fingerprint,
        row.built_at.isoformat(timespec="seconds"), bool(row.active), dict(row.meta or {}),
    )


@dataclass
class BuildOutcome:
    profile: ProfileView
    n_new: int
    n_generic_generated: int
    seconds: float
    timings: dict[str, float]
    notes: list[str]
    selection: list[dict]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.profile.as_dict(),
            "n_new": self.n_new,
            "n_generic_generated": self.n_generic_generated,
            "seconds": round(self.seconds, 2),
            "timings": self.timings,
            "notes": self.notes,
        }


def quiet_load_torch(path: Path, device: str):
    """The torch runtime for building, without transformers' per-tensor progress bars on
    stderr (the build shows its own)."""
    import functools

    import transformers.modeling_gguf_pytorch_utils as gguf_utils

    from assistant.paths import machine_cache_dir
    from engine.runtime.torch_runtime import load_torch_runtime

    bar = gguf_utils.tqdm
    gguf_utils.tqdm = functools.partial(bar, disable=True)
    try:
        # The dequantized weights are the model's, nothing of the user's: they are kept
        # in the machine's cache folder, shared by every data folder.
        rt = load_torch_runtime(path, device=device,
                                weights_cache=machine_cache_dir() / "torch-weights")
    finally:
        gguf_utils.tqdm = bar
    return rt
