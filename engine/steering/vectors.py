"""A steering vector: one direction per layer, tied to the model it was made for.

Layer L means the residual stream after block L (0-based), the place a torch
hook on `model.layers[L]` edits and llama.cpp's control vector tensor
`direction.L` is added. So one object drives both runtimes:

- torch: `apply_torch(vector, runtime, scale)` (a context manager);
- llama.cpp: `with runtime.steered(Steering(vector, scale=...)):` (a context manager),
  or the file given to llama.cpp's own `--control-vector`.

Both array layouts are reached through this module only: the torch layout (an
`(n_layer, n_embd)` array, row L = layer L: `layer_array`, `from_layers`) and
llama.cpp's control buffer (row i = layer i+1: `control_buffer`, `rows`, `from_rows`).
A `Steering` is one choice of how to steer (a vector, its scale, its layers, the
positions it steers): what a method returns and a runtime applies for one request.

Files are llama.cpp control vectors (GGUF, `general.architecture =
controlvector`, `controlvector.model_hint`, `controlvector.layer_count`, F32
tensors `direction.<L>` for L >= 1). llama.cpp rejects `direction.0` and any
tensor that is not a 1-D F32 of the model's width, so we write nothing else as
tensors; what we add for our own safety (the model's fingerprint, layer count,
width, name, and free-form metadata) goes in `steering.*` keys, which llama.cpp
ignores. llama.cpp cannot steer layer 0 at all, so a vector with a non-zero
layer 0 can be used in torch but not saved.

Applying a vector to a model of another architecture or size raises
`IncompatibleVectorError` (a clear message) before any shape reaches native
code; a vector built from another file of the same shape (e.g. another
quantization) is refused too unless the caller passes `strict=False`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import struct
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from engine.errors import EngineError

log = logging.getLogger(__name__)

CVEC_ARCH = "controlvector"
MAX_VECTOR_LAYERS = 4096  # far above any model's layer count
MAX_VECTOR_KEYS = 1000
_DIRECTION = re.compile(r"^direction\.(\d+)$")


class IncompatibleVectorError(EngineError):
    """The vector was made for another model; applying it would be meaningless or crash."""


class VectorFileError(EngineError):
    """A control-vector file is missing, damaged or not a control vector."""


class ModelFacts(Protocol):
    """What a vector is checked against: `GGUFInfo` and `ModelIdentity` both have it."""

    architecture: str
    name: str
    n_layer: int
    n_embd: int
    fingerprint: str


@dataclass
class SteeringVector:
    """Directions by layer, plus the facts of the model they belong to."""

    directions: dict[int, np.ndarray]
    architecture: str
    n_embd: int
    n_layer: int | None = None  # None: a file from another tool that did not say
    fingerprint: str | None = None
    model_name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clean: dict[int, np.ndarray] = {}
        for layer, vec in self.directions.items():
            arr = np.asarray(vec, dtype=np.float32).reshape(-1)
            layer_i = int(layer)
            if arr.size != self.n_embd:
                raise ValueError(
                    f"Direction for layer {layer_i} has {arr.size} values, not {self.n_embd}."
                )
            if layer_i < 0 or (self.n_layer is not None and layer_i >= self.n_layer):
                raise ValueError(f"Layer {layer_i} is outside the model's {self.n_layer} layers.")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"Direction for layer {layer_i} has NaN or infinite values.")
            clean[layer_i] = arr
        self.directions = dict(sorted(clean.items()))

    # ---- construction ----------------------------------------------------------
    @classmethod
    def for_model(
        cls,
        info: ModelFacts,
        directions: Mapping[int, Any] | np.ndarray,
        *,
        meta: Mapping[str, Any] | None = None,
    ) -> SteeringVector:
        """Bind directions to a model. An array of shape (n_layer, n_embd) gives every layer;
        its all-zero rows are dropped, so a vector found at a few layers stays small."""
        if isinstance(directions, np.ndarray) and directions.ndim == 2:
            if directions.shape != (info.n_layer, info.n_embd):
                raise ValueError(
                    f"Directions shape {directions.shape} is not ({info.n_layer}, {info.n_embd})."
                )
            directions = {layer_i: row for layer_i, row in enumerate(directions) if np.any(row)}
        return cls(
            directions=dict(directions),
            architecture=info.architecture,
            n_embd=info.n_embd,
            n_layer=info.n_layer,
            fingerprint=info.fingerprint,
            model_name=info.name,
            meta=dict(meta or {}),
        )

    @classmethod
    def from_layers(cls, vectors: np.ndarray, **facts: Any) -> SteeringVector:
        """From a (n_layer, n_embd) array indexed by layer (row L = layer L), as the
        builders compute it. Row 0 is dropped: llama.cpp cannot steer layer 0."""
        arr = np.asarray(vectors, dtype=np.float32)
        n_layer, n_embd = arr.shape
        return cls(directions={L: arr[L] for L in range(1, n_layer) if np.any(arr[L])},
                   n_embd=n_embd, n_layer=n_layer, **{"architecture": "", **facts})

    @classmethod
    def from_rows(cls, data: bytes, n_layer: int, n_embd: int, **facts: Any) -> SteeringVector:
        """From the stored layout, which is llama.cpp's buffer: row i holds layer i+1."""
        rows = np.frombuffer(data, dtype="<f4")
        if rows.size != n_layer * n_embd:
            raise ValueError(f"{rows.size} values do not make {n_layer} rows of {n_embd}.")
        rows = rows.reshape(n_layer, n_embd)
        return cls(directions={i + 1: rows[i].copy() for i in range(n_layer - 1)
                               if np.any(rows[i])},
                   n_embd=n_embd, n_layer=n_layer, **{"architecture": "", **facts})

    # ---- views -----------------------------------------------------------------
    def layer_array(self, n_layer: int | None = None) -> np.ndarray:
        """(n_layer, n_embd) indexed by layer, zeros where the vector has no direction."""
        n = n_layer or self.n_layer
        if n is None:
            raise ValueError("the model's layer count is needed")
        out = np.zeros((n, self.n_embd), dtype=np.float32)
        for layer_i, vec in self.directions.items():
            out[layer_i] = vec
        return out

    def rows(self, n_layer: int | None = None) -> bytes:
        """The stored layout (llama.cpp's buffer at scale 1, every layer) as bytes."""
        n = n_layer or self.n_layer
        if n is None:
            raise ValueError("the model's layer count is needed")
        if not self.directions:
            return np.zeros((n, self.n_embd), dtype="<f4").tobytes()
        return self.control_buffer(n).astype("<f4").tobytes()

    @property
    def layers(self) -> list[int]:
        return list(self.directions)

    def direction(self, layer: int) -> np.ndarray:
        return self.directions[layer]

    def select(self, layers: Iterable[int] | None) -> dict[int, np.ndarray]:
        """Directions for `layers` (all when None); asking for a missing layer is an error."""
        if layers is None:
            return dict(self.directions)
        chosen = {}
        for layer_i in layers:
            if layer_i not in self.directions:
                raise IncompatibleVectorError(
                    f"This steering vector has no direction for layer {layer_i} "
                    f"(it has layers {self.layers})."
                )
            chosen[layer_i] = self.directions[layer_i]
        return chosen

    # ---- compatibility ---------------------------------------------------------
    def check_compatible(self, info: ModelFacts, *, strict: bool = True) -> None:
        """Raise `IncompatibleVectorError` unless this vector belongs to `info`'s model.

        Architecture, width and layer count must match. With `strict`, the
        model file's fingerprint must match as well when both are known: a
        vector from another fine-tune of the same shape would run, silently
        pushing in a meaningless direction.
        """
        mine = self.model_name or self.architecture
        if self.architecture and info.architecture and self.architecture != info.architecture:
            raise IncompatibleVectorError(
                f"This steering vector was made for a {self.architecture} model ({mine}); "
                f"the loaded model {info.name} is {info.architecture}."
            )
        layers_differ = self.n_layer is not None and self.n_layer != info.n_layer
        if self.n_embd != info.n_embd or layers_differ:
            shape = f"{self.n_layer} layers of {self.n_embd}" if self.n_layer else f"{self.n_embd}"
            raise IncompatibleVectorError(
                f"This steering vector was made for a model of another size ({mine}: {shape}); "
                f"the loaded model {info.name} has {info.n_layer} layers of {info.n_embd}. "
                "Rebuild the profile for this model."
            )
        too_high = [layer_i for layer_i in self.directions if layer_i >= info.n_layer]
        if too_high:
            raise IncompatibleVectorError(
                f"This steering vector uses layers {too_high}, but {info.name} has "
                f"only {info.n_layer} layers."
            )
        if self.fingerprint and info.fingerprint and self.fingerprint != info.fingerprint:
            if strict:
                raise IncompatibleVectorError(
                    f"This steering vector was built from another model file ({mine}), not "
                    f"{info.name}. Rebuild the profile for this model."
                )
            log.warning("Steering vector from %s applied to %s (same shape).", mine, info.name)

    # ---- llama.cpp -------------------------------------------------------------
    def control_buffer(self, n_layer: int, *, scale: float = 1.0,
                       layers: Iterable[int] | None = None) -> np.ndarray:
        """The buffer `llama_set_adapter_cvec` takes: (n_layer, n_embd) with layer L in
        row L-1, the chosen layers (all when None) times `scale`, zeros elsewhere."""
        chosen = self.select(layers)
        if not chosen:
            raise IncompatibleVectorError("This steering vector has no layers to apply.")
        if 0 in chosen:
            raise IncompatibleVectorError(
                "llama.cpp cannot steer layer 0; choose layers from 1 upward."
            )
        buf = np.zeros((n_layer, self.n_embd), dtype=np.float32)
        for layer_i, vec in chosen.items():
            if layer_i >= n_layer:
                raise IncompatibleVectorError(
                    f"Layer {layer_i} is beyond the model's {n_layer} layers."
                )
            buf[layer_i - 1] = vec * np.float32(scale)
        return buf

    def __add__(self, other: SteeringVector) -> SteeringVector:
        """Two steering vectors summed layer by layer (residual additions add)."""
        if other.n_embd != self.n_embd:
            raise IncompatibleVectorError("These steering vectors have different widths.")
        out = {L: v.copy() for L, v in self.directions.items()}
        for L, v in other.directions.items():
            out[L] = out[L] + v if L in out else v.copy()
        n = max(self.n_layer or 0, other.n_layer or 0) or None
        return SteeringVector(out, self.architecture, self.n_embd, n, self.fingerprint,
                              self.model_name, dict(self.meta))

    def scaled(self, factor: float) -> SteeringVector:
        return SteeringVector({L: v * np.float32(factor) for L, v in self.directions.items()},
                              self.architecture, self.n_embd, self.n_layer, self.fingerprint,
                              self.model_name, dict(self.meta))

    # ---- files -----------------------------------------------------------------
    def to_gguf_bytes(self) -> bytes:
        """The control-vector file as bytes (an archive entry), written by `save`."""
        with tempfile.TemporaryDirectory() as d:
            return self.save(Path(d) / "vector.gguf").read_bytes()

    @classmethod
    def from_gguf_bytes(cls, data: bytes, *, max_bytes: int = 64 << 20) -> SteeringVector:
        """Read a control-vector file held in memory (an archive entry), bounded in size."""
        if len(data) > max_bytes:
            raise VectorFileError(f"The control vector is larger than {max_bytes >> 20} MiB.")
        # The header's counts are checked before the reader trusts them: a hostile file
        # could claim 2**60 tensors or keys.
        if len(data) < 24 or data[:4] != b"GGUF":
            raise VectorFileError("This is not a GGUF file.")
        n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
        if n_tensors > MAX_VECTOR_LAYERS or n_kv > MAX_VECTOR_KEYS:
            raise VectorFileError("This control vector's header claims more tensors or keys "
                                  "than any control vector has.")
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "vector.gguf"
            p.write_bytes(data)
            return cls.load(p)

    def save(self, path: str | Path) -> Path:
        """Write a llama.cpp control-vector GGUF (atomically: a crash leaves no half file)."""
        import gguf

        if 0 in self.directions and np.any(self.directions[0]):
            raise IncompatibleVectorError(
                "Layer 0 cannot be stored in a llama.cpp control vector (llama.cpp cannot "
                "steer it); drop it before saving."
            )
        out = Path(path).expanduser()
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=out.name, suffix=".part", dir=out.parent)
        os.close(fd)
        stored = {layer_i: v for layer_i, v in self.directions.items() if layer_i >= 1}
        try:
            w = gguf.GGUFWriter(tmp, CVEC_ARCH)
            w.add_string(f"{CVEC_ARCH}.model_hint", self.architecture)
            w.add_uint32(f"{CVEC_ARCH}.layer_count", len(stored))
            w.add_uint32("steering.n_embd", self.n_embd)
            if self.n_layer is not None:
                w.add_uint32("steering.n_layer", self.n_layer)
            if self.fingerprint:
                w.add_string("steering.fingerprint", self.fingerprint)
            if self.model_name:
                w.add_string("steering.model_name", self.model_name)
            if self.meta:
                w.add_string("steering.meta", json.dumps(self.meta, sort_keys=True))
            for layer_i, vec in stored.items():
                w.add_tensor(f"direction.{layer_i}", np.ascontiguousarray(vec, dtype=np.float32))
            w.write_header_to_file()
            w.write_kv_data_to_file()
            w.write_tensors_to_file()
            w.close()
            os.replace(tmp, out)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        return out

    @classmethod
    def load(cls, path: str | Path) -> SteeringVector:
        """Read a control-vector GGUF: ours, or one from llama.cpp's or repeng's tools."""
        p = Path(path).expanduser()
        if not p.is_file():
            raise VectorFileError(f"Steering vector file not found: {p}")
        first = _peek_architecture(p)
        if first is not None and first != CVEC_ARCH:
            raise VectorFileError(f"{p.name} is not a control vector (architecture {first!r}).")
        from gguf import GGUFReader

        try:
            reader = GGUFReader(str(p), "r")
        except Exception as exc:
            raise VectorFileError(f"{p.name} is not a readable GGUF file ({exc}).") from exc

        def value(key: str) -> Any:
            f = reader.fields.get(key)
            if f is None:
                return None
            try:
                return f.contents()
            except Exception:
                return None

        arch = value("general.architecture")
        if arch != CVEC_ARCH:
            raise VectorFileError(f"{p.name} is not a control vector (architecture {arch!r}).")
        directions: dict[int, np.ndarray] = {}
        n_embd: int | None = None
        for t in reader.tensors:
            m = _DIRECTION.match(t.name)
            if not m or int(m.group(1)) == 0:
                raise VectorFileError(f"{p.name} has an unexpected tensor {t.name!r}.")
            if t.tensor_type != _f32_type() or int(t.n_elements) != np.asarray(t.data).size:
                raise VectorFileError(f"{p.name}: tensor {t.name} is not a plain float32 vector.")
            data = np.asarray(t.data, dtype=np.float32).reshape(-1)
            if n_embd is None:
                n_embd = data.size
            elif data.size != n_embd:
                raise VectorFileError(f"{p.name}: direction tensors differ in size.")
            directions[int(m.group(1))] = data.copy()
        stored_embd = value("steering.n_embd")
        if n_embd is None:  # ours may be all zeros (nothing learned yet); others must say
            if stored_embd is None:
                raise VectorFileError(f"{p.name} holds no direction tensors.")
            n_embd = int(stored_embd)
        if stored_embd is not None and int(stored_embd) != n_embd:
            raise VectorFileError(f"{p.name}: its header says width {stored_embd}, data {n_embd}.")
        meta_raw = value("steering.meta")
        try:
            meta = json.loads(meta_raw) if isinstance(meta_raw, str) else {}
        except json.JSONDecodeError:
            meta = {}
        n_layer = value("steering.n_layer")
        hint = value(f"{CVEC_ARCH}.model_hint")
        try:
            return cls(
                directions=directions,
                architecture=hint if isinstance(hint, str) else "",
                n_embd=n_embd,
                n_layer=int(n_layer) if n_layer is not None else None,
                fingerprint=value("steering.fingerprint"),
                model_name=value("steering.model_name") or "",
                meta=meta,
            )
        except ValueError as exc:
            raise VectorFileError(f"{p.name}: {exc}") from exc


