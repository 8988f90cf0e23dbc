"""The user's preferences in plain words, written by the local model.

SteerX turns the preference-driven tokens it found into a description the user
can read and edit. The local model writes it from those tokens and a few short
excerpts (nothing leaves the machine). Small models sometimes answer with
nothing usable; then a plain template built from the tokens stands in, so the
user always sees what was learned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.runtime.generation import SamplingSettings
from engine.runtime.llamacpp import LlamaRuntime

MAX_EXCERPTS = 3
EXCERPT_CHARS = 220
MAX_TOKENS_SHOWN = 12


def _clean_token(tok: str) -> str:
    """A word worth showing: punctuation-only tokens (",", "!") say little on their own."""
    tok = " ".join(tok.split())
    return tok if any(c.isalnum() for c in tok) else ""


def signature_sentence(top_tokens: Sequence[str], n: int = 8) -> str:
    words = [t for t in (_clean_token(t) for t in top_tokens) if t][:n]
    return ("Words you often use: " + ", ".join(f"'{w}'" for w in words) + ".") if words else ""


def description_messages(
    top_tokens: Sequence[str], excerpts: Sequence[str]
) -> list[dict[str, str]]:
    words = [t for t in (_clean_token(t) for t in top_tokens) if t][:MAX_TOKENS_SHOWN]
    shown = "\n".join(
        f"- {' '.join(e.split())[:EXCERPT_CHARS]}" for e in excerpts[:MAX_EXCERPTS] if e.strip()
    )
    user = (
        f"Here are excerpts of one person's writing:\n{shown}\n\n"
        f"Words this person uses far more than usual: {', '.join(repr(w) for w in words)}.\n\n"
        "In two sentences, describe this person's writing style and preferences "
        "(tone, favourite words, sentence length, punctuation). Start with 'You write'."
    )
    return [
        {"role": "system", "content": "You describe writing styles briefly and concretely."},
        {"role": "user", "content": user},
    ]


def fallback_description(top_tokens: Sequence[str]) -> str:
    words = [t for t in (_clean_token(t) for t in top_tokens) if t][:MAX_TOKENS_SHOWN]
    if not words:
        return "Not enough distinctive writing found yet to describe your style."
    return "You write with a recognisable voice; you often use " + ", ".join(
        f"'{w}'" for w in words
    ) + "."


def _tidy(text: str) -> str:
    text = " ".join(text.split())
    # Keep whole sentences: a reply cut at max_tokens ends mid-word.
    sentences = re.findall(r"[^.!?]*[.!?]", text)
    return "".join(sentences[:3]).strip() if sentences else text


def write_description(
    runtime: LlamaRuntime,
    top_tokens: Sequence[str],
    excerpts: Sequence[str],
    *,
    seed: int = 0,
    max_tokens: int = 90,
) -> str:
    """Ask the local model for a short description, ending with the signature words.

    Falls back to a template when the model gives nothing usable.
    """
    msgs = description_messages(top_tokens, excerpts)
    prompt = runtime.fit_chat(msgs, max_tokens)
    sampling = SamplingSettings(temperature=0.5, repeat_penalty=1.15, max_tokens=max_tokens,
                                seed=seed)
    text = _tidy("".join(runtime.stream(prompt, sampling)))
    if len(text.split()) < 5:
        return fallback_description(top_tokens)
    # A small model's summary can miss the concrete habits; the words themselves never do.
    sig = signature_sentence(top_tokens)
    return f"{text} {sig}".strip()
