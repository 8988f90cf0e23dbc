"""Per-conversation settings: instructions (its own system prompt) and the method.

A conversation may carry its own instructions ("answer in German, briefly") and
its own personalization method; both override the app-wide settings for that
conversation only. One check here serves the window, the CLI and import.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.errors import UserError
from assistant.settings import MAX_SYSTEM_PROMPT

KEYS = ("instructions", "method")
_METHOD = re.compile(r"^[a-z][a-z+]{0,39}$")  # the registry decides which names exist


def check_conversation_settings(values: Any) -> dict[str, str]:
    """`values` without empty entries, or a one-line `UserError` naming what is wrong."""
    if not isinstance(values, dict):
        raise UserError("Conversation settings must be a mapping of instructions and method.")
    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise UserError(f"Unknown conversation setting {unknown[0]!r}; known: "
                        f"{', '.join(KEYS)}.")
    out: dict[str, str] = {}
    instructions = values.get("instructions")
    if instructions not in (None, ""):
        if not isinstance(instructions, str) or len(instructions) > MAX_SYSTEM_PROMPT \
                or "\x00" in instructions:
            raise UserError(f"A conversation's instructions are text of at most "
                            f"{MAX_SYSTEM_PROMPT} characters.")
        out["instructions"] = instructions
    method = values.get("method")
    if method not in (None, ""):
        if not isinstance(method, str) or not _METHOD.match(method):
            raise UserError("A conversation's method must be a method name "
                            "(see 'assistant chat --help').")
        out["method"] = method
    return out
