"""Prompt templates for the drafting pane: continue, rewrite in my voice, shorten, make formal.

They live here, not in the GUI, so that any front end (and the personalization
methods, which will steer the same prompts) builds exactly the same chat. The
templates are short on purpose: the embedded model is small and follows a plain
instruction better than a long one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import UserError

EXAMPLE_CHARS = 400
MAX_EXAMPLES = 3
ONLY_THE_TEXT = (" Reply with the text only: no introduction such as \"Here is\", no quotes "
                 "around it, no notes after it.")


@dataclass(frozen=True)
class DraftAction:
    key: str
    label: str
    instruction: str
    # True: the result continues the text (appended); False: it replaces the text.
    appends: bool = False
    # True: a few of the user's own samples go into the prompt as examples of their voice.
    uses_voice: bool = False


ACTIONS: dict[str, DraftAction] = {
    a.key: a
    for a in (
        DraftAction(
            "continue",
            "Continue",
            "Continue the text below. Write only the continuation (a few sentences), "
            "in the same style and register, without repeating the text.",
            appends=True,
        ),
        DraftAction(
            "voice",
            "Rewrite in my voice",
            "Rewrite the text below so that it sounds like the author of the examples: "
            "their tone, word choice and sentence length. Keep the meaning and the author's "
            "own register: if they write casually, stay casual; add no greeting, title or "
            "sign-off that the text does not have.",
            uses_voice=True,
        ),
        DraftAction(
            "shorten",
            "Shorten",
            "Shorten the text below to about half its length. Keep the key points and the "
            "author's tone and register.",
        ),
        DraftAction(
            "formal",
            "Make formal",
            "Rewrite the text below in a formal, polite register. Keep the meaning.",
        ),
    )
}


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def draft_messages(
    action: str, text: str, voice_examples: list[str] | None = None
) -> list[dict[str, str]]:
    """The chat messages for one drafting action on `text`."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise UserError(f"Unknown drafting action {action!r}; use one of {', '.join(ACTIONS)}.")
    if not text.strip():
        raise UserError("The draft is empty; write something first.")
    system = "You are a careful writing assistant. " + spec.instruction + ONLY_THE_TEXT
    parts: list[str] = []
    examples = [e for e in (voice_examples or []) if e.strip()][:MAX_EXAMPLES]
    if spec.uses_voice and examples:
        parts.append("Examples of the author's writing:")
        parts.extend(f"---\n{_clip(e, EXAMPLE_CHARS)}" for e in examples)
        parts.append("---\nText to rewrite:")
    parts.append(text.strip())
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "\n".join(parts)},
    ]


# What small models put around the text despite the instruction: an introduction
# ("Here's a rewritten version:", "Sure! ..."), quotes around it, a note after it.
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|certainly|of course|okay|ok|absolutely)\b[^\n]*?[.!:]\s*)?"
    r"(?:here(?:'s| is| are)\b[^\n]*?:|(?:the )?(?:rewritten|shortened|revised|formal|"
    r"continued|edited) (?:version|text)[^\n]*?:)[ \t]*\n*",
    re.IGNORECASE)
_ACK = re.compile(r"^\s*(?:sure|certainly|of course|okay|absolutely)[!.,]?[ \t]*\n+",
                  re.IGNORECASE)
_AFTERWORD = re.compile(
    r"\n\s*\n\s*(?:\(?note\b|i hope\b|let me know\b|this (?:version|rewrite)\b|"
    r"i(?:'ve| have) (?:kept|made|rewritten|shortened))[\s\S]*$", re.IGNORECASE)
_QUOTES = (('"', '"'), ("\u201c", "\u201d"), ("'", "'"), ("\u2018", "\u2019"))


def clean_result(text: str) -> str:
    """Only the text a drafting action produced: its introduction, the quotes around it
    and a note after it removed (they would be pasted into the draft by "Use suggestion")."""
    out = text.strip()
    if not out:
        return out
    out = _PREAMBLE.sub("", out, count=1)
    out = _ACK.sub("", out, count=1)
    out = _AFTERWORD.sub("", out).strip()
    for left, right in _QUOTES:
        if len(out) > len(left) + len(right) and out.startswith(left) and out.endswith(right):
            inner = out[len(left):-len(right)]
            if left not in inner and right not in inner:  # one quoted text, not "a" and "b"
                out = inner.strip()
    return out or text.strip()
