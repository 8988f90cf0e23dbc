"""Chat sessions with the persistence rules the user relies on.

1. The user's message is committed before generation starts.
2. The reply row exists from the first moment, marked `partial`, and its text is
   flushed to the database while it streams; it becomes `complete` only when the
   model finishes. A cancel, crash or kill therefore leaves the text written so
   far, marked partial: never lost.
3. The user's own chat messages are kept as writing samples too, but excluded from the
   profile and retrieval: most are requests to the assistant. With the setting
   `learn_from_chat` on, those that read like writing (assistant.writing.sample_rules) are included.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from assistant.chat.views import ConversationView, MessageView
from assistant.errors import UserError
from assistant.writing.sample_rules import default_include
from engine.errors import EngineError
from engine.runtime.generation import CancelToken, GenerationStats
from store import Database
from store.db import DatabaseLockedError
from store.models import Conversation, Message, Setting, WritingSample, utcnow

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.25
# How long the final write of a reply keeps trying while another process holds the
# database's write lock (each try already waits the busy timeout). Until it lands the
# text stays in memory (`ChatService.pending`), and the next write of any turn retries it.
FINAL_WRITE_PATIENCE_S = float(os.environ.get("ASSISTANT_FINAL_WRITE_PATIENCE_S", "120"))
_PENDING: dict[tuple[str, int], Turn] = {}  # (database file, reply id) -> the turn to write
TITLE_CHARS = 60
MAX_EDIT_CHARS = 1_000_000  # as a writing sample (assistant.writing.history)
_BRANCH_PREFIX = re.compile(r"^Branch (\d+) · ")


@dataclass
class Turn:
    """One exchange in flight: the user's message is stored, the reply is being written."""

    conversation_id: int
    user_message_id: int
    reply_message_id: int
    messages: list[dict[str, str]]
    stats: GenerationStats = field(default_factory=GenerationStats)
    text: str = ""
    status: str = "partial"
    # Earlier versions of this reply (a regenerate keeps them to step back to).
    versions: list[dict[str, Any]] = field(default_factory=list)
    base_tokens: int = 0  # a continued reply's tokens before this turn


@dataclass
class TakenBack:
    """What taking back an exchange leaves: the message to answer again and the reply's
    versions so far (the one taken back among them)."""

    text: str
    versions: list[dict[str, Any]]


def _versions_of(msg: Message) -> list[dict[str, Any]]:
    """Every version of a reply, the shown one included, oldest first."""
    meta = dict(msg.meta or {})
    versions = [dict(v) for v in meta.get("versions") or []]
    shown = meta.get("shown")
    current = {"content": msg.content, "model": msg.model, "tokens": msg.tokens}
    if versions and isinstance(shown, int) and 0 <= shown < len(versions):
        versions[shown] = {**versions[shown], **current}  # an edit keeps its marks
    else:
        versions.append(current)
    return [v for v in versions if v.get("content")]


def _title_from(text: str) -> str:
    line = " ".join(text.split())
    return line[:TITLE_CHARS] + ("…" if len(line) > TITLE_CHARS else "")


