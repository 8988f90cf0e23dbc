"""The one rule for text that comes in, and the one way stored text goes out to a terminal.

Every boundary calls this module before anything is stored: command-line arguments
and stdin, text files, archives and ChatGPT exports (`assistant.data`), HTTP bodies
(`assistant.serve`) and settings. A text is accepted when it is

- valid UTF-8 (bytes are decoded strictly; a `str` must encode back, so a lone
  surrogate such as the JSON escape "\\ud83d" is refused: nothing downstream can
  store, export or print it),
- within its cap (one message or writing sample: `MAX_TEXT_CHARS`).

Control characters, NUL included, are data: SQLite, JSON and the archive keep them
exactly, so a backup made by any version imports again. They never reach a terminal
raw: `for_terminal` escapes them (`\\x1b`, `\\x00`), so a title cannot move the cursor,
recolour the screen or cut a line short. That is the whole policy: refused on the way in
(invalid UTF-8, lone surrogates, over the cap), escaped on the way out (every control
character but tab and newline), the same everywhere. (A few fields refuse NUL on their
own terms: the system prompt and a conversation's instructions, and a "text" file that
holds NUL bytes, which is a binary file.)
"""

from __future__ import annotations

import re
from typing import Any

from assistant.errors import UserError

# One message or writing sample: about a 400-page book. A profile reads the first few
# hundred tokens of each item; a 50 MB paste would only slow every build, export and search.
MAX_TEXT_CHARS = 1_000_000
# How deep a JSON value from outside may nest before it is refused (records are 3 deep).
MAX_JSON_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters a terminal may act on: C0 but tab and newline, DEL, and C1.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class TextError(UserError):
    """A text that breaks the rule; the message names where it came from and what is wrong."""


def check_text(value: Any, what: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """`value` when it is text that may be stored; otherwise a `TextError` naming `what`."""
    if not isinstance(value, str):
        raise TextError(f"{what} must be text.")
    if len(value) > max_chars:
        raise TextError(
            f"{what} is longer than {max_chars:,} characters ({len(value):,}); one text "
            f"holds at most {max_chars:,}. Split it into smaller parts."
        )
    bad = _SURROGATE.search(value)
    if bad is not None:
        raise TextError(
            f"{what} holds an invalid character (a lone surrogate, U+{ord(bad.group()):04X}, "
            f"at position {bad.start()}), which is not valid Unicode text."
        )
    return value


def decode_text(data: bytes, what: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Bytes from a file, stdin or a socket as checked text (UTF-8, a BOM dropped)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextError(
            f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position "
            f"{exc.start}); save it as UTF-8 and try again."
        ) from None
    return check_text(text, what, max_chars=max_chars)


def check_argument(value: str, index: int) -> str:
    """A command-line argument: Python keeps undecodable bytes as surrogates; say which."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start].encode("utf-8", "surrogateescape")
        raise TextError(
            f"Argument {index} is not valid UTF-8 (byte 0x{bad.hex()} at position "
            f"{exc.start}); fix the text's encoding and try again."
        ) from None
    return check_text(value, f"Argument {index}")


def check_json_texts(value: Any, where: str, *, depth: int = 0) -> Any:
    """Every string (keys included) inside a parsed JSON value, checked; `value` unchanged.

    Used on whatever an archive, an export or a request carries, so a lone surrogate
    in a field nobody reads at import time (a message's `meta`, a setting) is refused
    as surely as one in a message's text.
    """
    if depth > MAX_JSON_DEPTH:
        raise TextError(f"{where} is nested deeper than {MAX_JSON_DEPTH} levels.")
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, f"{where}: a key", max_chars=1000)
            check_json_texts(item, f"{where}: {key[:40]}", depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json_texts(item, where, depth=depth + 1)
    return value


def for_terminal(text: str, *, one_line: bool = False) -> str:
    """`text` safe to print: control characters shown as `\\x1b`-style escapes.

    Tabs and newlines stay, unless `one_line` (a title in a list), which escapes them too.
    Lone surrogates (stored by an older version) become U+FFFD rather than crash the print.
    """
    pattern = _LINE_CONTROL if one_line else _TERMINAL_CONTROL
    text = pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return _SURROGATE.sub("\ufffd", text)
