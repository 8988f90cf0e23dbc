"""Context managers that steer or read a torch transformer from inside.

Every hook here is registered on entry and removed in a `finally` on exit, so an
exception inside the `with` block (or a cancelled generation) never leaves a
model steered for the next caller. Hooks nest: several can be active at once;
forward hooks on the same module run in the order they were entered.

Layer numbering is the one used everywhere in the engine: layer L is the output
of block `layers[L]` (0-based). That is the residual stream llama.cpp's control
vector slot L-1 (file tensor `direction.L`) adds to, so a vector found here at
layer L can be sent to llama.cpp unchanged (see docs/ARCHITECTURE.md, Layer mapping).

`rows` (where accepted) limits an edit to some rows of the batch, so two variants
of one prompt (e.g. DPS's full and head-masked passes) run as one batch of two.

torch is imported inside the functions: this module may be imported by code that
only inspects it, and the chat path must never pay for torch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import EngineError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import torch
    from torch import nn

    VectorLike = torch.Tensor | np.ndarray | Sequence[float]

Positions = int | slice | Sequence[int] | None


class HookError(EngineError):
    """A hook was asked for a layer, head or shape the model does not have."""


@dataclass
class ModelParts:
    """Where the blocks, attention output projections and MLPs of a model live.

    Found by name so that Llama-like models (Llama, Mistral, Qwen2/3, Gemma,
    Phi-3, SmolLM) and GPT-2-like ones (`transformer.h`, `c_proj`) both work.
    """

    layers: Sequence[nn.Module]
    attn: list[nn.Module]
    o_proj: list[nn.Module]
    mlp: list[nn.Module]
    n_head: int
    head_dim: int
    n_embd: int

    @property
    def n_layer(self) -> int:
        return len(self.layers)


def _first_attr(obj: Any, names: Iterable[str]) -> Any:
    for name in names:
        cur = obj
        for part in name.split("."):
            cur = getattr(cur, part, None)
            if cur is None:
                break
        if cur is not None:
            return cur
    return None


# Where the transformer blocks sit, by model family.
_BLOCK_LISTS = ("model.layers", "model.decoder.layers", "transformer.h", "gpt_neox.layers")


def find_parts(model: nn.Module) -> ModelParts:
    """Locate the pieces the hooks attach to, or say clearly that we cannot."""
    layers = _first_attr(model, _BLOCK_LISTS)
    if layers is None or len(layers) == 0:
        raise HookError(f"Cannot find the transformer blocks of {type(model).__name__}.")
    attn, o_proj, mlp = [], [], []
    for i, block in enumerate(layers):
        a = _first_attr(block, ("self_attn", "attn", "attention", "self_attention"))
        o = _first_attr(a, ("o_proj", "c_proj", "out_proj", "dense")) if a is not None else None
        m = _first_attr(block, ("mlp", "feed_forward", "ffn"))
        if a is None or o is None or m is None:
            raise HookError(
                f"Block {i} of {type(model).__name__} has no recognisable attention output "
                "projection or MLP; steering this architecture is not supported."
            )
        attn.append(a)
        o_proj.append(o)
        mlp.append(m)
    cfg = model.config
    n_embd = int(getattr(cfg, "hidden_size", 0) or getattr(cfg, "n_embd", 0))
    n_head = int(getattr(cfg, "num_attention_heads", 0) or getattr(cfg, "n_head", 0))
    head_dim = int(getattr(cfg, "head_dim", 0) or (n_embd // n_head if n_head else 0))
    return ModelParts(list(layers), attn, o_proj, mlp, n_head, head_dim, n_embd)


@contextlib.contextmanager
def from_layer(model: nn.Module, layer: int) -> Iterator[None]:
    """Run only blocks `layer`.. of `model`: a forward given `inputs_embeds` = the residual
    stream entering block `layer` then skips the blocks before it.

    An edit inside block `layer` (a head ablated) leaves everything before it as it was,
    so an ablation scan need not recompute the early blocks for every head. The block
    list is swapped for its tail and put back on exit. Whether the model's own forward
    uses `inputs_embeds` unchanged (GPT-2 adds position embeddings to it, Gemma 1 scales
    it) is not assumed: callers check the result once against a full forward.
    """
    from torch import nn

    for name in _BLOCK_LISTS:
        parent_name, _, attr = name.rpartition(".")
        parent = _first_attr(model, (parent_name,))
        blocks = getattr(parent, attr, None) if parent is not None else None
        if isinstance(blocks, nn.ModuleList) and len(blocks):
            break
    else:
        raise HookError(f"Cannot find the transformer blocks of {type(model).__name__}.")
    if not 0 <= layer < len(blocks):
        raise HookError(f"Layer {layer} does not exist; the model has {len(blocks)} layers.")
    # Not through nn.Module.__setattr__'s registration: the tail is the same modules.
    parent._modules[attr] = nn.ModuleList(list(blocks)[layer:])
    try:
        yield
    finally:
        parent._modules[attr] = blocks


def _parts(target: Any) -> ModelParts:
    """Accept a TorchRuntime (has `.parts`), a ModelParts, or a bare HF model."""
    if isinstance(target, ModelParts):
        return target
    parts = getattr(target, "parts", None)
    if isinstance(parts, ModelParts):
        return parts
    return find_parts(target)


def _check_layer(parts: ModelParts, layer: int) -> int:
    if not isinstance(layer, int) or not 0 <= layer < parts.n_layer:
        raise HookError(f"Layer {layer} does not exist; the model has {parts.n_layer} layers.")
    return layer


def _main_output(output: Any) -> torch.Tensor:
    return output[0] if isinstance(output, tuple) else output


def _replace_output(output: Any, new: torch.Tensor) -> Any:
    """Blocks return a tensor (transformers 5) or a tuple (older); keep the shape of it."""
    if isinstance(output, tuple):
        return (new, *output[1:])
    return new


def _as_vector(value: VectorLike, n_embd: int, ref: torch.Tensor | None, what: str):
    """A tensor broadcastable to (batch, seq, n_embd): (n_embd,), (B, 1, n_embd), (B, T, n_embd)."""
    import torch

    v = torch.as_tensor(value)
    if v.shape[-1] != n_embd:
        raise HookError(f"{what} has size {v.shape[-1]} but the model's width is {n_embd}.")
    if v.dim() == 2:  # (B, n_embd): one vector per row
        v = v[:, None, :]
    if ref is not None:
        v = v.to(device=ref.device, dtype=ref.dtype)
    return v


def _row_mask(rows: Sequence[int] | None, batch: int, ref: torch.Tensor):
    """(B, 1, 1) of ones on the chosen rows, or None meaning every row."""
    if rows is None:
        return None
    import torch

    mask = torch.zeros(batch, 1, 1, dtype=ref.dtype, device=ref.device)
    idx = [r for r in rows if -batch <= r < batch]
    if idx:
        mask[idx] = 1
    return mask


def _model_ref(parts: ModelParts) -> torch.Tensor:
    """A parameter of the model, to learn its device and dtype."""
    return next(parts.o_proj[0].parameters())


@contextlib.contextmanager
def _registered(handles: list) -> Iterator[None]:
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def _add_hook(vec: torch.Tensor, scale: float, rows: Sequence[int] | None):
    def hook(_module, _inputs, output):
        out = _main_output(output)
        delta = vec * scale
        mask = _row_mask(rows, out.shape[0], out)
        if mask is not None:
            delta = delta * mask
        return _replace_output(output, out + delta)

    return hook


@contextlib.contextmanager
def steer_residual(
    target: Any,
    vectors: Mapping[int, VectorLike],
    scale: float = 1.0,
    *,
    rows: Sequence[int] | None = None,
) -> Iterator[None]:
    """Add `scale * vectors[L]` to the residual stream after block L, at every position.

    This is what a llama.cpp control vector does (StyleVector, SteerX). With
    scale 0 the hooks still run but change nothing, bit for bit.
    """
    parts = _parts(target)
    ref = _model_ref(parts)
    prepared = {
        _check_layer(parts, L): _as_vector(v, parts.n_embd, ref, f"Vector for layer {L}")
        for L, v in vectors.items()
    }
    handles = []
    with _registered(handles):
        for L, vec in prepared.items():
            handles.append(parts.layers[L].register_forward_hook(_add_hook(vec, scale, rows)))
        yield


@contextlib.contextmanager
def steer_components(
    target: Any,
    *,
    attn: Mapping[int, VectorLike] | None = None,
    mlp: Mapping[int, VectorLike] | None = None,
    scale: float = 1.0,
    rows: Sequence[int] | None = None,
) -> Iterator[None]:
    """Add vectors to the attention output (after o_proj) and/or the MLP output of layers.

    Fints edits both sub-layer outputs: the attention edit flows into the MLP's
    input, then the MLP edit lands on the residual. Hooking o_proj (not the
    attention module) keeps the edit on the exact tensor added to the residual.
    """
    parts = _parts(target)
    ref = _model_ref(parts)
    plan: list[tuple[nn.Module, torch.Tensor]] = []
    for kind, mapping, modules in (("attention", attn, parts.o_proj), ("MLP", mlp, parts.mlp)):
        for L, v in (mapping or {}).items():
            vec = _as_vector(v, parts.n_embd, ref, f"{kind} vector for layer {L}")
            plan.append((modules[_check_layer(parts, L)], vec))
    handles = []
    with _registered(handles):
        for module, vec in plan:
            handles.append(module.register_forward_hook(_add_hook(vec, scale, rows)))
        yield


def _normalise_heads(
    parts: ModelParts, heads: Mapping[tuple[int, int], float]
) -> dict[int, dict[int, float]]:
    per_layer: dict[int, dict[int, float]] = {}
    for (layer, head), factor in heads.items():
        _check_layer(parts, layer)
        if not 0 <= head < parts.n_head:
            raise HookError(f"Head {head} does not exist; layers have {parts.n_head} heads.")
        per_layer.setdefault(layer, {})[head] = float(factor)
    return per_layer


@contextlib.contextmanager
def scale_heads(
    target: Any,
    heads: Mapping[tuple[int, int], float],
    *,
    rows: Sequence[int] | None = None,
) -> Iterator[None]:
    """Multiply chosen attention heads' outputs by a factor, keyed by (layer, head).

    The edit is on the head's own slice of the o_proj input, i.e. before the
    heads are mixed: that is a faithful ablation of one head (DPS), unlike
    zeroing a slice of o_proj's output, which touches every head.
    """
    import torch

    parts = _parts(target)
    ref = _model_ref(parts)
    per_layer = _normalise_heads(parts, heads)
    width = parts.n_head * parts.head_dim
    factors: dict[int, torch.Tensor] = {}
    for layer, hs in per_layer.items():
        f = torch.ones(width, dtype=ref.dtype, device=ref.device)
        for h, factor in hs.items():
            f[h * parts.head_dim : (h + 1) * parts.head_dim] = factor
        factors[layer] = f

    def make(f: torch.Tensor):
        def pre_hook(_module, args):
            x = args[0]
            if x.shape[-1] != width:
                raise HookError(f"o_proj input is {x.shape[-1]} wide, expected {width}.")
            mult = f
            mask = _row_mask(rows, x.shape[0], x)
            if mask is not None:  # rows outside `rows` keep factor 1
                mult = 1 + (f - 1) * mask
            return (x * mult, *args[1:])

        return pre_hook

    handles = []
    with _registered(handles):
        for layer, f in factors.items():
            handles.append(parts.o_proj[layer].register_forward_pre_hook(make(f)))
        yield


def _keep_input() -> Any:
    """A module standing in for the vocabulary projection: keeps its input, returns one
    column of zeros (torch is imported here, as everywhere in this module)."""
    from torch import nn

    class KeepInput(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.kept: list[Any] = []

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            self.kept.append(x)
            return x[..., :1] * 0

    return KeepInput()


@dataclass
class Projection:
    """The final hidden states a forward kept (`states`, one tensor per call) and the
    model's own vocabulary projection to apply to any slice of them, softcapping included."""

    head: Any
    softcap: float | None
    states: list[Any]

    def logits(self, h: torch.Tensor) -> torch.Tensor:
        import torch

        z = self.head(h)
        if self.softcap:
            z = torch.tanh(z / self.softcap) * self.softcap
        return z


