"""Choosing the layer and strength of a profile on the user's own held-out texts.

The criterion is the mean per-token log-likelihood of texts the user really
wrote, under steering with a vector built *without* those texts: it rewards a
direction that generalises to the user's unseen writing. Small histories use
leave-one-out (every item is held out once); larger ones hold out the last 20%.

All candidates are scored in batched passes of the build's reader
(`engine.runtime.activations`): on llama.cpp each distinct steer (a fold's vector
at one layer and strength) is one control vector over the rows it applies to.
Layers are tried at a moderate strength first, then the strength is doubled or
halved at the best layer while that helps.

The build keeps the layer chosen here; the strength a reply is written at is then
chosen by what it makes the model write (`engine.methods.generation_calibration`),
since teacher-forced likelihood rewards a push that free generation does not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.errors import GenerationCancelled
from engine.runtime.activations import as_reader, steered_logprobs

log = logging.getLogger(__name__)

LOO_BELOW = 10
MAX_HELDOUT = 8
SELECT_TOKENS = 48
LAYER_FRACTIONS = (0.3, 0.45, 0.6, 0.75)
START_ALPHA = 0.5
MIN_ALPHA, MAX_ALPHA = 0.125, 4.0
# Profiles built before the strength was chosen by generation (engine.methods.
# generation_calibration) ran rag+steerx at a quarter of SteerX's strength, on every
# position (best of 1/4, 1/2, 1 on paper_dev rows 120-160); they still do until rebuilt.
WITH_PROMPT_HISTORY = 0.25

def folds(n: int) -> list[tuple[list[int], list[int]]]:
    """(train, held-out) index lists: leave-one-out below LOO_BELOW items, else the last 20%."""
    if n < LOO_BELOW:
        return [([j for j in range(n) if j != i], [i]) for i in range(n)]
    n_held = min(MAX_HELDOUT, max(1, round(0.2 * n)))
    return [(list(range(n - n_held)), list(range(n - n_held, n)))]


def select_layer_alpha(
    reader,
    fold_vectors: Sequence[tuple[list[int], np.ndarray]],
    prefixes: Sequence[Sequence[int]],
    users: Sequence[Sequence[int]],
    *,
    fixed_layer: int | None = None,
    fixed_alpha: float | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[int, float, list[dict[str, Any]]]:
    """Best (layer, alpha) by held-out log-likelihood gain, and the table of what was tried.

    `fold_vectors` pairs each fold's held-out item indices with the vector built
    from the fold's other items, shape (n_layer, n_embd).
    """
    reader = as_reader(reader)
    n_layer = fold_vectors[0][1].shape[0]
    held = [(i, vec) for ho, vec in fold_vectors for i in ho]
    seqs = [(list(prefixes[i]) + list(users[i][:SELECT_TOKENS]), len(prefixes[i]))
            for i, _v in held]
    n_tokens = sum(len(s[0]) - s[1] for s in seqs)
    expected = 4 + len(LAYER_FRACTIONS)

    def mean_ll(lps: Sequence[np.ndarray]) -> float:
        return float(sum(lp.sum() for lp in lps) / max(1, n_tokens))

    calls = 0

    def score(configs: Sequence[tuple[int, float]]) -> list[float]:
        nonlocal calls
        if should_stop and should_stop():
            raise GenerationCancelled("Stopped.")
        all_seqs, steer = [], []
        for layer, alpha in configs:
            for (_i, vec), sq in zip(held, seqs, strict=True):
                all_seqs.append(sq)
                steer.append(None if alpha == 0 else (layer, alpha * vec[layer]))
        lps = steered_logprobs(reader, all_seqs, steer)
        k = len(seqs)
        calls += len(configs)
        if progress:
            progress(min(1.0, calls / expected))
        return [mean_ll(lps[c * k : (c + 1) * k]) for c in range(len(configs))]

    table: list[dict[str, Any]] = []
    results: dict[tuple[int, float], float] = {}

    def run(configs: list[tuple[int, float]]) -> None:
        todo = [c for c in configs if c not in results]
        if todo:
            for c, v in zip(todo, score(todo), strict=True):
                results[c] = v - base
                table.append({"layer": c[0], "alpha": c[1], "gain": round(v - base, 4)})

    base = score([(1, 0.0)])[0]
    layers = [fixed_layer] if fixed_layer is not None else sorted(
        {min(n_layer - 1, max(1, round(f * n_layer))) for f in LAYER_FRACTIONS})
    a0 = fixed_alpha if fixed_alpha is not None else START_ALPHA
    run([(L, a0) for L in layers])
    layer = max(layers, key=lambda L: results[(L, a0)])
    alpha = a0
    if fixed_alpha is None:
        run([(layer, a0 * 2), (layer, a0 / 2)])
        step = 2.0 if results[(layer, a0 * 2)] >= results[(layer, a0 / 2)] else 0.5
        while MIN_ALPHA <= alpha * step <= MAX_ALPHA:  # climb while the gain grows
            nxt = alpha * step
            run([(layer, nxt)])
            if results[(layer, nxt)] <= results[(layer, alpha)]:
                break
            alpha = nxt
    log.info("selection: layer %d alpha %.3g gain %.4f nats/token over %d held-out tokens",
             layer, alpha, results[(layer, alpha)], n_tokens)
    return layer, float(alpha), table
