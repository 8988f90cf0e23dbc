"""SteerX (Zhao et al., arXiv 2510.22256): steer with the tokens the user's preferences drive.

Our reading (docs/ARCHITECTURE.md, The methods and their sources; after the same
group's NextQuill):

1. Token-level causal effect of the user's history on each token of one of
   their texts:  delta_t = log p(y_t | x, H, y_<t) - log p(y_t | x, y_<t),
   with H a few of the user's *other* texts shown in the prompt. Tokens the
   history makes much more likely (delta_t > tau, about 1 nat) are the
   preference-driven ones: what the user's habits, not the prompt, decide.
2. Those tokens (and a few excerpts) are turned into a plain-words description
   by the local model (`engine.methods.description`); the user may edit it.
3. Vectors at every layer: the StyleVector difference taken only at the
   preference-driven positions, and a description contrast
   h_l(D + x) - h_l(x) at the position where the reply starts. The SteerX
   vector is the first plus the second scaled to the same norm times
   `desc_weight`.

Everything here is arithmetic on token ids and arrays; the runtimes do the work.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from engine.methods.stylevector import ItemActivations, text_rows
from engine.runtime.activations import Row, as_reader

DEFAULT_TAU = 1.0
N_CONTEXT = 2  # other history items shown as H
FALLBACK_FRACTION = 0.1  # an item with no token above tau keeps its top 10% (if positive)

StopFn = Callable[[], bool]


def context_items(n: int, i: int, k: int = N_CONTEXT) -> list[int]:
    """The k items shown as history for item i: the ones just before it (wrapping).

    Deterministic, so a cached item's effects stay valid, and never the item itself.
    """
    if n <= 1:
        return []
    return [(i - j) % n for j in range(1, min(k, n - 1) + 1)]


def history_logprobs(
    reader,
    contexts: Sequence[Sequence[int]],
    users: Sequence[Sequence[int]],
    *,
    should_stop: StopFn | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[np.ndarray]:
    """log p(y_t | x, H, y_<t) for each item: every token of its text after a prompt that
    shows H (long texts in chunks, as `stylevector.text_rows` cuts them)."""
    reader = as_reader(reader)
    rows, owner = [], []
    for i, (ctx, text) in enumerate(zip(contexts, users, strict=True)):
        for off, row in text_rows(ctx, text):
            rows.append(row)
            owner.append((i, off))
    parts: list[dict[int, np.ndarray]] = [{} for _ in users]

    def on_row(r: int, _h: np.ndarray, lp: np.ndarray) -> None:
        i, off = owner[r]
        parts[i][off] = lp

    reader.run(rows, on_row, hidden=False, should_stop=should_stop, progress=progress)
    return [np.concatenate([p[k] for k in sorted(p)])[: len(users[i])].astype(np.float64)
            if p else np.zeros(0) for i, p in enumerate(parts)]


def paired_effects(with_history: Sequence[np.ndarray],
                   with_reference: Sequence[np.ndarray]) -> list[np.ndarray]:
    """delta_t against a reference history: log p(y_t | x, H) - log p(y_t | x, H_ref).

    With H_ref another writer's texts for the same prompts, the effect of the
    instruction and of seeing examples of the kind at all cancels, and what is
    left is what *this* writer's texts add (`benchmarks/bench_effects.py`
    measures how much that separates a writer's own history from another's).
    """
    return [(a - b).astype(np.float32) for a, b in zip(with_history, with_reference, strict=True)]


def separation(own: Sequence[np.ndarray], other: Sequence[np.ndarray],
               tau: float = DEFAULT_TAU) -> dict[str, float]:
    """How well tau tells preference-driven tokens from noise.

    `own`: the effects with the writer's own history; `other`: with another
    writer's history shown as if it were theirs, where every token above tau is
    a false one. The ratio of the two shares is the selection's signal to noise.
    """
    a, b = np.concatenate(list(own)), np.concatenate(list(other))
    share_own, share_other = float(np.mean(a > tau)), float(np.mean(b > tau))
    return {"mean_own": float(a.mean()), "mean_other": float(b.mean()),
            "share_own": share_own, "share_other": share_other,
            "ratio": share_own / share_other if share_other else float("inf")}


def preference_positions(deltas: np.ndarray, tau: float = DEFAULT_TAU) -> list[int]:
    """Indices of the preference-driven tokens of one text."""
    idx = np.flatnonzero(deltas > tau)
    if idx.size == 0 and deltas.size:
        k = max(1, int(round(FALLBACK_FRACTION * deltas.size)))
        top = np.argsort(-deltas)[:k]
        idx = np.sort(top[deltas[top] > 0])
    return [int(i) for i in idx]


def words(pieces: Sequence[str], deltas: np.ndarray) -> list[tuple[str, float]]:
    """Merge sub-word tokens into words; a word's effect is the sum of its tokens' effects.

    The sum is the word's own causal effect (log p(word | H) - log p(word)), and
    a user reads "Marlowe", not "Mar" + "low" + "e".
    """
    out: list[tuple[str, float]] = []
    for piece, val in zip(pieces, deltas, strict=False):
        # "don" + "'t" is one word, "don't" (a user reads no fragment "don").
        elision = piece[:1] in "'\u2019" and bool(out) and out[-1][0][-1:].isalpha()
        starts = not out or piece[:1].isspace() or not piece.strip() or (
            not piece[:1].isalnum() and not elision) or not (
            out[-1][0][-1:].isalnum() or out[-1][0][-1:] in "'\u2019")
        if starts:
            out.append((piece.strip(), float(val)))
        else:
            w, v = out[-1]
            out[-1] = (w + piece, v + float(val))
    return [(w, v) for w, v in out if w]


_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def is_word(text: str) -> bool:
    """Letters only, with inner apostrophes or hyphens ("don't", "well-read"): what the
    profile may call a word typical of the user (no "," "?" or "don")."""
    return bool(_WORD.fullmatch(text))


def preference_tokens(
    pieces: Sequence[Sequence[str]],
    deltas: Sequence[np.ndarray],
    tau: float = DEFAULT_TAU,
    top: int = 20,
) -> list[dict]:
    """The user's signature words: those whose history effect exceeds tau, ranked by total.

    Ranking by the summed effect favours what is both strong and recurring
    (a sign-off used in every message), not a one-off rare word.
    """
    total: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for toks, d in zip(pieces, deltas, strict=True):
        for word, val in words(toks, d):
            if not is_word(word):  # punctuation, numbers, code: shown to the user as words
                continue
            seen[word] += 1
            if val > tau:
                total[word] += val
                count[word] += 1
    ranked = sorted(total, key=lambda k: -total[k])[:top]
    return [
        {"token": k, "effect": round(total[k] / count[k], 3), "count": count[k],
         "share": round(count[k] / seen[k], 3)}
        for k in ranked
    ]


def steerx_tokens_vector(acts: Sequence[ItemActivations],
                         generic_mean: np.ndarray) -> np.ndarray | None:
    """The StyleVector difference taken at preference-driven positions only, over all items."""
    n = sum(a.pref_count for a in acts)
    if n == 0:
        return None
    return (np.sum([a.pref_sum for a in acts], axis=0) / n - generic_mean).astype(np.float32)


def description_contrast(
    reader,
    with_desc: Sequence[Sequence[int]],
    without: Sequence[Sequence[int]],
    *,
    should_stop: StopFn | None = None,
) -> np.ndarray:
    """mean_i h_l(D + x_i) - h_l(x_i) at each prompt's last position, every layer."""
    reader = as_reader(reader)
    n = len(with_desc)
    h = reader.hidden([Row.last(r) for r in [*with_desc, *without]], should_stop=should_stop)
    diffs = [h[k][:, -1] - h[n + k][:, -1] for k in range(n)]
    return np.mean(diffs, axis=0).astype(np.float32)


def combine(tokens_vec: np.ndarray, desc_vec: np.ndarray | None, desc_weight: float) -> np.ndarray:
    """SteerX vector per layer: token part + description contrast rescaled to its norm."""
    if desc_vec is None or desc_weight == 0:
        return tokens_vec
    n_t = np.linalg.norm(tokens_vec, axis=1, keepdims=True)
    n_d = np.linalg.norm(desc_vec, axis=1, keepdims=True)
    scaled = desc_vec * np.divide(n_t, n_d, out=np.zeros_like(n_t), where=n_d > 0)
    return (tokens_vec + desc_weight * scaled).astype(np.float32)
