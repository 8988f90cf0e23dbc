"""Stopping a turn early, before or just after its first token, on the command line.

The real `assistant chat` runs in a subprocess with SIGINT ignored, as a shell starts
a background job (Python then installs no handler of its own): the signal must still
stop the reply within a second and the process must exit, keeping what was written
as a partial reply and no empty reply at all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

PROMPT = "Write a long story about a lighthouse keeper and a storm, in many chapters."


def _start(home: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, ASSISTANT_HOME=str(home), PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "chat", "--max-tokens", "600", "--seed", "3",
         PROMPT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )


def _interrupt(proc: subprocess.Popen[str]) -> float:
    """SIGINT now; the seconds until the process has exited."""
    t0 = time.monotonic()
    os.kill(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)
    return time.monotonic() - t0


def _replies(home: Path) -> list[dict]:
    from assistant.app import AppContext
    from assistant.chat.conversations import ChatService

    ctx = AppContext(home)
    try:
        chat = ChatService(ctx.db)
        return [m.as_dict() for c in chat.list_conversations() for m in chat.messages(c.id)
                if m.role == "assistant"]
    finally:
        ctx.close()


def test_sigint_one_second_in_stops_and_keeps_no_empty_reply(home):
    proc = _start(home)
    time.sleep(1.0)  # the model is still loading, or reading the prompt
    took = _interrupt(proc)
    out, err = proc.communicate()
    assert proc.returncode == 130, err
    assert took < 1.5, f"the process exited {took:.2f} s after SIGINT"
    for reply in _replies(home):
        assert reply["status"] == "partial" and reply["content"], reply


def test_sigint_while_streaming_keeps_the_text_so_far_as_stopped(home):
    proc = _start(home)
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + 120
    while len(seen) < 20 and time.monotonic() < deadline:  # the first words are out
        seen += proc.stdout.read(1)
    took = _interrupt(proc)
    rest, err = proc.communicate()
    assert proc.returncode == 130, err
    assert took < 1.5, f"the process exited {took:.2f} s after SIGINT"
    replies = _replies(home)
    assert len(replies) == 1
    reply = replies[0]
    assert reply["status"] == "partial", "the reply ran to its end after SIGINT"
    assert reply["content"].startswith(seen.strip()[:10])
    assert (seen + rest).strip().startswith(reply["content"].strip()[:10])
    assert "stopped" in err


@pytest.mark.parametrize("when", ["waiting", "preparing"])
def test_a_turn_stopped_before_it_stores_anything_stores_nothing(app, when, monkeypatch):
    """The window's case in the service: a cancel that comes while the model loads (the
    job waits) or while the method prepares ends the turn with nothing stored."""
    from assistant.chat.conversations import ChatService
    from assistant.chat.turn import ChatRequest, ChatTurn
    from assistant.errors import Stopped
    from engine.runtime.generation import CancelToken

    cancel = CancelToken()
    turn = ChatTurn(app, ChatRequest("Hello there"), cancel)
    if when == "waiting":
        cancel.cancel()
        with pytest.raises(Stopped):
            turn.start()
    else:
        import assistant.chat.turn as turn_module

        real = turn_module.personalize

        def personalize_then_stop(*args, **kwargs):
            out = real(*args, **kwargs)
            cancel.cancel()  # the user pressed Stop while the method prepared
            return out

        monkeypatch.setattr(turn_module, "personalize", personalize_then_stop)
        with pytest.raises(Stopped):
            turn.start()
    assert ChatService(app.db).list_conversations() == []


def test_a_reply_stopped_before_its_first_token_is_removed(app):
    from assistant.chat.conversations import ChatService
    from assistant.chat.turn import ChatRequest, ChatTurn
    from engine.runtime.generation import CancelToken

    cancel = CancelToken()
    turn = ChatTurn(app, ChatRequest("Hello there"), cancel)
    info = turn.start()
    cancel.cancel()
    assert list(turn.stream()) == []
    msgs = ChatService(app.db).messages(info.conversation_id)
    assert [m.role for m in msgs] == ["user"], "an empty reply was kept"


@pytest.mark.slow  # reading a 3,000-token prompt once: seconds, more on a busy machine
def test_stop_while_the_prompt_is_read_lands_within_a_chunk(model_path):
    """A long prompt is read in chunks: a Stop lands between two of them, not after the
    whole prompt (one llama_decode call that nothing interrupts)."""
    import threading

    from engine.runtime.generation import CancelToken, GenerationStats, SamplingSettings
    from engine.runtime.llamacpp import LlamaRuntime

    rt = LlamaRuntime(model_path, n_ctx=4096)
    try:
        text = " ".join(f"Day {i}: the keeper lit the lamp and wrote in the log."
                        for i in range(220))
        assert len(rt.tokenize(text)) > 3000
        s = SamplingSettings(max_tokens=1, seed=1)
        t0 = time.perf_counter()
        list(rt.stream(text, s))
        full = time.perf_counter() - t0  # reading the whole prompt (and one token)
        rt.llm.reset()  # no cached prefix: the next read starts from the beginning
        cancel, stats = CancelToken(), GenerationStats()
        stopped_at: list[float] = []

        def stop_soon() -> None:
            time.sleep(min(0.2, full / 5))
            stopped_at.append(time.perf_counter())
            cancel.cancel()

        threading.Thread(target=stop_soon).start()
        pieces = list(rt.stream(text, SamplingSettings(max_tokens=50, seed=1), cancel=cancel,
                                stats=stats))
        latency = time.perf_counter() - stopped_at[0]
        assert pieces == [] and stats.finish_reason == "cancelled"
        assert latency < min(1.0, full / 4), (
            f"the stop took {latency:.2f} s; reading the whole prompt takes {full:.2f} s")
    finally:
        rt.close()
