"""Which of the user's own texts go into the prompt: the one rule (`pick_texts`) that
chat, drafting, CoSteer's local context and the evaluation share, so the evaluation
measures what users get.

The rule: the request itself and near-copies of it are never picked
(`is_near_duplicate`); of the most recent RAG_SCAN texts, the RAG_K most like the
request by MiniLM embeddings, the most similar first; each cut to RAG_ITEM_TOKENS
tokens; kept while they fit the budget (a quarter of the context after the reply's
room, `rag_budget`), a text that does not fit skipped for a shorter one after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

RAG_K = 5  # at most this many texts
RAG_ITEM_TOKENS = 400  # one text longer than this is cut: several short ones say more
RAG_CONTEXT_SHARE = 0.25  # the texts take at most this share of the context left for them
RAG_SCAN = 500  # the most recent texts searched (embedding more per request is slow)
_CACHE_MAX = 50_000  # embeddings kept per process (a text is embedded once, not per request)
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


class Tokenizer(Protocol):
    """What the budget is counted with: the model's tokenizer (engine.runtime.llamacpp)."""

    def tokenize(self, text: str) -> list[int]: ...

    def detokenize(self, tokens: Sequence[int]) -> str: ...


@dataclass(frozen=True)
class Retrieved:
    """The texts picked for one request, as they go into the prompt."""

    texts: list[str]  # the most similar first, each cut to RAG_ITEM_TOKENS
    indices: list[int]  # where each came from in the texts searched
    tokens: int  # the budget they use
    candidates: int  # how many texts were there to pick from (none near-copies of the request)


def rag_budget(n_ctx: int, reply_tokens: int) -> int:
    """The tokens the user's texts may take: a quarter of the context after the reply's
    room, so the conversation keeps most of the window."""
    return int((n_ctx - reply_tokens) * RAG_CONTEXT_SHARE)


_VECTORS: dict[str, np.ndarray] = {}


def _vectors(texts: Sequence[str], *, apart: bool = False) -> np.ndarray:
    """The texts' embeddings (requests and the user's texts alike), each embedded once per
    process; `apart`: in a child process (`embeddings.embed_apart`)."""
    from engine.methods.embeddings import embed, embed_apart

    missing = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
    if missing:
        if len(_VECTORS) + len(missing) > _CACHE_MAX:
            _VECTORS.clear()
        for text, vec in zip(missing, (embed_apart if apart else embed)(missing), strict=True):
            _VECTORS[text] = vec
    return np.stack([_VECTORS[t] for t in texts])


def prepare(texts: Sequence[str]) -> None:
    """Embed `texts` (requests to come and the texts they pick from) in a child process,
    so that `pick_texts` over them never loads torch here: what a profile build does
    before it tries strengths with the user's texts in the prompt."""
    if texts:
        _vectors(list(texts), apart=True)


def pick_texts(request: str, texts: Sequence[str], tokenizer: Tokenizer, budget: int,
               k: int = RAG_K) -> Retrieved:
    """The user's texts for `request`, by the one rule (see the module's docstring).

    `texts` are the user's own, oldest first; `budget` is `rag_budget(...)` of the
    context the prompt goes to."""
    start = max(0, len(texts) - RAG_SCAN)
    pool = [i for i in range(start, len(texts)) if not is_near_duplicate(request, texts[i])]
    if not pool:
        return Retrieved([], [], 0, 0)
    sims = _vectors([texts[i] for i in pool]) @ _vectors([request])[0]
    picked, where, used = [], [], 0
    for j in np.argsort(-sims)[:k]:
        i = pool[int(j)]
        toks = tokenizer.tokenize(texts[i])
        if len(toks) > RAG_ITEM_TOKENS:
            toks = toks[:RAG_ITEM_TOKENS]
        if used + len(toks) > budget:
            continue
        picked.append(tokenizer.detokenize(toks) if len(toks) == RAG_ITEM_TOKENS else texts[i])
        where.append(i)
        used += len(toks)
    return Retrieved(picked, where, used, len(pool))
