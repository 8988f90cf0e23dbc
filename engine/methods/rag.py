"""Which of the user's own texts go into the prompt: the one rule chat, drafting, the
evaluation and the stack's calibration share, so a strength chosen with texts in the
prompt is chosen with the texts the user's requests will really get.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

RAG_K = 5  # at most this many texts
RAG_ITEM_TOKENS = 400  # one text longer than this is cut: several short ones say more
# A text sharing this much of its words with the request is a copy of it (an earlier,
# near-identical request), not an example of the user's writing: handing it to the model
# makes the reply begin with the request word for word.
DUPLICATE_JACCARD = 0.5  # word-set Jaccard of the two
DUPLICATE_CONTAINED = 0.8  # share of the text's words that are in the request
_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def is_near_duplicate(request: str, text: str) -> bool:
    """Whether `text` is (nearly) the request itself: word sets with a Jaccard of at least
    DUPLICATE_JACCARD, or a text whose words lie mostly inside the request (a piece of
    it). A long text that merely contains a short request's words is not a duplicate."""
    a, b = _words(request), _words(text)
    if not b:
        return True  # nothing of the user's writing in it
    if not a:
        return False
    inter = len(a & b)
    return inter / len(a | b) >= DUPLICATE_JACCARD or inter / len(b) >= DUPLICATE_CONTAINED


def not_duplicates(query: str, texts: Sequence[str]) -> list[int]:
    """Indices of the texts that are not near-duplicates of `query`."""
    return [i for i, t in enumerate(texts) if not is_near_duplicate(query, t)]


def most_similar(query: str, texts: Sequence[str], k: int = RAG_K) -> list[int]:
    """Indices of the k texts most like `query` (MiniLM embeddings), in their original
    order, near-duplicates of the query left out; all the others, with no embedding at
    all, when there are at most k."""
    keep = not_duplicates(query, texts)
    if len(keep) <= k:
        return keep
    from engine.methods.embeddings import embed

    vecs = embed([query, *(texts[i] for i in keep)])
    sims = vecs[1:] @ vecs[0]
    return sorted(keep[int(i)] for i in np.argsort(-sims)[:k])
