"""A reply cut short (cancel, crash, kill) is kept, marked partial: never lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from assistant.chat.conversations import ChatService
from assistant.chat.turn import ChatRequest, ChatTurn
from engine.runtime.generation import CancelToken
from tests.conftest import REPO

LONG_PROMPT = "Write a very long story about a dragon, at least 1000 words."


def _read_reply(home):
    con = sqlite3.connect(home / "assistant.db")
    rows = con.execute("SELECT role, content, status FROM messages ORDER BY id").fetchall()
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    assert ok == "ok"
    return rows


def _start_and_kill(home, sig: int) -> str:
    """Start a long reply in a subprocess, let it stream ~1 s, then send `sig`."""
    env = dict(os.environ, ASSISTANT_HOME=str(home), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant",
            "chat",
            "--max-tokens",
            "800",
            "--seed",
            "6",
            LONG_PROMPT,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    printed = b""
    deadline = time.monotonic() + 120
    first_at = None
    os.set_blocking(proc.stdout.fileno(), False)
    while time.monotonic() < deadline:
        chunk = proc.stdout.read() or b""
        printed += chunk
        if printed.strip() and first_at is None:
            first_at = time.monotonic()
        if first_at and time.monotonic() - first_at > 1.0:
            break
        if proc.poll() is not None:
            pytest.fail(f"reply finished before it could be killed: {printed!r}")
        time.sleep(0.02)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    return printed.decode("utf-8", errors="ignore")


@pytest.mark.slow
def test_sigkill_mid_stream_keeps_partial_reply(home) -> None:
    printed = _start_and_kill(home, signal.SIGKILL)
    rows = _read_reply(home)
    assert [r[0] for r in rows] == ["user", "assistant"]
    assert rows[0][1] == LONG_PROMPT and rows[0][2] == "complete"
    role, content, status = rows[1]
    assert status == "partial"
    # Flushed every 0.25 s: after ~1 s of streaming, text is there, and it is
    # exactly the beginning of what the user saw.
    assert len(content) > 10
    assert printed.startswith(content)


@pytest.mark.slow
def test_sigterm_mid_stream_flushes_everything(home) -> None:
    printed = _start_and_kill(home, signal.SIGTERM)
    rows = _read_reply(home)
    content, status = rows[1][1], rows[1][2]
    assert status == "partial"
    assert content.strip() and printed.strip().startswith(content.strip()[:50])


def test_cancel_through_the_turn_keeps_partial(app) -> None:
    cancel = CancelToken()
    turn = ChatTurn(app, ChatRequest(LONG_PROMPT, sampling={"max_tokens": 300, "seed": 2}),
                    cancel)
    turn.start()
    got = ""
    for piece in turn.stream():
        got += piece
        if len(got) > 20:
            cancel.cancel()
    msgs = ChatService(app.db).messages(turn.turn.conversation_id)
    assert msgs[-1].status == "partial" and msgs[-1].content == got
    assert turn.summary().status == "partial"


def test_consumer_stopping_early_keeps_partial(app) -> None:
    """A GUI that drops the stream (window closed) still leaves the text stored."""
    turn = ChatTurn(app, ChatRequest(LONG_PROMPT, sampling={"max_tokens": 300, "seed": 2}))
    turn.start()
    gen = turn.stream()
    got = next(gen) + next(gen)
    gen.close()
    msgs = ChatService(app.db).messages(turn.turn.conversation_id)
    assert msgs[-1].status == "partial" and msgs[-1].content == got
