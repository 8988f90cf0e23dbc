"""One conversation as a file to share: Markdown to read, JSON to load elsewhere.

Unlike the backup archive (everything, for this app), a shared conversation holds
only what the user sees in it: the title and the turns. Nothing of the writing
history, the profile, the settings or any key goes in, and the file is written
atomically (a temp file renamed into place) so a crash never leaves half of it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from assistant.chat.conversations import ChatService
from assistant.errors import UserError

FORMATS = ("md", "json")
SHARE_FORMAT = "voice-assistant-conversation"


def conversation_markdown(chat: ChatService, conversation_id: int) -> str:
    view = _view(chat, conversation_id)
    lines = [f"# {view.title}", "", f"*{view.created_at:%Y-%m-%d %H:%M} UTC*", ""]
    for m in chat.messages(conversation_id):
        if m.role == "system":
            continue
        who = "You" if m.role == "user" else "Assistant"
        mark = " (cut short)" if m.status == "partial" else ""
        lines += [f"**{who}**{mark}:", "", m.content.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def conversation_json(chat: ChatService, conversation_id: int) -> str:
    view = _view(chat, conversation_id)
    doc = {
        "format": SHARE_FORMAT, "format_version": 1, "title": view.title,
        "created_at": view.created_at.isoformat(),
        "messages": [{"role": m.role, "content": m.content, "status": m.status,
                      "created_at": m.created_at.isoformat()}
                     for m in chat.messages(conversation_id)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def export_conversation(chat: ChatService, conversation_id: int, dest: str | Path,
                        fmt: str | None = None, *, force: bool = False) -> Path:
    """Write the conversation to `dest` (format from `fmt` or the file's suffix)."""
    out = Path(dest).expanduser().absolute()
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise UserError("Share a conversation as .md (Markdown) or .json; "
                        f"{out.name} is neither (or pass --format).")
    text = (conversation_markdown if fmt == "md" else conversation_json)(chat, conversation_id)
    if out.is_dir():
        raise UserError(f"{out} is a folder; give a file name such as chat.{fmt}.")
    if out.exists() and (not out.is_file() or not force):
        raise UserError(f"{out} already exists; add --force to overwrite it."
                        if out.is_file() else f"{out} is not a regular file.")
    if not out.parent.is_dir():
        raise UserError(f"The folder {out.parent} does not exist.")
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"Cannot write {out}: {exc.strerror}.") from exc
    return out


def _view(chat: ChatService, conversation_id: int):
    for v in chat.list_conversations():
        if v.id == conversation_id:
            return v
    raise UserError(f"No conversation with id {conversation_id}.")
