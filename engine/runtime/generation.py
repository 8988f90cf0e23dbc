"""What every runtime's generation shares: the sampling settings, the sampler, stats, cancel.

llama.cpp's own sampler (the fast path) and the token-by-token loops (llama.cpp
with rewritten logits, torch with hooks, DPS's contrast, the batched context)
all take a `SamplingSettings`; the loops sample with `sample_token`, which
follows llama.cpp's chain so that a method and the plain model differ only in
the method. The repetition penalty is a separate step on *logits*
(`apply_repeat_penalty`): a method that combines several distributions (DPS)
penalizes each row's logits before the combination. Applied to contrasted
log-probabilities, which are all negative, dividing or multiplying by 1.1 barely
changes the ranking, so DPS used to decode with almost no penalty while plain
decoding had a real one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PENALTY_WINDOW = 64  # llama.cpp's default penalty_last_n


@dataclass
class SamplingSettings:
    """Defaults chosen for small models: greedy decoding loops (docs/ARCHITECTURE.md,
    Sampler defaults)."""

    temperature: float = 0.7
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    seed: int | None = None


@dataclass
class GenerationStats:
    tokens: int = 0
    seconds: float = 0.0
    first_token_s: float | None = None
    finish_reason: str = "stop"  # stop | length | cancelled
    trimmed_turns: int = 0

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


class CancelToken:
    """Set from any thread to stop a generation at the next token: the one cancel type.

    It also reads as the other two shapes older code takes: a `should_stop` callable
    (`token()` is `token.cancelled`) and a `threading.Event` (`set`, `is_set`), so one
    token can be handed down to a function of either kind.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def reset(self) -> None:
        self._event.clear()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        return self._event.is_set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        self._event.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)


def apply_repeat_penalty(
    logits: np.ndarray, history: Sequence[int], penalty: float, window: int = PENALTY_WINDOW
) -> np.ndarray:
    """llama.cpp's repetition penalty on raw logits (any leading shape): a new array.

    A recent token's positive logit is divided by `penalty`, a negative one multiplied.
    """
    z = np.array(logits, dtype=np.float64, copy=True)
    if penalty == 1.0 or not len(history):
        return z
    recent = np.unique(np.asarray(history[-window:], dtype=np.int64))
    vals = z[..., recent]
    z[..., recent] = np.where(vals > 0, vals / penalty, vals * penalty)
    return z


def sample_token(
    logits: np.ndarray,
    history: Sequence[int],
    s: SamplingSettings,
    rng: np.random.Generator,
    *,
    penalize: bool = True,
) -> int:
    """Sample the next token the way llama.cpp's chain does: penalty, top-k, top-p, min-p, temp.

    `penalize=False` when the caller already applied the penalty to the logits the
    scores came from (a contrast of penalized rows).
    """
    if penalize:
        z = apply_repeat_penalty(logits, history, s.repeat_penalty)
    else:
        z = np.asarray(logits, dtype=np.float64)
    if s.temperature <= 0:
        return int(np.argmax(z))
    k = min(s.top_k, z.size) if s.top_k > 0 else z.size
    idx = np.argpartition(-z, k - 1)[:k]
    idx = idx[np.argsort(-z[idx])]
    zz = z[idx] / s.temperature
    p = np.exp(zz - zz.max())
    p /= p.sum()
    keep = np.searchsorted(np.cumsum(p), s.top_p) + 1
    keep = max(1, min(keep, p.size))
    mask = p[:keep] >= s.min_p * p[0]
    idx, p = idx[:keep][mask], p[:keep][mask]
    p /= p.sum()
    return int(rng.choice(idx, p=p))
