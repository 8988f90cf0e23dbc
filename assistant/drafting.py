"""Prompt templates for the drafting pane: continue, rewrite in my voice, shorten, make formal.

They live here, not in the GUI, so that any front end (and the personalization
methods, which will steer the same prompts) builds exactly the same chat. The
templates are short on purpose: the embedded model is small and follows a plain
instruction better than a long one.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import UserError

EXAMPLE_CHARS = 400
MAX_EXAMPLES = 3


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
            "in the same style, without repeating the text.",
            appends=True,
        ),
        DraftAction(
            "voice",
            "Rewrite in my voice",
            "Rewrite the text below so that it sounds like the author of the examples: "
            "their tone, word choice and sentence length. Keep the meaning. "
            "Write only the rewritten text.",
            uses_voice=True,
        ),
        DraftAction(
            "shorten",
            "Shorten",
            "Shorten the text below to about half its length. Keep the key points and the "
            "author's tone. Write only the shortened text.",
        ),
        DraftAction(
            "formal",
            "Make formal",
            "Rewrite the text below in a formal, polite register. Keep the meaning. "
            "Write only the rewritten text.",
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
    system = "You are a careful writing assistant. " + spec.instruction
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