@contextlib.contextmanager
def deferred_projection(model: Any) -> Iterator[Projection]:
    """Run forwards without the vocabulary projection: the model returns (batch, n, 1)
    placeholder logits and the yielded `Projection` holds the hidden states it would
    have projected, so a caller projects one row's positions at a time.

    A 150k-word vocabulary makes the projection the largest tensor of a forward (64
    rows x 200 positions x 151,936 words x 4 bytes is 7.8 GB, against 46 MB of hidden
    states): projected row by row, a DPS scan's peak is one row's logits. Callers check
    the result once against the model's own logits (an architecture may post-process
    them in ways this does not know).
    """
    head = model.get_output_embeddings()
    if head is None:
        raise HookError(f"{type(model).__name__} has no output embeddings to defer.")
    config = getattr(model, "config", None)
    cap = getattr(getattr(config, "text_config", config), "final_logit_softcapping", None)
    keep = _keep_input()
    proj = Projection(head, float(cap) if cap else None, keep.kept)
    model.set_output_embeddings(keep)
    try:
        yield proj
    finally:
        model.set_output_embeddings(head)


def mask_heads(
    target: Any, heads: Iterable[tuple[int, int]], *, rows: Sequence[int] | None = None
) -> contextlib.AbstractContextManager[None]:
    """Zero the chosen (layer, head) pairs: `scale_heads` with factor 0."""
    return scale_heads(target, {tuple(h): 0.0 for h in heads}, rows=rows)


