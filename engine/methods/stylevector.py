"""StyleVector (Zhang et al., ACL 2025): a style direction from activation differences.

For each history item, the user's text y and the model's generic reply y_hat to
the same prompt x are run through the model; at every layer l the vector is

    s_l = mean_i mean_t h_l(x_i + y_i)[t]  -  mean_j mean_t h_l(x_j + y_hat_j)[t]

(the paper takes the last token; the mean over response positions is the fair
variant DESIGN.md names, and it is steadier on short texts). Because this is a
difference of two means, the generic side does not need every item: it is
estimated from the first `GENERIC_ITEMS` items (all of them in small histories),
which saves most of the generation time in large ones and leaves the vector
unchanged in expectation. SteerX reuses the user-side pass and also keeps the
sum of activations at its preference-driven positions only.

Positions are *predictor* positions: the hidden state at position p-1 is what
produces token p, and steering adds to exactly those states at generation time.

Per-item results are small ((n_layer, n_embd) arrays) and cached by the caller,
which is what makes a rebuild after one new sample cheap.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.errors import GenerationCancelled

StopFn = Callable[[], bool]
ProgressFn = Callable[[int, int], None]
GENERIC_ITEMS = 32


@dataclass
class ItemActivations:
    """One item's user-side share of the vectors, at every layer."""

    user_mean: np.ndarray  # (n_layer, n_embd): mean over the text of h(x+y)
    pref_sum: np.ndarray  # (n_layer, n_embd): sum of h(x+y) at preference positions
    pref_count: int

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, user_mean=self.user_mean.astype(np.float32),
                 pref_sum=self.pref_sum.astype(np.float32), pref_count=np.array([self.pref_count]))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ItemActivations:
        z = np.load(io.BytesIO(data))
        return cls(z["user_mean"], z["pref_sum"], int(z["pref_count"][0]))


def style_vector(acts: Sequence[ItemActivations], generic_mean: np.ndarray) -> np.ndarray:
    """s_l for every layer: the users' mean activation minus the generic replies' mean."""
    return (np.mean([a.user_mean for a in acts], axis=0) - generic_mean).astype(np.float32)


def predictor_positions(prefix_len: int, n_tokens: int) -> np.ndarray:
    """Sequence positions whose hidden states predict the response's tokens 0..n-1."""
    return np.arange(prefix_len - 1, prefix_len - 1 + n_tokens)


def residuals(trt, rows: Sequence[Sequence[int]], keep=None) -> tuple[np.ndarray, Any]:
    """Residual stream after every block for right-padded rows: (n_layer, rows, T, n_embd),
    and the logits at the positions in `keep` (a 1-D tensor), if any.

    The vocabulary projection is a fifth of this model's work, so it is done only
    where a caller needs log-probabilities.
    """
    from engine.runtime import hooks

    ids, _mask = trt.pad_batch(rows, side="right")
    with hooks.capture(trt, range(trt.n_layer), residual=True) as cap:
        out = trt.forward(ids, logits_to_keep=keep if keep is not None else 1)
    h = np.stack([cap.residual(L).numpy() for L in range(trt.n_layer)])
    return h, (out.logits if keep is not None else None)


def token_logprobs(logits, first: int, rows: Sequence[Sequence[int]],
                   starts: Sequence[int]) -> list[np.ndarray]:
    """log p(row[t] | row[:t]) for t >= starts[b], from logits kept from position `first`."""
    import torch

    out = []
    for b, (row, st) in enumerate(zip(rows, starts, strict=True)):
        targets = torch.as_tensor(list(row[st:]), dtype=torch.long)
        z = logits[b, st - 1 - first : st - 1 - first + len(targets)].float()
        lp = torch.log_softmax(z, dim=-1).gather(1, targets[:, None].to(z.device))[:, 0]
        out.append(lp.double().cpu().numpy())
    return out


def _chunks(order: list[int], size: int):
    for start in range(0, len(order), size):
        yield order[start : start + size]


def capture_activations(
    trt,
    prefixes: Sequence[Sequence[int]],
    users: Sequence[Sequence[int]],
    pref_fn: Callable[[int, np.ndarray], Sequence[int]] | None = None,
    *,
    batch: int = 16,
    should_stop: StopFn | None = None,
    progress: ProgressFn | None = None,
) -> tuple[list[ItemActivations], list[np.ndarray]]:
    """Run x + y for each item through the torch model and reduce to per-item arrays.

    The same pass gives log p(y_t | x, y_<t) (returned second): SteerX's
    `pref_fn(i, those log-probs)` turns them into item i's preference-driven
    token indices, whose positions then fill `pref_sum`.
    """
    import torch

    n = len(prefixes)
    acts: list[ItemActivations | None] = [None] * n
    lps: list[np.ndarray] = [np.zeros(0)] * n
    order = sorted(range(n), key=lambda i: -(len(prefixes[i]) + len(users[i])))
    done = 0
    for chunk in _chunks(order, batch):
        if should_stop and should_stop():
            raise GenerationCancelled("Stopped.")
        rows = [list(prefixes[i]) + list(users[i]) for i in chunk]
        starts = [len(prefixes[i]) for i in chunk]
        first, last = min(starts) - 1, max(len(r) for r in rows) - 1
        keep = torch.arange(first, max(last, first + 1), device=trt.device)
        h, logits = residuals(trt, rows, keep)
        user_lp = token_logprobs(logits, first, rows, starts)
        del logits
        for k, i in enumerate(chunk):
            lps[i] = user_lp[k]
            h_a = h[:, k, predictor_positions(starts[k], len(users[i]))]  # (L, T, d)
            wanted = pref_fn(i, user_lp[k]) if pref_fn is not None else []
            sel = [t for t in wanted if 0 <= t < len(users[i])]
            pref_sum = h_a[:, sel].sum(axis=1) if sel else np.zeros_like(h_a[:, 0])
            acts[i] = ItemActivations(h_a.mean(axis=1).astype(np.float32),
                                      pref_sum.astype(np.float32), len(sel))
        done += len(chunk)
        if progress:
            progress(done, n)
    return [a for a in acts if a is not None], lps


def generic_means(
    trt,
    prefixes: Sequence[Sequence[int]],
    generics: Sequence[Sequence[int]],
    *,
    batch: int = 16,
    should_stop: StopFn | None = None,
) -> list[np.ndarray]:
    """mean_t h(x + y_hat)[t] at every layer, one (n_layer, n_embd) array per generic reply."""
    out: list[np.ndarray | None] = [None] * len(prefixes)
    order = sorted(range(len(prefixes)), key=lambda i: -(len(prefixes[i]) + len(generics[i])))
    for chunk in _chunks(order, batch):
        if should_stop and should_stop():
            raise GenerationCancelled("Stopped.")
        rows = [list(prefixes[i]) + list(generics[i]) for i in chunk]
        h, _ = residuals(trt, rows)
        for k, i in enumerate(chunk):
            pos = predictor_positions(len(prefixes[i]), max(1, len(generics[i])))
            out[i] = h[:, k, pos].mean(axis=1).astype(np.float32)
    return [g for g in out if g is not None]

