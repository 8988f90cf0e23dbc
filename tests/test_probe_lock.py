"""Nothing streamed is lost to a lock: a real second SQLite connection takes the write
lock while the real model streams a reply; the text streamed so far is kept in memory and
written, complete, once the lock goes (or with the next message if it outlasts the wait)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from assistant.chat import conversations as chat_module
from assistant.chat.turn import ChatRequest, ChatTurn
from assistant.errors import UserError

ASK = "Write a long story about a dragon who keeps a lighthouse."


@pytest.fixture
def short_wait_app(home, monkeypatch):
    """The app with a short busy timeout, so a held lock shows in a fraction of a second."""
    from assistant.app import AppContext

    monkeypatch.setenv("ASSISTANT_BUSY_TIMEOUT_MS", "200")
    app = AppContext(home)
    yield app
    app.close()


def _locker(home) -> sqlite3.Connection:
    con = sqlite3.connect(home / "assistant.db", timeout=0, check_same_thread=False,
                          isolation_level=None)
    return con


def _rows(home):
    con = sqlite3.connect(home / "assistant.db")
    try:
        return con.execute("SELECT role, content, status FROM messages ORDER BY id").fetchall()
    finally:
        con.close()


def test_a_lock_taken_mid_reply_loses_nothing(short_wait_app, home):
    turn = ChatTurn(short_wait_app, ChatRequest(ASK, sampling={"max_tokens": 80, "seed": 3}))
    turn.start()
    locker = _locker(home)
    pieces: list[str] = []
    release = threading.Timer(2.5, lambda: locker.execute("COMMIT"))
    for piece in turn.stream():
        pieces.append(piece)
        if len(pieces) == 5:  # text has streamed: another program takes the write lock
            locker.execute("BEGIN IMMEDIATE")
            release.start()
    release.join()
    locker.close()
    streamed = "".join(pieces)
    assert len(streamed) > 20
    rows = _rows(home)
    assert rows[-1] == ("assistant", streamed, "complete"), rows[-1]


def test_a_lock_that_outlasts_the_wait_keeps_the_reply_for_the_next_write(
        short_wait_app, home, monkeypatch):
    monkeypatch.setattr(chat_module, "FINAL_WRITE_PATIENCE_S", 0.5)
    turn = ChatTurn(short_wait_app, ChatRequest(ASK, sampling={"max_tokens": 40, "seed": 3}))
    turn.start()
    locker = _locker(home)
    pieces: list[str] = []
    with pytest.raises(UserError, match="kept while the app runs"):
        for piece in turn.stream():
            pieces.append(piece)
            if len(pieces) == 3:
                locker.execute("BEGIN IMMEDIATE")
    assert chat_module.ChatService.pending(), "the reply must wait in memory"
    locker.execute("COMMIT")
    locker.close()
    # The next message lands the waiting reply first.
    nxt = ChatTurn(short_wait_app, ChatRequest("And then?", turn.turn.conversation_id,
                                               sampling={"max_tokens": 4, "seed": 3}))
    nxt.start()
    list(nxt.stream())
    assert not chat_module.ChatService.pending()
    rows = _rows(home)
    assert rows[1] == ("assistant", "".join(pieces), "complete"), rows[1]
