"""Fints' strength, chosen per user by what it makes the model write.

The paper applies every instance vector at a fixed alpha; one alpha for all
users is a constant tuned on somebody else. Here each held-out text of the user
(its last eight, `held_out_indices`) gets the intervention chat
would give its prompt, mixed from the *other* items of the bank, and the reply
the model writes under each candidate strength is scored against the hidden
text (`engine.methods.generation_calibration`: ROUGE-L and METEOR, fluency
guard, generated positions only).

A strength is a fraction of the residual stream's norm at the Fints layer, as
for SteerX, so the candidates mean the same push for both. Because Fints mixes a
different vector for every request, the fraction is stored, not a multiplier:
chat turns it into the multiplier of the vector it mixed for that request
(`FintsChoice.alpha_for`). The paper's alpha = 1 is one of the candidates (the
fraction the unscaled vectors have on this user's held-out texts, on average),
so the choice can keep the paper's setting when it writes best.

`rag+fints` steers a prompt that already holds the user's most relevant texts, where
the push that helps is another than alone (the prompt carries the wording, the vector
what the prompt does not). Its fraction is chosen the same way with each held-out
text's prompt holding the user's *other* texts, as chat retrieves them; the two
settings share the vectors, so their replies are written in the same batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.methods import generation_calibration as gc
from engine.methods.fints import DEFAULT_K, DEFAULT_TEMPERATURE, FintsBank


def held_out_indices(n: int) -> list[int]:
    """The items hidden in turn: the last `MAX_HELD` (all of a short history).

    Fints hides one item at a time from its bank (`FintsBank.without`), which costs no
    new vectors, so it need not share SteerX's folds, which judge a history of ten to
    39 items on its last fifth alone: a strength chosen among five candidates on two
    texts is a coin toss (on the invented user of tests/test_fints_strength.py that
    choice lost to the strength it ranked last on all five texts the build never saw).
    """
    return list(range(max(0, n - gc.MAX_HELD), n))


def choose_strength(
    bank: FintsBank,
    prompts: Sequence[Sequence[int]],
    query_embs: np.ndarray,
    texts: Sequence[str],
    batched,
    detokenize: Callable[[Sequence[int]], str],
    n_layer: int,
    *,
    k: int = DEFAULT_K,
    temperature: float = DEFAULT_TEMPERATURE,
    fractions: Sequence[float] = gc.FRACTIONS,
    tokens: int = gc.CALIBRATION_TOKENS,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
    with_texts_prompt: Callable[[int], Sequence[int]] | None = None,
) -> dict[str, Any]:
    """The fraction of the residual norm Fints steers this user's replies at.

    `prompts[i]` is item i's chat prompt as tokens (what its reply is written after),
    `query_embs[i]` what chat would retrieve items by for it (the embedded request),
    `texts[i]` the user's real text. Returns {"fraction", "residual_norm", "layer",
    "selection", "held_out", "paper_fraction"}, and with `with_texts_prompt` (item i's
    prompt with the user's other texts in it) also "with_texts": {"fraction",
    "selection", "held_out"}, the choice for `rag+fints`.
    """
    if len(bank) < 2:
        raise ValueError("Fints' strength needs at least two items: one to hide, one to steer.")
    layer = bank.layers[0]
    norm = bank.residual_norm()
    held: dict[str, list[gc.HeldOut]] = {"alone": []}
    if with_texts_prompt is not None:
        held["with_texts"] = []
    paper: list[float] = []
    for i in held_out_indices(len(bank)):
        choice = bank.without(i).choose(query_embs[i], k=k, temperature=temperature)
        vec = choice.layer_array(n_layer)  # one array for both settings: one batch
        held["alone"].append(gc.HeldOut(list(prompts[i]), vec, texts[i]))
        if with_texts_prompt is not None:
            held["with_texts"].append(gc.HeldOut(list(with_texts_prompt(i)), vec, texts[i]))
        paper.append(float(np.linalg.norm(vec[layer])) / norm if norm else 0.0)
    paper_fraction = round(float(np.mean(paper)), 4)
    candidates = sorted({0.0, *fractions, paper_fraction})
    chosen = gc.choose_per_setting(batched, detokenize, held, layer, norm,
                                   fractions=candidates, tokens=tokens,
                                   should_stop=should_stop, progress=progress)
    alone = chosen["alone"]
    out: dict[str, Any] = {"fraction": alone.fraction, "residual_norm": norm, "layer": layer,
                           "selection": alone.table, "held_out": alone.n_held,
                           "paper_fraction": paper_fraction}
    if "with_texts" in chosen:
        wt = chosen["with_texts"]
        out["with_texts"] = {"fraction": wt.fraction, "selection": wt.table,
                             "held_out": wt.n_held}
    return out
