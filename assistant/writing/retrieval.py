"""The user's own texts in a chat or draft prompt, and in CoSteer's local context.

Read from the included samples of the writing history and picked by the one rule the
evaluation runs too (`engine.methods.rag.pick_texts`): rag, rag+steerx, rag+fints, the
texts DPS decodes after, and the personal context of a cloud reply all get the same
texts for the same request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.errors import ProfileMissing
from assistant.writing.history import HistoryService, SampleView

if TYPE_CHECKING:  # pragma: no cover
    from engine.methods.rag import Retrieved
    from engine.runtime.llamacpp import LlamaRuntime
    from store import Database


def pick(db: Database, request: str, runtime: LlamaRuntime,
         reply_tokens: int) -> tuple[Retrieved, list[SampleView]]:
    """The included samples for `request` within the budget of the runtime's context after
    a reply of `reply_tokens`, and the picked texts as they go into the prompt."""
    from engine.methods.rag import pick_texts, rag_budget

    samples = HistoryService(db).writing()
    got = pick_texts(request, [s.text for s in samples], runtime,
                     rag_budget(runtime.n_ctx, reply_tokens))
    return got, [samples[i] for i in got.indices]


def retrieve_texts(db: Database, request: str, runtime: LlamaRuntime,
                   reply_tokens: int) -> tuple[list[str], list[int], int]:
    """(texts, their sample ids, tokens used) for a chat or draft request; ProfileMissing
    when there is nothing to pick from."""
    # Only the included samples (chat requests are not, by default), and never the
    # request itself or a near-copy of it (an earlier, near-identical request).
    got, samples = pick(db, request, runtime, reply_tokens)
    if not got.candidates:
        history = HistoryService(db)
        why = ("Your writing history is empty" if not history.count() else
               "None of your writing samples is included (chat messages are left out unless "
               "you include them) or they only repeat this request")
        raise ProfileMissing(
            f"{why}, so there is nothing to put in the prompt. Add your own texts with "
            "'assistant history add FILE' or --text."
        )
    return got.texts, [s.id for s in samples], got.tokens


def with_retrieved(db: Database, request: str, runtime: LlamaRuntime, reply_tokens: int,
                   messages: Sequence[dict[str, str]],
                   ) -> tuple[list[dict[str, str]], dict[str, Any], str]:
    """The messages with the user's most relevant texts in front of the request, the
    details `--explain` and `--json` show, and the notice that says which went in."""
    texts, ids, used = retrieve_texts(db, request, runtime, reply_tokens)
    previews = [preview(t) for t in texts]
    which = "; ".join(f"#{i} \u201c{p}\u201d" for i, p in zip(ids, previews, strict=True))
    return (with_texts(messages, texts),
            {"rag_samples": ids, "rag_tokens": used, "rag_previews": previews},
            f"{len(ids)} of your texts ({used} tokens) are in the prompt: {which}.")


def preview(text: str, n: int = 48) -> str:
    """A retrieved text's opening words, to say which texts went in (`--explain`, window)."""
    line = " ".join(text.split())
    return line if len(line) <= n else line[:n].rsplit(" ", 1)[0] + "\u2026"


def with_texts(messages: Sequence[dict[str, str]], texts: Sequence[str]) -> list[dict[str, str]]:
    from engine.methods.profile_build import with_examples

    out = [dict(m) for m in messages]
    out[-1]["content"] = with_examples(out[-1]["content"], texts)
    return out