@dataclass
class Capture:
    """Activations recorded by `capture`, one list entry per forward call.

    Key: (kind, layer) with kind in "residual" | "attn" | "mlp". Each entry is
    (batch, n_positions, n_embd), detached; on the CPU in float32 unless asked
    otherwise. During KV-cached generation each step is one call, so `get`
    concatenates the calls along the sequence axis.
    """

    calls: dict[tuple[str, int], list[torch.Tensor]] = field(default_factory=dict)

    def get(self, kind: str, layer: int) -> torch.Tensor:
        import torch

        chunks = self.calls.get((kind, layer))
        if not chunks:
            raise KeyError(f"Nothing captured for {kind} at layer {layer}.")
        return chunks[0] if len(chunks) == 1 else torch.cat(chunks, dim=1)

    def residual(self, layer: int) -> torch.Tensor:
        return self.get("residual", layer)

    def attn(self, layer: int) -> torch.Tensor:
        return self.get("attn", layer)

    def mlp(self, layer: int) -> torch.Tensor:
        return self.get("mlp", layer)

    def clear(self) -> None:
        self.calls.clear()


def _select(t: torch.Tensor, positions: Positions) -> torch.Tensor:
    if positions is None:
        return t
    if isinstance(positions, int):
        return t[:, positions : positions + 1] if positions != -1 else t[:, -1:]
    if isinstance(positions, slice):
        return t[:, positions]
    import torch

    idx = torch.as_tensor(list(positions), dtype=torch.long, device=t.device)
    return t.index_select(1, idx % t.shape[1])


