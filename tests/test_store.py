"""The SQLite store: pragmas, migrations, data-folder resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.paths import data_dir
from store import Database, StoreError


def test_pragmas_and_schema(tmp_path: Path) -> None:
    db = Database(tmp_path / "d")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA secure_delete")).scalar() == 1
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() is not None
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert {"conversations", "messages", "writing_samples", "settings"} <= tables
    db.close()
    # Re-opening an existing, migrated database is a no-op migration.
    Database(tmp_path / "d").close()


def test_foreign_keys_cascade(tmp_path: Path) -> None:
    from store.models import Conversation, Message

    db = Database(tmp_path)
    with db.session() as s:
        c = Conversation(title="t")
        s.add(c)
        s.flush()
        s.add(Message(conversation_id=c.id, role="user", content="x"))
    with db.session() as s:
        s.delete(s.get(Conversation, 1))
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM messages")).scalar() == 0


def test_data_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "env"))
    assert data_dir() == (tmp_path / "env").resolve()
    assert data_dir(tmp_path / "flag") == (tmp_path / "flag").resolve()
    monkeypatch.delenv("ASSISTANT_HOME")
    assert "VoiceAssistant" in str(data_dir())


def test_data_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="Cannot create the data folder"):
        Database(blocker / "sub")


def test_deleted_conversation_leaves_no_trace_in_any_file(tmp_path: Path) -> None:
    """secure_delete zeroes main-file pages; the checkpoint on delete clears the WAL copies."""
    from assistant.chat.conversations import ChatService
    from assistant.writing.history import HistoryService

    marker = "ZEBRA-MARKER-93517"
    db = Database(tmp_path)
    chat = ChatService(db)
    cid = chat.create_conversation(f"about {marker}")
    turn = chat.begin_turn(cid, f"my secret {marker}", model_name="m")
    sample_id = HistoryService(db).list()[0].id
    HistoryService(db).remove(sample_id)
    chat.delete(turn.conversation_id)
    for f in tmp_path.iterdir():
        if f.is_file():
            data = f.read_bytes()
            assert marker.encode() not in data, f.name
    db.close()
