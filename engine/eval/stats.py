"""The statistics that keep an evaluation honest: paired intervals, a fixed derangement,
and a length cut.

Every method runs on the same rows, so differences are paired by row; a paired
bootstrap over rows (resample rows, recompute the mean difference) gives an
interval that knows how much the rows disagree. The seed is fixed so that a report
can be reproduced to the last digit.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 12345


@dataclass(frozen=True)
class Interval:
    """A mean with its 95 % percentile-bootstrap interval."""

    mean: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def excludes_zero(self) -> bool:
        return self.low > 0.0 or self.high < 0.0

    def as_list(self) -> list[float]:
        return [round(self.low, 4), round(self.high, 4)]


def bootstrap_mean(values: Sequence[float], *, samples: int = BOOTSTRAP_SAMPLES,
                   seed: int = BOOTSTRAP_SEED, level: float = 0.95) -> Interval:
    """The mean of `values` and the percentile interval of its bootstrap resamples.

    For a paired difference pass the per-row differences: resampling rows keeps
    each row's two scores together, which is what makes the interval paired.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return Interval(0.0, 0.0, 0.0)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(samples, x.size))
    means = x[idx].mean(axis=1)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return Interval(float(x.mean()), float(low), float(high))


def paired_difference(a: Sequence[float], b: Sequence[float], **kw) -> Interval:
    """Mean of a - b over rows with a paired bootstrap interval."""
    if len(a) != len(b):
        raise ValueError(f"paired scores need equal lengths ({len(a)} vs {len(b)})")
    return bootstrap_mean([x - y for x, y in zip(a, b, strict=True)], **kw)


def derangement(n: int, seed: int = 0) -> list[int]:
    """A permutation of range(n) with no fixed point: row i borrows row d[i]'s user.

    Fixed by the seed, so the other-user control is the same in every run and can
    be printed with the report. Sattolo's algorithm gives one random n-cycle, which
    has no fixed point for any n >= 2.
    """
    if n < 2:
        raise ValueError("the other-user control needs at least two rows")
    perm = list(range(n))
    rng = random.Random(seed)
    for i in range(n - 1, 0, -1):
        j = rng.randrange(i)  # j < i: Sattolo, never i itself
        perm[i], perm[j] = perm[j], perm[i]
    return perm


def words(text: str) -> list[str]:
    return text.split()


def cut_to_words(text: str, n_words: int) -> str:
    """The first `n_words` whitespace-separated words of `text` (all of it if shorter).

    A longer reply scores higher under recall-heavy metrics whoever wrote it;
    cutting each output to its gold's length takes that advantage away.
    """
    parts = text.split()
    return text if len(parts) <= n_words else " ".join(parts[:n_words])
