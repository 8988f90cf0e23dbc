"""The one line the window shows after a cloud reply: who wrote it, how much the local
model steered it, and that the history stayed here. Built from the turn's own numbers
(`CoSteerStats`), so it says what happened, not what was meant to."""

from __future__ import annotations

from typing import Any

PRIVATE = "nothing of your history was sent"


def cloud_line(remote_model: str, stats: Any, *, fell_back: bool = False,
               local_tokens: int = 0, plain: bool = False) -> str:
    """E.g. "Written by gpt-x, steered toward your voice on 37 of 120 tokens; nothing of
    your history was sent."

    `stats`: the turn's CoSteerStats (tokens, steered_tokens); `local_tokens`: the
    tokens the local model wrote after a cloud failure (`fell_back`); `plain`: an
    endpoint that cannot be steered answered on its own.
    """
    tokens = int(getattr(stats, "tokens", 0))
    steered = int(getattr(stats, "steered_tokens", 0))
    if plain:
        return (f"Written by {remote_model} without steering (this endpoint cannot be "
                f"steered); {PRIVATE}.")
    remote_tokens = max(0, tokens - local_tokens) if fell_back else tokens
    line = (f"Written by {remote_model}, steered toward your voice on {steered} of "
            f"{remote_tokens} tokens")
    if fell_back and local_tokens:
        line += f", then finished by the local model ({local_tokens} tokens)"
    return f"{line}; {PRIVATE}."