@dataclass(frozen=True, eq=False)  # compared by identity: its vector holds arrays
class Steering:
    """How to steer one request: `vector` times `scale` on `layers` (all of the vector's
    when None), on every position or, with `generated_only`, on the positions that write
    the reply (the prompt is read as the plain model reads it).

    A method chooses it and the runtime applies it for the length of a `with` block
    (`LlamaRuntime.steered`); nothing stays on the runtime after. A layer the vector has
    no direction for steers by nothing (`nothing`), as an all-zero direction would.
    """

    vector: SteeringVector
    scale: float = 1.0
    layers: tuple[int, ...] | None = None
    generated_only: bool = False
    strict: bool = True  # the model file's fingerprint must match (check_compatible)

    @classmethod
    def nothing(cls, n_embd: int, n_layer: int, *, generated_only: bool = False) -> Steering:
        """Steering by a zero vector: applied (the runtime is steered, by nothing)."""
        return cls(SteeringVector({}, "", n_embd, n_layer), generated_only=generated_only)

    @classmethod
    def at_layer(cls, vector: SteeringVector, layer: int, scale: float, *,
                 generated_only: bool = False) -> Steering:
        """`vector`'s direction at `layer` alone, times `scale`; nothing when it has none."""
        if layer not in vector.directions:
            n = vector.n_layer if vector.n_layer is not None else layer + 1
            return cls.nothing(vector.n_embd, n, generated_only=generated_only)
        return cls(vector, scale, (layer,), generated_only)

    def additions(self) -> dict[int, np.ndarray]:
        """What is added to the residual stream after each layer: the chosen directions
        times the scale (float32, as llama.cpp's buffer holds them)."""
        return {L: v * np.float32(self.scale) for L, v in self.vector.select(self.layers).items()}

    def control_buffer(self, n_layer: int) -> np.ndarray:
        """llama.cpp's buffer, (n_layer, n_embd) with layer L in row L-1; zeros when the
        choice has no direction."""
        if not self.vector.select(self.layers):
            return np.zeros((n_layer, self.vector.n_embd), dtype=np.float32)
        return self.vector.control_buffer(n_layer, scale=self.scale, layers=self.layers)

    def layer_array(self, n_layer: int) -> np.ndarray:
        """The torch layout of the same additions: (n_layer, n_embd), row L = layer L."""
        out = np.zeros((n_layer, self.vector.n_embd), dtype=np.float32)
        for L, v in self.additions().items():
            out[L] = v
        return out

    def plus(self, other: Steering) -> Steering:
        """Both steerings at once (residual additions add), on this one's positions."""
        if other.vector.n_embd != self.vector.n_embd:
            raise IncompatibleVectorError("These steering vectors have different widths.")
        out = self.additions()
        for L, v in other.additions().items():
            out[L] = out[L] + v if L in out else v
        v0 = self.vector
        n = max(v0.n_layer or 0, other.vector.n_layer or 0) or None
        return Steering(SteeringVector(out, v0.architecture, v0.n_embd, n, v0.fingerprint,
                                       v0.model_name, dict(v0.meta)),
                        generated_only=self.generated_only, strict=self.strict)


