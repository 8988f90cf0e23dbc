"""Which of the user's own texts go into the prompt: the one rule chat, drafting, the
evaluation and the stack's calibration share, so a strength chosen with texts in the
prompt is chosen with the texts the user's requests will really get.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RAG_K = 5  # at most this many texts
RAG_ITEM_TOKENS = 400  # one text longer than this is cut: several short ones say more


def most_similar(query: str, texts: Sequence[str], k: int = RAG_K) -> list[int]:
    """Indices of the k texts most like `query` (MiniLM embeddings), in their original
    order; all of them, with no embedding at all, when there are at most k."""
    if len(texts) <= k:
        return list(range(len(texts)))
    from engine.methods.embeddings import embed

    vecs = embed([query, *texts])
    sims = vecs[1:] @ vecs[0]
    return sorted(int(i) for i in np.argsort(-sims)[:k])