@contextlib.contextmanager
def capture(
    target: Any,
    layers: Iterable[int],
    *,
    residual: bool = True,
    attn: bool = False,
    mlp: bool = False,
    positions: Positions = None,
    to_cpu: bool = True,
) -> Iterator[Capture]:
    """Record the residual stream, attention output (after o_proj) and/or MLP output.

    `positions` picks sequence positions within each forward call (an index, a
    slice or a list; negative counts from the end), so capturing only the
    last token of a long prompt does not copy the whole sequence.
    """
    parts = _parts(target)
    cap = Capture()
    chosen = [_check_layer(parts, L) for L in layers]

    def make(key: tuple[str, int]):
        def hook(_module, _inputs, output):
            t = _select(_main_output(output).detach(), positions)
            t = t.float().cpu() if to_cpu else t.clone()
            cap.calls.setdefault(key, []).append(t)

        return hook

    handles = []
    with _registered(handles):
        for L in chosen:
            if residual:
                handles.append(parts.layers[L].register_forward_hook(make(("residual", L))))
            if attn:
                handles.append(parts.o_proj[L].register_forward_hook(make(("attn", L))))
            if mlp:
                handles.append(parts.mlp[L].register_forward_hook(make(("mlp", L))))
        yield cap


def count_hooks(target: Any) -> int:
    """How many forward (pre-)hooks are registered anywhere in the model.

    Tests use it to prove a `with` block cleaned up after an exception.
    """
    model = target.model if hasattr(target, "parts") else target
    total = 0
    for m in model.modules():
        total += len(m._forward_hooks) + len(m._forward_pre_hooks)
    return total
