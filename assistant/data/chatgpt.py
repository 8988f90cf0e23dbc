"""A ChatGPT `conversations.json` as our records: the visible turns of the branch the
user last saw; the user's own messages also become writing samples."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from assistant.data.records import iso
from assistant.data.sources import MemorySource
from assistant.errors import UserError
from assistant.writing.history import MAX_SAMPLE_CHARS

log = logging.getLogger(__name__)


def _epoch(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e11:
        return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)
    return None


def _chatgpt_text(content: object) -> str:
    if not isinstance(content, dict):
        return ""
    ctype = content.get("content_type", "text")
    if ctype not in ("text", "multimodal_text", "code"):
        return ""  # tool output, browsing quotes, custom instructions: not the user's chat
    parts = content.get("parts")
    if isinstance(parts, list):
        return "\n".join(p for p in parts if isinstance(p, str))
    text = content.get("text")
    return text if isinstance(text, str) else ""


def _chatgpt_branch(mapping: dict, current: object) -> list[dict]:
    """The messages of the branch the user last saw: from current_node up to the root."""
    chain: list[dict] = []
    seen: set[str] = set()
    node_id = current if isinstance(current, str) and current in mapping else None
    if node_id is None:  # no current node: follow the last child from the root
        roots = [k for k, v in mapping.items() if isinstance(v, dict) and not v.get("parent")]
        node_id = roots[0] if roots else None
        while node_id is not None and node_id not in seen:
            seen.add(node_id)
            node = mapping.get(node_id)
            if not isinstance(node, dict):
                break
            chain.append(node)
            children = node.get("children")
            kids = [k for k in children if isinstance(k, str) and k in mapping] if isinstance(
                children, list) else []
            node_id = kids[-1] if kids else None
        return chain
    while isinstance(node_id, str) and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        node = mapping[node_id]
        if not isinstance(node, dict):
            break
        chain.append(node)
        node_id = node.get("parent")
    chain.reverse()
    return chain


def _chatgpt_malformed(node: dict) -> bool:
    """A node whose fields have types ChatGPT never writes (a role of 5, parts [1, null])."""
    children = node.get("children")
    if children is not None and not isinstance(children, list):
        return True
    m = node.get("message")
    if m is None:
        return False
    if not isinstance(m, dict):
        return True
    author = m.get("author")
    if not isinstance(author, dict) or not isinstance(author.get("role"), str):
        return True
    content = m.get("content")
    if content is None:
        return False
    if not isinstance(content, dict):
        return True
    parts = content.get("parts")
    return parts is not None and (
        not isinstance(parts, list) or not all(isinstance(p, str | dict) for p in parts)
    )


def parse_chatgpt(data: Any, name: str) -> MemorySource:
    """Turn a ChatGPT `conversations.json` into our records.

    Only the visible user and assistant turns of the current branch come in;
    the user's own messages also become writing samples (answering the
    previous assistant turn, as in our own chats).
    """
    bad = UserError(f"{name} is not a ChatGPT conversations.json export; nothing was imported.")
    if not isinstance(data, list) or not all(
        isinstance(c, dict) and isinstance(c.get("mapping"), dict) for c in data
    ):
        raise bad
    convs: list[dict] = []
    msgs: list[dict] = []
    samples: list[dict] = []
    now = datetime.now(UTC).replace(tzinfo=None)
    malformed = sum(
        1 for conv in data for node in conv["mapping"].values()
        if not isinstance(node, dict) or _chatgpt_malformed(node)
    )
    for conv in data:
        created = _epoch(conv.get("create_time")) or now
        updated = _epoch(conv.get("update_time")) or created
        title = conv.get("title")
        title = " ".join(title.split())[:200] if isinstance(title, str) else ""
        cid = len(convs) + 1
        turns: list[dict] = []
        for node in _chatgpt_branch(conv["mapping"], conv.get("current_node")):
            m = node.get("message")
            if not isinstance(m, dict):
                continue
            author = m.get("author") if isinstance(m.get("author"), dict) else {}
            role = author.get("role")
            meta = m.get("metadata") if isinstance(m.get("metadata"), dict) else {}
            hidden = meta.get("is_visually_hidden_from_conversation")
            if role not in ("user", "assistant") or hidden:
                continue
            text = _chatgpt_text(m.get("content"))
            if not text.strip():
                continue
            if len(text) > MAX_SAMPLE_CHARS:
                raise UserError(
                    f"{name}: a message in \"{title[:60]}\" has {len(text):,} characters; one "
                    f"message holds at most {MAX_SAMPLE_CHARS:,}, so nothing was imported."
                )
            model = meta.get("model_slug") if isinstance(meta.get("model_slug"), str) else None
            turns.append({
                "role": role, "content": text, "status": "complete",
                "model": model[:500] if model and role == "assistant" else None,
                "tokens": 0, "created_at": iso(_epoch(m.get("create_time")) or created),
                "meta": {"source": "chatgpt"},
            })  # fmt: skip
        if not turns:
            continue
        convs.append({"id": cid, "title": title or "Imported chat", "created_at": iso(created),
                      "updated_at": iso(updated), "cloud_enabled": False})
        ref = conv.get("id") or conv.get("conversation_id")
        prev_reply = ""
        for t in turns:
            t.update(id=len(msgs) + 1, conversation_id=cid)
            msgs.append(t)
            if t["role"] == "assistant":
                prev_reply = t["content"]
                continue
            samples.append({
                "id": len(samples) + 1, "text": t["content"], "prompt": prev_reply,
                "source": "chat", "source_ref": f"chatgpt:{ref}"[:500] if ref else "chatgpt",
                "message_id": t["id"], "created_at": t["created_at"],
                "updated_at": t["created_at"],
            })  # fmt: skip
    if not convs and malformed:
        raise UserError(
            f"{name} looks like a ChatGPT export, but {malformed} of its messages have fields "
            "of the wrong type (a role, a text part or a list of children that ChatGPT never "
            "writes), so it is damaged; nothing was imported."
        )
    return MemorySource(name, convs, msgs, samples)
