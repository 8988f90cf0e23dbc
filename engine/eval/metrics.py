"""ROUGE-1, ROUGE-L (rouge-score) and METEOR (nltk), with no downloads at run time.

METEOR's synonym stage needs WordNet. nltk.download cannot reach its host here,
so `assistant.tools.setup_wordnet` installs Debian's copy; when it is absent we
score without synonyms (exact and stem matches only) and *say so* in the report,
because those numbers are not comparable with published METEOR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A word, or one punctuation mark: close enough to nltk's word_tokenize for
# METEOR and needs no punkt model.
_TOKEN_RE = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


@lru_cache(maxsize=1)
def wordnet_available() -> bool:
    """True when nltk can open WordNet (METEOR then matches synonyms as published)."""
    try:
        from nltk.corpus import wordnet

        wordnet.ensure_loaded()
        return bool(wordnet.synsets("dog"))
    except Exception:
        return False


class _NoSynonyms:
    """Stands in for WordNet: no synsets, so METEOR uses exact and stem matches only."""

    @staticmethod
    def synsets(*_args, **_kwargs) -> list:
        return []


@lru_cache(maxsize=1)
def _scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)


METRICS = ("rouge1", "rougeL", "meteor")


@dataclass(frozen=True)
class Scores:
    rouge1: float
    rougeL: float
    meteor: float

    def as_dict(self) -> dict[str, float]:
        return {"rouge1": self.rouge1, "rougeL": self.rougeL, "meteor": self.meteor}


def meteor(reference: str, hypothesis: str) -> float:
    from nltk.translate.meteor_score import meteor_score

    ref, hyp = tokenize(reference), tokenize(hypothesis)
    if not ref or not hyp:
        return 0.0
    if wordnet_available():
        return float(meteor_score([ref], hyp))
    return float(meteor_score([ref], hyp, wordnet=_NoSynonyms()))


def score(reference: str, hypothesis: str) -> Scores:
    """F-measures of ROUGE-1 and ROUGE-L (with stemming) and METEOR, each in [0, 1]."""
    r = _scorer().score(reference, hypothesis)
    return Scores(r["rouge1"].fmeasure, r["rougeL"].fmeasure, meteor(reference, hypothesis))
