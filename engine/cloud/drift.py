"""Whether a remote's answer continues the text it was sent, or starts a reply of its own.

On the chat route the reply so far goes in as a final assistant message. An endpoint
that does not continue it (OpenAI's API opens a new assistant turn) answers from the
start again, or with a new sentence glued to a half-written word; splicing that onto
the reply would make two replies into one. The signs, in the order checked:

- it repeats the start of the reply so far (a restart);
- the reply so far ends inside a word and the answer starts with a capital letter
  with no space before it (continuations of a word are lower case; a new word after
  a finished one starts with a space).
"""

from __future__ import annotations

import re

_RESTART_CHARS = 24


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def continues(reply_so_far: str, answer: str) -> bool:
    if not reply_so_far.strip() or not answer:
        return True
    head = _norm(reply_so_far)[:_RESTART_CHARS]
    if len(head) >= 8 and _norm(answer).startswith(head):
        return False
    last, first = reply_so_far[-1], answer[0]
    return not (last.isalpha() and first.isupper())
