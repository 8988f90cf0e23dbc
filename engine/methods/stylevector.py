"""StyleVector (Zhang et al., ACL 2025): a style direction from activation differences.

For each history item, the user's text y and the model's generic reply y_hat to
the same prompt x are run through the model; at every layer l the vector is

    s_l = mean_i mean_t h_l(x_i + y_i)[t]  -  mean_j mean_t h_l(x_j + y_hat_j)[t]

(the paper takes the last token; the mean over response positions is the fair
variant docs/ARCHITECTURE.md names in "The methods and their sources", and it is
steadier on short texts). Because this is a difference of two means, the generic
side does not need every item: it is estimated from the first `GENERIC_ITEMS` items
(all of them in small histories), which saves most of the generation time in large
ones and leaves the vector unchanged in expectation. SteerX reuses the user-side pass
and also keeps the sum of activations at its preference-driven positions only.

Positions are *predictor* positions: the hidden state at position p-1 is what
produces token p, and steering adds to exactly those states at generation time.

Per-item results are small ((n_layer, n_embd) arrays) and cached by the caller,
which is what makes a rebuild after one new sample cheap.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine.runtime.activations import Row

StopFn = Callable[[], bool]
ProgressFn = Callable[[int, int], None]
GENERIC_ITEMS = 32
CHUNK_TOKENS = 512  # the most tokens of one text read in one row
CHUNK_CONTEXT = 64  # tokens of the text before a later chunk, read again as its context


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


def text_rows(prefix: Sequence[int], text: Sequence[int], *, chunk: int = CHUNK_TOKENS,
              context: int = CHUNK_CONTEXT) -> list[tuple[int, Row]]:
    """A whole text after its prompt as rows of at most `chunk` read tokens each, with
    the offset of each row's first token in the text.

    A chunk after the first starts with the prompt and the `context` tokens before it
    (read, not counted), so a long text costs about one pass over its tokens, however
    long it is, and no context window overflows.
    """
    if len(text) <= chunk:
        return [(0, Row.text(prefix, text))]
    out = []
    for s in range(0, len(text), chunk):
        lo = max(0, s - context)
        toks = [*prefix, *text[lo : s + chunk]]
        first = len(prefix) - 1 + (s - lo)
        out.append((s, Row(toks, first, first + len(text[s : s + chunk]))))
    return out


def capture_activations(
    reader,
    prefixes: Sequence[Sequence[int]],
    users: Sequence[Sequence[int]],
    pref_fn: Callable[[int, int, np.ndarray], Sequence[int]] | None = None,
    *,
    on_item: Callable[[int, ItemActivations, np.ndarray], None] | None = None,
    should_stop: StopFn | None = None,
    progress: ProgressFn | None = None,
) -> tuple[list[ItemActivations], list[np.ndarray]]:
    """Read x + y for each item (every token of y) and reduce to per-item arrays.

    `reader` is an `engine.runtime.activations` reader (llama.cpp or torch). The same
    pass gives log p(y_t | x, y_<t) (returned second): SteerX's `pref_fn(i, offset,
    those log-probs)` turns one chunk's log-probs (its first token at `offset` in the
    text) into the chunk's preference-driven token indices, whose states fill
    `pref_sum`. `on_item(i, acts, log-probs)` gets each item as soon as all of it has
    been read, so a caller can keep it before the rest are done.
    """
    from engine.runtime.activations import as_reader

    reader = as_reader(reader)
    n = len(prefixes)
    rows, owner = [], []
    for i in range(n):
        for off, row in text_rows(prefixes[i], users[i]):
            rows.append(row)
            owner.append((i, off))
    left = [0] * n
    for i, _off in owner:
        left[i] += 1
    sums: list[np.ndarray | None] = [None] * n
    prefs: list[np.ndarray | None] = [None] * n
    counts = [0] * n
    n_pos = [0] * n
    lp_parts: list[dict[int, np.ndarray]] = [{} for _ in range(n)]
    acts: list[ItemActivations | None] = [None] * n
    lps: list[np.ndarray] = [np.zeros(0)] * n
    finished = 0

    def on_row(r: int, h: np.ndarray, lp: np.ndarray) -> None:
        nonlocal finished
        i, off = owner[r]
        lp = lp[: len(users[i])]
        h = h[:, : max(1, len(lp))] if len(users[i]) else h
        wanted = pref_fn(i, off, lp) if pref_fn is not None else []
        sel = [t for t in wanted if 0 <= t < h.shape[1]]
        s = h.sum(axis=1, dtype=np.float64)
        p = h[:, sel].sum(axis=1, dtype=np.float64) if sel else np.zeros_like(s)
        sums[i] = s if sums[i] is None else sums[i] + s
        prefs[i] = p if prefs[i] is None else prefs[i] + p
        counts[i] += len(sel)
        n_pos[i] += h.shape[1]
        lp_parts[i][off] = lp
        left[i] -= 1
        if left[i] == 0:
            lps[i] = np.concatenate([lp_parts[i][k] for k in sorted(lp_parts[i])]) \
                if lp_parts[i] else np.zeros(0)
            acts[i] = ItemActivations((sums[i] / max(1, n_pos[i])).astype(np.float32),
                                      prefs[i].astype(np.float32), counts[i])
            sums[i] = prefs[i] = None
            lp_parts[i] = {}
            finished += 1
            if on_item is not None:
                on_item(i, acts[i], lps[i])
            if progress:
                progress(finished, n)

    reader.run(rows, on_row, should_stop=should_stop)
    return [a for a in acts if a is not None], lps


def generic_means(
    reader,
    prefixes: Sequence[Sequence[int]],
    generics: Sequence[Sequence[int]],
    *,
    on_item: Callable[[int, np.ndarray], None] | None = None,
    should_stop: StopFn | None = None,
) -> list[np.ndarray]:
    """mean_t h(x + y_hat)[t] at every layer, one (n_layer, n_embd) array per generic reply
    (`on_item(i, mean)` as each is done)."""
    from engine.runtime.activations import Row, as_reader

    reader = as_reader(reader)
    out: list[np.ndarray | None] = [None] * len(prefixes)

    def on_row(i: int, h: np.ndarray, _lp: np.ndarray) -> None:
        out[i] = h.mean(axis=1).astype(np.float32)
        if on_item is not None:
            on_item(i, out[i])

    reader.run([Row.text(p, g) for p, g in zip(prefixes, generics, strict=True)], on_row,
               should_stop=should_stop)
    return [g for g in out if g is not None]
