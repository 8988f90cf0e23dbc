"""Sharing one conversation: Markdown and JSON through the real CLI, nothing private in it,
and a clear error instead of an overwrite or a traceback."""

from __future__ import annotations

import json

from assistant.chat.conversations import ChatService
from assistant.writing.history import HistoryService

MARK = "private-writing-sample-7f3a"


def _conversation(app) -> int:
    chat = ChatService(app.db, "You are a helpful assistant.")
    turn = chat.begin_turn(None, "Plan my Saturday, please.", model_name="m")
    for _ in chat.generate(turn, iter(["Walk by the river, ", "then a book."])):
        pass
    HistoryService(app.db).add(f"{MARK}: something I wrote elsewhere", source="draft")
    return turn.conversation_id


def test_markdown_and_json_hold_the_turns_and_nothing_else(app, cli, tmp_path):
    cid = _conversation(app)
    md, js = tmp_path / "chat.md", tmp_path / "chat.json"
    r = cli("conversations", "export", str(cid), str(md))
    assert r.rc == 0, r.err
    text = md.read_text()
    assert text.startswith("# Plan my Saturday, please.")
    assert "**You**:\n\nPlan my Saturday, please." in text
    assert "**Assistant**:\n\nWalk by the river, then a book." in text
    assert cli("conversations", "export", str(cid), str(js)).rc == 0
    doc = json.loads(js.read_text())
    assert doc["format"] == "voice-assistant-conversation" and doc["title"]
    assert [m["role"] for m in doc["messages"]] == ["user", "assistant"]
    for f in (md, js):
        assert MARK not in f.read_text()  # the writing history never rides along
    assert not list(tmp_path.glob(".*.partial"))  # written atomically, nothing left over


def test_share_refuses_overwrite_unknown_format_and_missing_conversation(app, cli, tmp_path):
    cid = _conversation(app)
    out = tmp_path / "chat.md"
    out.write_text("keep me")
    r = cli("conversations", "export", str(cid), str(out))
    assert r.rc == 1 and "already exists" in r.err and out.read_text() == "keep me"
    assert cli("conversations", "export", str(cid), str(out), "--force").rc == 0
    bad = cli("conversations", "export", str(cid), str(tmp_path / "chat.docx"))
    assert bad.rc == 1 and ".md (Markdown) or .json" in bad.err
    missing = cli("conversations", "export", "999", str(tmp_path / "x.md"))
    assert missing.rc == 1 and "No conversation with id 999" in missing.err
    assert "Traceback" not in bad.err + missing.err


def test_one_message_is_deleted_and_the_users_writing_stays(app, cli):
    cid = _conversation(app)
    msgs = ChatService(app.db).messages(cid)
    user_id = msgs[0].id
    before = HistoryService(app.db).count()
    r = cli("conversations", "delete-message", str(user_id))
    assert r.rc == 0, r.err
    assert [m.role for m in ChatService(app.db).messages(cid)] == ["assistant"]
    assert HistoryService(app.db).count() == before  # still the user's writing
    again = cli("conversations", "delete-message", str(user_id))
    assert again.rc == 1 and f"No message with id {user_id}" in again.err
