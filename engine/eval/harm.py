"""Harm of requests leaking into personalization: what the `requests` control counts.

When a user's chat requests ("Show a Python hello world", "Write a note to ...") are
learned as their writing, a personalized reply can turn into one of them. Three kinds,
each a plain rule:

- code: the reply holds a code block (or a code line) though the task asks for prose;
- repeat: the reply repeats a pooled request (an 8-gram of it, in words);
- answers: the reply is about a pooled request, not the task (it shares more of the
  request's content words than of the task's, and at least half of the request's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NGRAM = 8
_WORD = re.compile(r"[a-z0-9']+")
_CODE = re.compile(r"```|^\s*(?:def |import |print\(|#include|public static|console\.log)",
                   re.MULTILINE)
_STOP_WORDS = (
    "a an the and or but of to in on at for with about from by as is are was were be been "
    "it its this that these those i you he she we they me my your our their his her them "
    "do does did can could would should will shall may might must not no yes so if then "
    "than too very just also please write show give tell make short note some any all")
_STOP = frozenset(_STOP_WORDS.split())


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _content(text: str) -> set[str]:
    return {w for w in _words(text) if w not in _STOP and len(w) > 2}


def _ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def asks_for_code(task: str) -> bool:
    t = task.lower()
    return "```" in t or bool(re.search(r"\b(code|python|function|script|program|sql)\b", t))


def harms(reply: str, task: str, pool: Sequence[str]) -> list[str]:
    """The kinds of harm in one reply ([] when none): "code", "repeat", "answers"."""
    found: list[str] = []
    if not asks_for_code(task) and _CODE.search(reply):
        found.append("code")
    reply_words = _words(reply)
    grams = _ngrams(reply_words)
    task_grams = _ngrams(_words(task))
    if any((_ngrams(_words(p)) - task_grams) & grams for p in pool):
        found.append("repeat")
    said = _content(reply)
    on_task = len(_content(task) & said) / max(1, len(_content(task)))
    for p in pool:
        want = _content(p)
        if len(want) >= 2:
            share = len(want & said) / len(want)
            if share >= 0.5 and share > on_task:
                found.append("answers")
                break
    return found
