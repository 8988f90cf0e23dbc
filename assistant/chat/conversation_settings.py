"""Per-conversation settings: instructions (its own system prompt), the method, and the
reply's temperature and length.

A conversation may carry its own instructions ("answer in German, briefly"), its
own personalization method, temperature and reply length; each overrides the
app-wide setting for that conversation only (a flag given for one turn overrides
both). One check here serves the window, the CLI and import; the numbers get the
app-wide setting's own check (`assistant.settings.check_setting`).
"""

from __future__ import annotations

import re
from typing import Any

from assistant.errors import UserError
from assistant.settings import MAX_SYSTEM_PROMPT, check_setting
from assistant.text_rules import check_text

KEYS = ("instructions", "method", "temperature", "max_tokens")
SAMPLING_KEYS = ("temperature", "max_tokens")  # what a turn's sampling takes from here
_METHOD = re.compile(r"^[a-z][a-z+]{0,39}$")  # the registry decides which names exist


def check_conversation_settings(values: Any) -> dict[str, Any]:
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
                or "\x00" in instructions:  # as the app-wide system prompt's own rule
            raise UserError(f"A conversation's instructions are text of at most "
                            f"{MAX_SYSTEM_PROMPT} characters.")
        check_text(instructions, "A conversation's instructions", max_chars=MAX_SYSTEM_PROMPT)
        out["instructions"] = instructions
    method = values.get("method")
    if method not in (None, ""):
        if not isinstance(method, str) or not _METHOD.match(method):
            raise UserError("A conversation's method must be a method name "
                            "(see 'assistant chat --help').")
        out["method"] = method
    for key in SAMPLING_KEYS:
        value = values.get(key)
        if value not in (None, ""):
            try:
                out[key] = check_setting(key, value)
            except UserError as exc:
                raise UserError(f"This conversation's {exc}") from None
    return out


def sampling_of(settings: dict[str, Any]) -> dict[str, Any]:
    """The sampling overrides a conversation's settings make (temperature, reply length)."""
    return {k: settings[k] for k in SAMPLING_KEYS if settings.get(k) is not None}
