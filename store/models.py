"""ORM models (SQLAlchemy 2.0 declarative style).

Every table here holds the user's own data; nothing in it ever leaves the machine
unless the user exports it. Secrets (API keys) are deliberately absent: they live
in the OS keyring.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="New chat")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Cloud collaboration is opt-in per conversation and off by default.
    cloud_enabled: Mapped[bool] = mapped_column(default=False)
    # {"instructions": ..., "method": ...}; None in rows from before migration 0004.
    settings: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True, default=dict)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="Message.id",
        passive_deletes=True,
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # user | assistant | system
    content: Mapped[str] = mapped_column(Text, default="")
    # complete | partial: a reply cut short (cancel, crash, kill) stays "partial".
    status: Mapped[str] = mapped_column(String(16), default="complete")
    model: Mapped[str | None] = mapped_column(String(500), default=None)
    tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class WritingSample(Base):
    """A piece of the user's own writing, the raw material of their profile."""

    __tablename__ = "writing_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # What the text answered: the previous turn, a task, or a file name.
    prompt: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))  # file | typed | draft | chat | edit
    source_ref: Mapped[str | None] = mapped_column(String(500), default=None)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None, index=True
    )
    # Whether the profile and retrieval learn from it (migration 0005). A chat message is
    # usually a request to the assistant, not the user's writing: excluded by default.
    include: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class EditPair(Base):
    """The model's text and the user's version of it, with the request (migration 0005).

    The strongest signal of how the user writes: the contrast the methods otherwise build
    from a generated generic reply, written by the user. The user's version is also a
    writing sample (source "edit"); deleting that sample deletes the pair.
    """

    __tablename__ = "edit_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    request: Mapped[str] = mapped_column(Text, default="")
    model_text: Mapped[str] = mapped_column(Text)
    user_text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="draft")  # draft | chat
    sample_id: Mapped[int | None] = mapped_column(
        ForeignKey("writing_samples.id", ondelete="CASCADE"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Setting(Base):
    """Key/value application settings (JSON values). Never holds a secret."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


# ---- the personal profile (StyleVector / SteerX), migration 0002 -------------------------


class GenericResponse(Base):
    """The local model's own, unpersonalized reply to a history item's prompt.

    Derived from the user's prompts, so it is private data too (erased with the
    profile). Cached per prompt and model: rebuilding a profile never redoes it.
    """

    __tablename__ = "generic_responses"

    prompt_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProfileItemCache(Base):
    """Per history item: its token effects and activation differences (incremental builds)."""

    __tablename__ = "profile_item_cache"

    item_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    config: Mapped[str] = mapped_column(String(64), primary_key=True)
    effects: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Profile(Base):
    """A built personal profile: one row per method; at most one row is active."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(32), unique=True)  # stylevector | steerx
    model_name: Mapped[str] = mapped_column(String(500))
    model_fingerprint: Mapped[str] = mapped_column(String(32))
    n_layer: Mapped[int] = mapped_column(Integer)
    n_embd: Mapped[int] = mapped_column(Integer)
    layer: Mapped[int] = mapped_column(Integer)
    alpha: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    description_edited: Mapped[bool] = mapped_column(default=False)
    preference_tokens: Mapped[list[Any]] = mapped_column(JSON, default=list)
    n_samples: Mapped[int] = mapped_column(Integer, default=0)
    item_hashes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(default=False)
    built_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)


# ---- text typed but not yet sent or saved, migration 0003 ----------------------------


class UnsentText(Base):
    """What the user typed in a box (the draft pane, the message input) and has not sent.

    Kept so a crash or a closed window loses nothing; one row per box, deleted
    when the box is emptied. `reset --all` erases it with every other table.
    """

    __tablename__ = "unsent_texts"

    box: Mapped[str] = mapped_column(String(40), primary_key=True)  # "draft" | "chat_input"
    text: Mapped[str] = mapped_column(Text)
    # The draft's writing sample, when it was saved as one and edited since.
    sample_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
