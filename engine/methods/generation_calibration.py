"""Choosing a profile's strength by what it makes the model write (leave-one-out).

The likelihood choice (`engine.methods.calibration`) scores the user's tokens under
teacher forcing, which a free-running reply never sees. This choice hides each of
the user's texts in turn, lets the model write a reply to that text's prompt under
each candidate strength, and scores the replies against the hidden text with the
evaluation's own metrics (ROUGE-L and METEOR, averaged). The vector steering a
held-out text is built without it. It is made per setting: the method alone (the
task's prompt only) and, for SteerX, with the user's *other* texts in the prompt as
rag+steerx puts them there; the two settings are written in the same batches.

Strengths are fractions of the residual stream's norm at the layer, so one set of
candidates means the same push on any model and for any method: no constant tuned
for one method is inherited by another. Strength 0 is always a candidate: a user
for whom steering does not help gets none, rather than a constant tuned on someone
else.

A fluency guard refuses a strength whose replies the plain model finds much less
likely than its own (perplexity above `FLUENCY_RATIO` times the unsteered reply's, on
average), so a strength cannot win by a lucky word in broken text. Every reply is
generated with steering on generated positions only.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.runtime.generation import SamplingSettings

log = logging.getLogger(__name__)

STAGE = "trying strengths on your texts"  # the progress stage
# Fractions of the mean residual norm at the layer (0 always included). Set on paper_dev
# rows 100-103 (tuning rows, never reported): of 0.05, 0.1 and 0.2 the users there chose
# 0.05 or 0.1, and 0.2 scored below 0.05 for both rows it was tried on.
FRACTIONS = (0.0, 0.025, 0.05, 0.1)
CALIBRATION_TOKENS = 64
FLUENCY_RATIO = 2.0
MAX_HELD = 8


def calibration_sampling(tokens: int = CALIBRATION_TOKENS) -> SamplingSettings:
    """Greedy with a repeat penalty: every candidate is compared on the same footing, with
    no sampling luck between them (the penalty keeps the small model out of loops)."""
    return SamplingSettings(temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
                            repeat_penalty=1.1, max_tokens=tokens)


@dataclass
class HeldOut:
    """One hidden text: the prompt its reply is written after, the vector built without
    it (n_layer, n_embd), and the text itself."""

    prompt: list[int]
    vector: np.ndarray
    reference: str


@dataclass
class GenerationChoice:
    fraction: float  # of the residual norm at the layer; 0: do not steer
    table: list[dict[str, Any]] = field(default_factory=list)
    n_held: int = 0
    # Each fraction's score on each held-out text, in order: what a paired comparison of
    # two strengths needs (the table keeps only the means).
    per_text: dict[float, list[float]] = field(default_factory=dict)


def scale_for(vector: np.ndarray, layer: int, fraction: float, norm: float) -> float:
    """The multiplier of `vector` whose push at `layer` is `fraction` of the residual norm."""
    v = float(np.linalg.norm(vector[layer]))
    return 0.0 if v == 0 else fraction * norm / v


def residual_norm(user_means: Sequence[np.ndarray], layer: int) -> float:
    """Mean norm of the residual stream at `layer` over the user's texts (the scale a
    fraction is taken of)."""
    return float(np.mean([np.linalg.norm(m[layer]) for m in user_means]))


def reply_score(reference: str, reply: str) -> tuple[float, float]:
    """ROUGE-L F and METEOR of `reply` against the hidden text's opening of the same length
    (a 64-token reply is not asked to cover a 300-word text)."""
    from engine.eval.metrics import score
    from engine.eval.stats import cut_to_words, words

    n = max(1, len(words(reply)))
    s = score(cut_to_words(reference, n), reply)
    return s.rougeL, s.meteor


def choose_by_generation(
    batched,
    detokenize: Callable[[Sequence[int]], str],
    held: Sequence[HeldOut],
    layer: int,
    norm: float,
    *,
    fractions: Sequence[float] = FRACTIONS,
    tokens: int = CALIBRATION_TOKENS,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> GenerationChoice:
    """The fraction whose leave-one-out replies score best against the hidden texts,
    among those that pass the fluency guard (0 always passes)."""
    return choose_per_setting(batched, detokenize, {"": held}, layer, norm, fractions=fractions,
                              tokens=tokens, should_stop=should_stop, progress=progress)[""]


def choose_per_setting(
    batched,
    detokenize: Callable[[Sequence[int]], str],
    settings: dict[str, Sequence[HeldOut]],
    layer: int,
    norm: float,
    *,
    fractions: Sequence[float] = FRACTIONS,
    tokens: int = CALIBRATION_TOKENS,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, GenerationChoice]:
    """`choose_by_generation` for several settings at once (the method alone, and with the
    user's texts in the prompt), each chosen on its own replies. Replies of every setting
    that share a vector are written in the same batch, which keeps more sequences busy per
    pass than one setting after another."""
    from engine.runtime.batched import SteeredJob
    from engine.steering.vectors import SteeringVector

    held = [(name, h) for name, hs in settings.items() for h in list(hs)[:MAX_HELD]]
    fr = sorted({0.0, *fractions})
    sampling = calibration_sampling(tokens)
    n_layer = held[0][1].vector.shape[0]
    replies: dict[float, list[list[int]]] = {f: [[] for _ in held] for f in fr}
    nll_rows: dict[float, list[float]] = {f: [0.0] * len(held) for f in fr}
    # Every (held-out text, strength) reply is one job of one batch, each with its own
    # vector (its fold's, at that strength); texts that share a fold share its vector.
    groups: dict[int, list[int]] = {}
    for k, (_name, h) in enumerate(held):
        groups.setdefault(id(h.vector), []).append(k)
    jobs: list[SteeredJob] = []
    where: list[tuple[float, int]] = []
    for ks in groups.values():
        vec = held[ks[0]][1].vector
        sv = SteeringVector.from_layers(vec) if layer < n_layer else None
        for f in fr:
            buf = (None if f == 0 or sv is None or layer not in sv.directions
                   else sv.control_buffer(n_layer, layers=[layer],
                                          scale=scale_for(vec, layer, f, norm)))
            for j, k in enumerate(ks):
                jobs.append(SteeredJob(k, buf, j))
                where.append((f, k))
    done = batched.generate_each(
        [h.prompt for _name, h in held], jobs, sampling, should_stop=should_stop,
        plain_logprobs=True,
        progress=(lambda d, m: progress(d / (m + 1))) if progress else None)
    for (f, k), (reply, lp) in zip(where, done, strict=True):
        replies[f][k] = reply
        nll_rows[f][k] = float(-lp.mean()) if lp.size else 0.0
    choices = {}
    for name in settings:
        ks = [k for k, (n, _h) in enumerate(held) if n == name]
        choices[name] = _choose(fr, [held[k][1] for k in ks],
                                {f: [replies[f][k] for k in ks] for f in fr},
                                {f: [nll_rows[f][k] for k in ks] for f in fr}, detokenize)
        log.info("generation calibration %s: layer %d fraction %.3g over %d held-out texts",
                 name or "-", layer, choices[name].fraction, len(ks))
    if progress:
        progress(1.0)
    return choices


def _choose(fr, held, replies, nll_rows, detokenize) -> GenerationChoice:
    """Score each fraction's replies, apply the fluency guard, keep the best."""
    # The plain model's mean negative log-likelihood of each strength's replies.
    nll = {f: float(np.mean(nll_rows[f])) for f in fr}
    table: list[dict[str, Any]] = []
    per_text: dict[float, list[float]] = {}
    best_f, best = 0.0, -math.inf
    for f in fr:
        scores = [reply_score(h.reference, detokenize(replies[f][k]))
                  for k, h in enumerate(held)]
        per_text[f] = [(r + m) / 2 for r, m in scores]
        rl = float(np.mean([s[0] for s in scores]))
        met = float(np.mean([s[1] for s in scores]))
        fluent = f == 0 or math.exp(nll[f] - nll[0.0]) <= FLUENCY_RATIO
        value = (rl + met) / 2
        table.append({"fraction": f, "rougeL": round(rl, 4), "meteor": round(met, 4),
                      "score": round(value, 4), "nll": round(nll[f], 3), "fluent": fluent})
        if fluent and value > best:
            best_f, best = f, value
    return GenerationChoice(best_f, table, len(held), per_text)
