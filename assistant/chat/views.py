"""What the surfaces show of a conversation and its messages: plain values read from the
store (the window's lists, the CLI's `--json`, serve's history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from store.models import Message


@dataclass
class MessageView:
    id: int
    role: str
    content: str
    status: str
    tokens: int
    model: str | None
    created_at: datetime
    version: int = 0  # which of a regenerated reply's versions is shown (0-based)
    n_versions: int = 1
    edited: bool = False  # the shown version is the user's own edit (ChatService.edit_reply)
    finish_reason: str | None = None  # why the reply ended: stop, length (Continue), cancelled

    @classmethod
    def of(cls, m: Message) -> MessageView:
        meta = m.meta or {}
        versions = meta.get("versions") or []
        n = len(versions) or 1
        shown = meta.get("shown")
        at = shown if isinstance(shown, int) and 0 <= shown < n else n - 1
        edited = bool(versions and isinstance(versions[at], dict) and versions[at].get("edited"))
        reason = meta.get("finish_reason")
        return cls(m.id, m.role, m.content, m.status, m.tokens, m.model, m.created_at,
                   at, n, edited, reason if isinstance(reason, str) else None)

    def as_dict(self) -> dict:
        out = {
            "id": self.id,
            "role": self.role,
            "content": self.content,
            "status": self.status,
            "tokens": self.tokens,
            "model": self.model,
            "created_at": self.created_at.isoformat(),
        }
        if self.n_versions > 1:
            out.update(version=self.version + 1, versions=self.n_versions)
        if self.edited:
            out["edited"] = True
        return out


@dataclass
class ConversationView:
    id: int
    title: str
    created_at: datetime
    updated_at: datetime
    n_messages: int
    cloud_enabled: bool
    settings: dict = field(default_factory=dict)  # assistant.chat.conversation_settings

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "messages": self.n_messages,
            "cloud_enabled": self.cloud_enabled,
            "settings": dict(self.settings),
        }
