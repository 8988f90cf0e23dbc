"""StyleVector (Zhang et al., ACL 2025): a style direction from activation differences.

For each history item, the user's text y and the model's generic reply y_hat to
the same prompt x are run through the model; at every layer l the vector is

    s_l = mean_i [ mean_t h_l(x + y_i)[t] - mean_t h_l(x + y_hat_i)[t] ]

(the paper takes the last token; the mean over response positions is the fair
variant DESIGN.md names, and it is steadier on short texts). SteerX reuses the
same forward passes and keeps, per item, the sum of differences at its
preference-driven positions only, so one pass over the history serves both.

Positions are *predictor* positions: the hidden state at position p-1 is what
produces token p, and steering adds to exactly those states at generation time.

Per-item results are small (two (n_layer, n_embd) arrays) and cached by the
caller, which is what makes a rebuild after one new sample cheap.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import GenerationCancelled

StopFn = Callable[[], bool]
ProgressFn = Callable[[int, int], None]


@dataclass
class ItemActivations:
    """One item's share of the vectors, at every layer."""

    style: np.ndarray  # (n_layer, n_embd): mean h(x+y) - mean h(x+y_hat)
    pref_sum: np.ndarray  # (n_layer, n_embd): sum at preference positions of that difference
    pref_count: int

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, style=self.style.astype(np.float32),
                 pref_sum=self.pref_sum.astype(np.float32), pref_count=np.array([self.pref_count]))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ItemActivations:
        z = np.load(io.BytesIO(data))
        return cls(z["style"], z["pref_sum"], int(z["pref_count"][0]))


def style_vector(acts: Sequence[ItemActivations]) -> np.ndarray:
    """s_l for every layer: the mean of the items' differences."""
    return np.mean([a.style for a in acts], axis=0).astype(np.float32)


def predictor_positions(prefix_len: int, n_tokens: int) -> np.ndarray:
    """Sequence positions whose hidden states predict the response's tokens 0..n-1."""
    return np.arange(prefix_len - 1, prefix_len - 1 + n_tokens)


def residuals(trt, rows: Sequence[Sequence[int]]) -> np.ndarray:
    """Residual stream after every block for right-padded rows: (n_layer, rows, T, n_embd).

    Only the last position's logits are computed: the vocabulary projection is a
    fifth of this model's work and nothing here needs it.
    """
    from engine.runtime import hooks

    ids, _mask = trt.pad_batch(rows, side="right")
    with hooks.capture(trt, range(trt.n_layer), residual=True) as cap:
        trt.forward(ids, logits_to_keep=1)
    return np.stack([cap.residual(L).numpy() for L in range(trt.n_layer)])


def capture_activations(
    trt,
    prefixes: Sequence[Sequence[int]],
    users: Sequence[Sequence[int]],
    generics: Sequence[Sequence[int]],
    pref_tokens: Sequence[Sequence[int]] | None = None,
    *,
    batch_items: int = 8,
    should_stop: StopFn | None = None,
    progress: ProgressFn | None = None,
) -> list[ItemActivations]:
    """Run (x + y, x + y_hat) for each item through the torch model and reduce to vectors.

    `pref_tokens[i]` are indices into `users[i]` of preference-driven tokens
    (SteerX); without them only the StyleVector part is filled in.
    """
    n = len(prefixes)
    out: list[ItemActivations | None] = [None] * n
    order = sorted(range(n), key=lambda i: -(len(prefixes[i]) + len(users[i])))
    done = 0
    for start in range(0, n, batch_items):
        if should_stop and should_stop():
            raise GenerationCancelled("Stopped.")
        chunk = order[start : start + batch_items]
        rows: list[list[int]] = []
        for i in chunk:
            rows.append(list(prefixes[i]) + list(users[i]))
            rows.append(list(prefixes[i]) + list(generics[i]))
        h = residuals(trt, rows)
        for k, i in enumerate(chunk):
            p = len(prefixes[i])
            pos_a = predictor_positions(p, len(users[i]))
            pos_b = predictor_positions(p, max(1, len(generics[i])))
            h_a = h[:, 2 * k, pos_a]  # (L, Ta, d)
            mean_b = h[:, 2 * k + 1, pos_b].mean(axis=1)
            style = h_a.mean(axis=1) - mean_b
            wanted = pref_tokens[i] if pref_tokens is not None else []
            sel = [t for t in wanted if 0 <= t < len(users[i])]
            pref_sum = (h_a[:, sel] - mean_b[:, None]).sum(axis=1) if sel else np.zeros_like(style)
            out[i] = ItemActivations(style.astype(np.float32), pref_sum.astype(np.float32),
                                     len(sel))
        done += len(chunk)
        if progress:
            progress(done, n)
    return [a for a in out if a is not None]


def control_buffer(vectors: np.ndarray, layer: int, alpha: float) -> np.ndarray:
    """The llama.cpp control-vector buffer applying alpha * vectors[layer] at that layer only.

    Torch layer L (output of block L) is llama.cpp slot L-1 with il_start=1
    (DESIGN.md), so layer 0 cannot be steered there and is never chosen.
    """
    n_layer, n_embd = vectors.shape
    if not 1 <= layer < n_layer:
        raise ValueError(f"layer {layer} cannot be steered in llama.cpp (use 1..{n_layer - 1})")
    buf = np.zeros((n_layer, n_embd), dtype=np.float32)
    buf[layer - 1] = alpha * vectors[layer]
    return buf
