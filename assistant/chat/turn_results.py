"""What the turns (`assistant.chat.turn`) hand back: typed results, one class per turn and
step, so a renamed field fails a type check (and at the caller's line), not at run time.

    ChatTurn.start -> TurnStart      ChatTurn.summary -> ChatSummary
    DraftTurn.start -> DraftStart    DraftTurn.summary -> DraftSummary
    ApiTurn.start -> ApiStart        ApiTurn.summary -> ApiSummary
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TurnStart:
    """What a chat turn's `start` did: where its messages are, how big its prompt is."""

    conversation_id: int
    user_message_id: int
    reply_message_id: int
    text: str  # the user's message (a regenerate's, as stored)
    trimmed_turns: int  # the oldest turns left out to fit the context
    prompt_tokens: int
    n_ctx: int
    reply_tokens: int  # the room kept for the reply (max_tokens)
    method: str  # the method that runs (a default one that cannot run falls back to none)
    notice: str  # one sentence for the user about the method ("" when none)
    format_note: str  # about the model's chat format ("" when none)
    cloud_note: str  # what a cloud turn sends, and to whom ("" for a local turn)
    forked: bool  # in a new branch (an edit, an earlier reply written again)
    continued: bool = False  # writes on from the end of an existing reply


@dataclass(frozen=True)
class ChatSummary:
    """A chat turn's outcome: what `--json` prints (`as_dict`) and the window shows."""

    text: str
    status: str  # complete | partial
    tokens: int
    seconds: float
    tokens_per_s: float
    first_token_s: float
    finish_reason: str
    model: str
    model_path: str
    conversation_id: int
    reply_message_id: int
    trimmed_turns: int
    chat_format: str
    method: str
    details: dict[str, Any] = field(default_factory=dict)  # the method's (rag_samples...)
    cloud: dict[str, Any] = field(default_factory=dict)  # {"cloud": bool, ...CoSteer's}

    @property
    def cloud_line(self) -> str:
        return str(self.cloud.get("cloud_line", ""))

    @property
    def fints_items(self) -> list[dict[str, Any]]:
        return list(self.details.get("fints_items", []))

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `assistant chat --json` (the reply's id is its `message_id`)."""
        return {"text": self.text, "status": self.status, "tokens": self.tokens,
                "seconds": self.seconds, "tokens_per_s": self.tokens_per_s,
                "first_token_s": self.first_token_s, "finish_reason": self.finish_reason,
                "model": self.model, "model_path": self.model_path,
                "conversation_id": self.conversation_id, "message_id": self.reply_message_id,
                "trimmed_turns": self.trimmed_turns, "chat_format": self.chat_format,
                "method": self.method, **self.details, **self.cloud}


@dataclass(frozen=True)
class DraftStart:
    """What a drafting action's `start` did: its prompt's size and the method."""

    action: str
    prompt_tokens: int
    n_ctx: int
    reply_tokens: int
    trimmed_turns: int
    method: str
    notice: str


@dataclass(frozen=True)
class DraftSummary:
    """A drafting action's outcome; `text` is only the text it wrote."""

    status: str  # complete | partial
    action: str
    method: str
    appends: bool  # the text goes after the draft (continue), not in its place
    text: str
    tokens: int
    seconds: float
    tokens_per_s: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def fints_items(self) -> list[dict[str, Any]]:
        return list(self.details.get("fints_items", []))


@dataclass(frozen=True)
class ApiStart:
    """What a served request's `start` did."""

    method: str
    prompt_tokens: int
    notice: str


@dataclass(frozen=True)
class ApiSummary:
    """A served request's outcome, which `assistant.serve.protocol` turns into JSON."""

    text: str
    method: str
    finish_reason: str  # stop | length | cancelled
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    tokens_per_s: float
    notice: str