class ChatService:
    def __init__(self, db: Database, system_prompt: str = "") -> None:
        self.db = db
        self.system_prompt = system_prompt

    # ---- conversations -------------------------------------------------
    def list_conversations(self, query: str | None = None) -> list[ConversationView]:
        with self.db.session() as s:
            counts = (
                select(Message.conversation_id, func.count().label("n"))
                .group_by(Message.conversation_id)
                .subquery()
            )
            q = (
                select(Conversation, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.conversation_id == Conversation.id)
                .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
            )
            if query:
                like = f"%{query}%"
                hits = select(Message.conversation_id).where(Message.content.like(like))
                q = q.where(Conversation.title.like(like) | Conversation.id.in_(hits))
            return [
                ConversationView(c.id, c.title, c.created_at, c.updated_at, n, c.cloud_enabled,
                                 dict(c.settings or {}))
                for c, n in s.execute(q)
            ]

    def messages(self, conversation_id: int) -> list[MessageView]:
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            return [
                MessageView.of(m) for m in conv.messages
            ]

    def create_conversation(self, title: str = "New chat") -> int:
        with self.db.session() as s:
            conv = Conversation(title=title)
            s.add(conv)
            s.flush()
            return conv.id

    def rename(self, conversation_id: int, title: str) -> None:
        if not title.strip():
            raise UserError("A conversation needs a title.")
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            conv.title = title.strip()[:200]

    def delete(self, conversation_id: int) -> None:
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            s.delete(conv)
        self.db.checkpoint()  # leave no copy of the deleted text in the WAL

    def settings_of(self, conversation_id: int | None) -> dict:
        """The conversation's own settings ({} for a new chat or none set)."""
        if conversation_id is None:
            return {}
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            return dict(conv.settings or {})

    def set_settings(self, conversation_id: int, **values: Any) -> dict:
        """Change some of the conversation's settings (None or "" clears one)."""
        from assistant.chat.conversation_settings import check_conversation_settings

        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            merged = {**(conv.settings or {}), **values}
            conv.settings = check_conversation_settings(merged)
            return dict(conv.settings)

    def delete_message(self, message_id: int) -> int:
        """Delete one message; returns its conversation. A user message stays in the writing
        history (it is still the user's writing); no copy stays in the WAL."""
        with self.db.session() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise UserError(f"No message with id {message_id}.")
            # An empty partial reply is one a crash or a kill left (a stopped one is not
            # kept): deletable like any other; the window refuses while it writes one.
            cid = msg.conversation_id
            s.delete(msg)
        self.db.checkpoint()
        return cid

    def set_cloud(self, conversation_id: int, enabled: bool) -> None:
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            conv.cloud_enabled = enabled

    def take_back_last_exchange(self, conversation_id: int) -> TakenBack:
        """Remove the last reply and the user message it answered; return that message's
        text and the reply's versions, which the new reply keeps to step back to.

        Regenerate = take back, then `begin_turn(..., regenerate=True, versions=...)`: the
        user's message is stored again without a second writing sample, and the model
        does not see the reply it is replacing. The writing sample of the original
        message stays (its `message_id` becomes NULL): it is still the user's writing.
        """
        with self.db.session() as s:
            if s.get(Conversation, conversation_id) is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            rows = list(
                s.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation_id)
                    .order_by(Message.id.desc())
                    .limit(2)
                )
            )
            if len(rows) < 2 or rows[0].role != "assistant" or rows[1].role != "user":
                raise UserError("Only the last reply of a conversation can be regenerated.")
            taken = TakenBack(rows[1].content, _versions_of(rows[0]))
            s.delete(rows[0])
            s.delete(rows[1])
        self.db.checkpoint()
        return taken

    def fork(self, conversation_id: int, before_message_id: int) -> int:
        """A new conversation with this one's messages before `before_message_id` (its
        settings and cloud choice too): where an edited message or a regenerated earlier
        reply continues, while the original stays as it was, in the list."""
        with self.db.session() as s:
            conv = s.get(Conversation, conversation_id)
            if conv is None:
                raise UserError(f"No conversation with id {conversation_id}.")
            at = s.get(Message, before_message_id)
            if at is None or at.conversation_id != conversation_id:
                raise UserError(f"Message {before_message_id} is not in conversation "
                                f"{conversation_id}.")
            title = self._branch_title(s, conv.title)
            new = Conversation(title=title, settings=dict(conv.settings or {}),
                               cloud_enabled=conv.cloud_enabled)
            s.add(new)
            s.flush()
            for m in s.scalars(select(Message).where(
                    Message.conversation_id == conversation_id,
                    Message.id < before_message_id).order_by(Message.id)):
                s.add(Message(conversation_id=new.id, role=m.role, content=m.content,
                              status=m.status, model=m.model, tokens=m.tokens,
                              meta=dict(m.meta or {})))
            new_id = new.id
        log.info("conversation %d branched from %d at message %d", new_id, conversation_id,
                 before_message_id)
        return new_id

    @staticmethod
    def _branch_title(s, title: str) -> str:
        """"Branch N · title": the number first, so a list that cuts long titles short
        still tells the branches of one conversation apart (and from the original)."""
        base = _BRANCH_PREFIX.sub("", title)
        if base.endswith(" (branch)"):  # the form older versions gave branches
            base = base[: -len(" (branch)")]
        taken = [1]  # the original is the first
        for t in s.scalars(select(Conversation.title).where(
                Conversation.title.like("Branch % · %"))):
            m = _BRANCH_PREFIX.match(t)
            if m and t[m.end():] == base:
                taken.append(int(m.group(1)))
        return f"Branch {max(taken) + 1} · {base}"[:200]

    def edit_reply(self, message_id: int, text: str) -> MessageView:
        """Keep the user's own wording of a reply as a new version of it, shown from now on
        (the next turns see it; the model's versions stay, to step back to with ‹ ›).

        The one place a reply edit is stored: the version it replaces is
        `versions[edited_from]`, so (the message it answers, that version, this one) is a
        preference pair for whoever collects them.
        """
        if not text or not text.strip():
            raise UserError("The reply is empty; write something or cancel.")
        if len(text) > MAX_EDIT_CHARS:
            raise UserError(f"A reply holds at most {MAX_EDIT_CHARS:,} characters.")
        with self.db.session() as s:
            msg = s.get(Message, message_id)
            if msg is None or msg.role != "assistant":
                raise UserError(f"No reply with id {message_id}.")
            if msg.status == "partial" and not msg.content:
                raise UserError("That reply is still being written; stop it first.")
            versions = _versions_of(msg)
            shown = MessageView.of(msg).version
            edited_from = min(shown, len(versions) - 1) if versions else None
            if versions and versions[edited_from]["content"] == text:
                return MessageView.of(msg)  # unchanged: no new version
            model_text = versions[edited_from]["content"] if versions else msg.content
            request = s.scalars(select(Message.content).where(
                Message.conversation_id == msg.conversation_id, Message.id < msg.id,
                Message.role == "user").order_by(Message.id.desc()).limit(1)).first() or ""
            versions.append({"content": text, "model": msg.model, "tokens": 0, "edited": True,
                             "edited_from": edited_from})
            msg.content, msg.tokens, msg.status = text, 0, "complete"
            msg.meta = {**dict(msg.meta or {}), "versions": versions,
                        "shown": len(versions) - 1}
            s.flush()
            log.info("reply %d edited by the user (version %d)", message_id, len(versions))
            view = MessageView.of(msg)
        # The edit is the user's own preference pair, kept for the profile
        # (assistant.writing.edits).
        from assistant.writing.edits import record_edit_pair

        record_edit_pair(self.db, request=request, model_text=model_text, user_text=text,
                         origin="chat")
        return view

    def reply_context(self, message_id: int) -> tuple[int, int, str, bool]:
        """For a reply: (its conversation, the user message it answers, that message's
        text, whether it is the conversation's last message)."""
        with self.db.session() as s:
            reply = s.get(Message, message_id)
            if reply is None or reply.role != "assistant":
                raise UserError(f"No reply with id {message_id}.")
            user = s.scalars(select(Message).where(
                Message.conversation_id == reply.conversation_id, Message.id < reply.id,
                Message.role == "user").order_by(Message.id.desc()).limit(1)).first()
            if user is None:
                raise UserError("That reply answers no message of yours; it cannot be "
                                "regenerated.")
            last = s.scalars(select(func.max(Message.id)).where(
                Message.conversation_id == reply.conversation_id)).one()
            return reply.conversation_id, user.id, user.content, last == reply.id

    def message(self, message_id: int) -> MessageView:
        with self.db.session() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise UserError(f"No message with id {message_id}.")
            return MessageView.of(msg)

    def conversation_of(self, message_id: int) -> int:
        with self.db.session() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise UserError(f"No message with id {message_id}.")
            return msg.conversation_id

    def versions(self, message_id: int) -> list[dict[str, Any]]:
        with self.db.session() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise UserError(f"No message with id {message_id}.")
            return _versions_of(msg)

    def show_version(self, message_id: int, index: int) -> MessageView:
        """Show another version of a reply (the one the next turns then see)."""
        with self.db.session() as s:
            msg = s.get(Message, message_id)
            if msg is None:
                raise UserError(f"No message with id {message_id}.")
            if msg.role != "assistant":
                raise UserError(f"Message {message_id} is a {msg.role} message, not a reply; "
                                "only replies have versions.")
            versions = _versions_of(msg)
            if not 0 <= index < len(versions):
                raise UserError(f"This reply has {len(versions)} version(s); pick 1 to "
                                f"{len(versions)}.")
            chosen = versions[index]
            msg.content, msg.model = chosen["content"], chosen.get("model")
            msg.tokens = int(chosen.get("tokens") or 0)
            msg.meta = {**dict(msg.meta or {}), "versions": versions, "shown": index}
            s.flush()
            return MessageView.of(msg)

    # ---- a turn ------------------------------------------------------------
    def _history(self, s, conversation_id: int) -> list[dict[str, str]]:
        rows = s.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
        )
        return [{"role": m.role, "content": m.content} for m in rows if m.content]

    def prepare_messages(self, conversation_id: int | None, text: str) -> list[dict[str, str]]:
        """The chat the model will see for `text`, before anything is stored."""
        msgs: list[dict[str, str]] = []
        system = self.system_prompt
        history: list[dict[str, str]] = []
        if conversation_id is not None:
            with self.db.session() as s:
                conv = s.get(Conversation, conversation_id)
                if conv is None:
                    raise UserError(f"No conversation with id {conversation_id}.")
                # The conversation's own instructions replace the app-wide system prompt.
                system = (conv.settings or {}).get("instructions") or system
                history = self._history(s, conversation_id)
        if system:
            msgs.append({"role": "system", "content": system})
        msgs.extend(history)
        msgs.append({"role": "user", "content": text})
        return msgs

    def begin_turn(
        self, conversation_id: int | None, text: str, *, model_name: str,
        regenerate: bool = False, versions: list[dict[str, Any]] | None = None,
    ) -> Turn:
        """Commit the user's message (and its writing sample) and an empty partial reply."""
        if not text or not text.strip():
            raise UserError("The message is empty.")
        self.land_pending()  # a reply an earlier lock kept in memory goes in first
        msgs = self.prepare_messages(conversation_id, text)
        with self.db.session() as s:
            if conversation_id is None:
                conv = Conversation(title=_title_from(text))
                s.add(conv)
                s.flush()
            else:
                conv = s.get(Conversation, conversation_id)
            prev_reply = s.scalars(
                select(Message.content)
                .where(Message.conversation_id == conv.id, Message.role == "assistant")
                .order_by(Message.id.desc())
                .limit(1)
            ).first()
            user = Message(conversation_id=conv.id, role="user", content=text, status="complete")
            s.add(user)
            s.flush()
            if not regenerate:
                learn = s.get(Setting, "learn_from_chat")
                learn_from_chat = bool(learn is not None and learn.value is True)
                s.add(
                    WritingSample(
                        text=text, prompt=prev_reply or "", source="chat", message_id=user.id,
                        include=default_include("chat", text, learn_from_chat=learn_from_chat),
                    )
                )
            reply = Message(
                conversation_id=conv.id,
                role="assistant",
                content="",
                status="partial",
                model=model_name,
            )
            s.add(reply)
            conv.updated_at = utcnow()
            s.flush()
            turn = Turn(conv.id, user.id, reply.id, msgs, versions=list(versions or []))
        log.info(
            "turn started: conversation %d, user message %d (%d chars)",
            turn.conversation_id,
            turn.user_message_id,
            len(text),
        )
        return turn

    def _final_write(self, turn: Turn, *, drop_empty: bool = False) -> None:
        """Write the finished reply, retrying while another process holds the lock.

        The streamed text is never dropped for a lock: it is retried for
        `FINAL_WRITE_PATIENCE_S`, and if the lock outlasts that, the turn waits in
        memory (`pending`) and the next write of this data folder lands it first.
        """
        key = (str(self.db.path), turn.reply_message_id)
        _PENDING[key] = turn
        deadline = time.monotonic() + FINAL_WRITE_PATIENCE_S
        pause = 0.05
        while True:
            try:
                self._flush(turn, final=True, drop_empty=drop_empty)
            except DatabaseLockedError:
                if time.monotonic() >= deadline:
                    log.warning("reply %d: the database stayed locked; kept in memory",
                                turn.reply_message_id)
                    raise UserError(
                        f"The database in {self.db.path.parent} stayed locked by another "
                        "program, so the reply is not saved yet; it is kept while the app "
                        "runs and saved with the next message."
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
                continue
            _PENDING.pop(key, None)
            return

    def land_pending(self) -> int:
        """Write the replies an earlier lock kept in memory; how many landed."""
        landed = 0
        for key in [k for k in _PENDING if k[0] == str(self.db.path)]:
            try:
                self._flush(_PENDING[key], final=True)
            except DatabaseLockedError:
                continue
            _PENDING.pop(key, None)
            landed += 1
        return landed

    @staticmethod
    def pending() -> list[Turn]:
        """Replies written in memory that a lock kept from the database so far."""
        return list(_PENDING.values())

    def resume_turn(self, reply_id: int) -> Turn:
        """A turn that appends to a stored reply (Continue): its text so far is the start."""
        with self.db.session() as s:
            msg = s.get(Message, reply_id)
            if msg is None or msg.role != "assistant":
                raise UserError(f"No reply with id {reply_id}.")
            user = s.scalars(select(Message.id).where(
                Message.conversation_id == msg.conversation_id, Message.id < msg.id,
                Message.role == "user").order_by(Message.id.desc()).limit(1)).first()
            turn = Turn(msg.conversation_id, user or 0, msg.id, [], text=msg.content)
            turn.stats.tokens = 0
            turn.base_tokens = msg.tokens
        return turn

    def _flush(self, turn: Turn, *, final: bool, drop_empty: bool = False) -> None:
        # A periodic save does not stall the stream on another process's lock.
        with self.db.session(busy_timeout_ms=None if final else 50) as s:
            msg = s.get(Message, turn.reply_message_id)
            if msg is None:  # the conversation was deleted meanwhile
                return
            if final and drop_empty and turn.status != "complete" and not turn.text:
                # Stopped (or failed) before its first token: an empty reply is no reply,
                # and must not sit in the conversation as "being written" for ever. A
                # regenerate stopped so early gives back the reply it was replacing.
                if turn.versions:
                    prev = turn.versions[-1]
                    msg.content, msg.model = prev.get("content", ""), prev.get("model")
                    msg.tokens, msg.status = int(prev.get("tokens") or 0), "complete"
                    msg.meta = {"versions": list(turn.versions),
                                "shown": len(turn.versions) - 1}
                else:
                    s.delete(msg)
                return
            msg.content = turn.text
            msg.tokens = turn.base_tokens + turn.stats.tokens
            if final:
                msg.status = turn.status
                msg.meta = {
                    **dict(msg.meta or {}),  # a continued reply keeps its versions
                    "seconds": round(turn.stats.seconds, 3),
                    "tokens_per_s": round(turn.stats.tokens_per_s, 2),
                    "finish_reason": turn.stats.finish_reason,
                    "trimmed_turns": turn.stats.trimmed_turns,
                }
                if turn.versions:  # a regenerated reply: the earlier ones, then this one
                    now = {"content": turn.text, "model": msg.model, "tokens": msg.tokens}
                    msg.meta["versions"] = [*turn.versions, now]
                    msg.meta["shown"] = len(turn.versions)

    def generate(
        self,
        turn: Turn,
        pieces: Iterator[str],
        *,
        cancel: CancelToken | None = None,
    ) -> Iterator[str]:
        """Store `pieces` (a method's token stream) as the reply, flushing as it grows.

        `assistant.chat.turn.ChatTurn` picks the stream (llama.cpp's or a method's own);
        this only keeps what arrives, whatever stops it.
        """
        last_flush = time.monotonic()
        stopped = False  # by the user (Stop, Ctrl+C, a closed consumer), not by a failure
        try:
            for piece in pieces:
                turn.text += piece
                yield piece
                now = time.monotonic()
                if now - last_flush >= FLUSH_INTERVAL_S:
                    try:
                        self._flush(turn, final=False)
                    except DatabaseLockedError:
                        # Another process holds the lock: the text stays in memory and
                        # the next flush (or the final write) takes it all.
                        log.info("reply %d: a flush waited on a lock; kept in memory",
                                 turn.reply_message_id)
                    last_flush = now
            cancelled = turn.stats.finish_reason == "cancelled" or bool(cancel and cancel.cancelled)
            turn.status = "partial" if cancelled else "complete"
            stopped = cancelled
        except EngineError as exc:
            turn.status = "partial"
            raise UserError(str(exc)) from exc
        except (GeneratorExit, KeyboardInterrupt):
            stopped = True
            raise
        finally:
            # Reached on completion, on cancel, on an exception and when the
            # consumer stops iterating (GeneratorExit): the text so far is kept; a reply
            # stopped before its first word is not kept (a failed one stays, as partial).
            self._final_write(turn, drop_empty=stopped)
            log.info(
                "turn ended: message %d, %s, %d tokens in %.2fs",
                turn.reply_message_id,
                turn.status,
                turn.stats.tokens,
                turn.stats.seconds,
            )
