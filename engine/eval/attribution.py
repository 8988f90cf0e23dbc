"""Authorship attribution: is an output closer to its own author than to the others?

ROUGE and METEOR count shared words with one reference, so they reward the topic
and the length as much as the person. Attribution asks a different question: among
the N authors of a run, whose held-out text (the gold each row's author really
wrote) is the output most like? Two measures, because they fail differently:

- **embedding**: cosine similarity of MiniLM sentence embeddings (the model the app
  ships for retrieval). It sees content and topic, so even an unsteered output is
  often attributed to its own row; read it against `none` and the other-user control.
- **stylometric**: Burrows's Delta over function-word rates, sentence and word
  length and punctuation rates, z-scored across the run's references. It barely sees
  topic, so it is the closer measure of voice, and the noisier one.

Both report accuracy@1 and mean reciprocal rank (MRR) with chance beside them:
1/N and H_N/N for N candidate authors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Common English function words: their rates are the classic authorship signal
# (Mosteller and Wallace; Burrows) because writers use them without thinking.
FUNCTION_WORDS = (
    "the", "of", "and", "to", "a", "in", "that", "is", "for", "it", "as", "with", "was", "on",
    "be", "by", "this", "are", "we", "which", "an", "or", "from", "at", "not", "but", "have",
    "has", "can", "these", "our", "also", "their", "its", "such", "been", "more", "than",
    "other", "however", "both", "each", "into", "while", "thus", "may", "only", "between",
    "through",
)
PUNCTUATION = (",", ";", ":", "(", "-", '"', "!", "?")

_SENT_RE = re.compile(r"[^.!?]+[.!?]*")
_WORD_RE = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")


def style_features(text: str) -> np.ndarray:
    """Function-word rates, mean sentence and word length, punctuation per word."""
    words = [w.lower() for w in _WORD_RE.findall(text)]
    n = max(1, len(words))
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    fw = [counts.get(w, 0) / n for w in FUNCTION_WORDS]
    sentences = [s for s in _SENT_RE.findall(text) if _WORD_RE.search(s)]
    sent_len = n / max(1, len(sentences))
    word_len = sum(len(w) for w in words) / n
    punct = [text.count(p) / n for p in PUNCTUATION]
    return np.asarray([*fw, sent_len, word_len, *punct], dtype=float)


def burrows_delta_similarity(outputs: Sequence[str], references: Sequence[str]) -> np.ndarray:
    """similarity[i, j] = -Delta(output i, reference j), z-scores from the references."""
    ref = np.stack([style_features(t) for t in references])
    out = np.stack([style_features(t) for t in outputs])
    mu, sd = ref.mean(axis=0), ref.std(axis=0)
    keep = sd > 1e-12  # a feature no reference varies on tells authors nothing
    zr = (ref[:, keep] - mu[keep]) / sd[keep]
    zo = (out[:, keep] - mu[keep]) / sd[keep]
    return -np.abs(zo[:, None, :] - zr[None, :, :]).mean(axis=2)


def embedding_similarity(outputs: Sequence[str], references: Sequence[str],
                         embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
    vecs = embed([*outputs, *references])
    return vecs[: len(outputs)] @ vecs[len(outputs):].T


@dataclass(frozen=True)
class Attribution:
    """How often, and how near the top, each output's own author ranks."""

    accuracy: float
    mrr: float
    n_candidates: int
    ranks: tuple[int, ...]

    @property
    def chance_accuracy(self) -> float:
        return 1.0 / self.n_candidates

    @property
    def chance_mrr(self) -> float:
        return sum(1.0 / k for k in range(1, self.n_candidates + 1)) / self.n_candidates

    def as_dict(self) -> dict[str, float]:
        return {"acc1": round(self.accuracy, 4), "mrr": round(self.mrr, 4),
                "chance_acc1": round(self.chance_accuracy, 4),
                "chance_mrr": round(self.chance_mrr, 4)}


def attribute(similarity: np.ndarray, truth: Sequence[int] | None = None) -> Attribution:
    """Rank the candidates for each output; `truth[i]` is output i's author (default i).

    Ties count against the output (its author ranks below every candidate that ties
    it), so a measure that sees nothing scores chance or worse, never better.
    """
    sim = np.asarray(similarity, dtype=float)
    n_out, n_cand = sim.shape
    truth = list(range(n_out)) if truth is None else list(truth)
    ranks = []
    for i in range(n_out):
        own = sim[i, truth[i]]
        ranks.append(1 + int(np.sum(np.delete(sim[i], truth[i]) >= own)))
    r = np.asarray(ranks, dtype=float)
    return Attribution(float(np.mean(r == 1)), float(np.mean(1.0 / r)), n_cand, tuple(ranks))