def _peek_architecture(path: Path) -> str | None:
    """general.architecture when it is the file's first key (writers put it there), else None.

    Lets a model file picked by mistake fail at once: a full GGUFReader parse
    of a model's vocabulary takes seconds.
    """
    import struct

    try:
        with path.open("rb") as fh:
            head = fh.read(24)
            if len(head) < 24 or head[:4] != b"GGUF" or struct.unpack("<I", head[4:8])[0] < 2:
                return None
            (klen,) = struct.unpack("<Q", fh.read(8))
            if klen > 256 or fh.read(klen) != b"general.architecture":
                return None
            vtype, vlen = struct.unpack("<IQ", fh.read(12))
            if vtype != 8 or vlen > 256:  # 8 = string
                return None
            return fh.read(vlen).decode("utf-8", errors="replace")
    except (OSError, struct.error):
        return None


def _f32_type() -> Any:
    from gguf import GGMLQuantizationType

    return GGMLQuantizationType.F32


def apply_torch(
    vector: SteeringVector,
    runtime: Any,
    scale: float = 1.0,
    *,
    layers: Iterable[int] | None = None,
    strict: bool = True,
    rows: Iterable[int] | None = None,
) -> contextlib.AbstractContextManager[None]:
    """Steer a `TorchRuntime` with `vector` inside a `with` block (checked first)."""
    from engine.runtime.hooks import steer_residual

    vector.check_compatible(runtime.info, strict=strict)
    return steer_residual(
        runtime, vector.select(layers), scale, rows=list(rows) if rows is not None else None
    )
