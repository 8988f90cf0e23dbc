"""What counts as the user's writing: the rules that decide a sample's default `include`.

A chat message is usually a request to the assistant ("Show a Python hello world",
"Can you fix this?"), and a profile built from requests learns to write requests (or
code where a story was asked). So chat messages are kept as conversation and excluded
from the profile and retrieval unless the user turns "Learn from my chat messages" on;
then only messages that read like writing (a few sentences, not a request) count.
The same rules default the flag of data from before it existed (migration 0005, old
archives, ChatGPT imports).
"""

from __future__ import annotations

import re

# Where a sample came from. "typed": pasted or typed as a sample; "edit": the user's
# version of a model's text (an edit pair).
SOURCES = ("file", "typed", "draft", "chat", "edit")
MIN_SENTENCES = 3

# Openings of a request: an imperative verb addressed to the assistant, or a question.
_REQUEST_OPENINGS = (
    "show", "write", "give", "tell", "make", "create", "generate", "explain", "list",
    "summarize", "summarise", "translate", "fix", "rewrite", "draft", "compose", "help",
    "find", "describe", "define", "compare", "suggest", "convert", "calculate", "please",
    "print", "implement", "code", "continue", "shorten", "correct", "check", "answer",
    "can you", "could you", "would you", "will you", "can i", "how do", "how to", "how can",
    "what is", "what are", "what's", "why", "who", "when", "where", "which", "is there",
    "are there", "do you", "does", "i need", "i want you", "i'd like you",
)  # fmt: skip
_OPENING = re.compile(r"^\W*(" + "|".join(re.escape(w) for w in _REQUEST_OPENINGS) + r")\b",
                      re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")


def sentence_count(text: str) -> int:
    """Sentences by their ends (a last one without a full stop counts too)."""
    body = text.strip()
    if not body:
        return 0
    n = len(_SENTENCE_END.findall(body))
    return n + (0 if _SENTENCE_END.search(body[-1:] + " ") else 1)


def looks_like_request(text: str) -> bool:
    """True for what people ask an assistant: an imperative or question opening, a
    question at the end, or code (a fenced block)."""
    body = text.strip()
    if not body:
        return True
    if "```" in body or body.endswith("?"):
        return True
    return bool(_OPENING.match(body))


def counts_as_writing(text: str) -> bool:
    """A chat message that reads like the user's own writing: at least MIN_SENTENCES
    sentences and not a request."""
    return sentence_count(text) >= MIN_SENTENCES and not looks_like_request(text)


def default_include(source: str, text: str = "", *, learn_from_chat: bool = False) -> bool:
    """Whether a new sample from `source` feeds the profile and retrieval by default."""
    if source != "chat":
        return True
    return learn_from_chat and counts_as_writing(text)
