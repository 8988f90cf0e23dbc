"""Stop before the first token, in the window with the real model: Esc takes effect within a
second while the model is still loading, and right after sending; nothing stays "writing…"
and no empty reply is stored. Continue writes on into a reply cut at its length limit.
"""

from __future__ import annotations

import time

import pytest
from gui_helpers import close_window, make_window, wait_until
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from assistant.app import AppContext
from assistant.chat.conversations import ChatService

pytestmark = pytest.mark.gui

GEN_TIMEOUT_MS = 180_000


def _send(w, text: str) -> None:
    w.tabs.setCurrentIndex(0)
    w.chat_view.input.setPlainText(text)
    w.chat_view.input.setFocus()
    QTest.keyClick(w.chat_view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.model.busy, "Ctrl+Enter did not send"


def _stop_and_time(w, qtbot) -> float:
    t0 = time.perf_counter()
    QTest.keyClick(w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not w.model.busy and w.chat_view.send_button.isEnabled(),
                    timeout=10_000)
    return time.perf_counter() - t0


def _no_empty_replies(app) -> None:
    chat = ChatService(app.db)
    for c in chat.list_conversations():
        for m in chat.messages(c.id):
            assert m.role != "assistant" or m.content, f"an empty reply was kept: {m}"


def test_esc_while_the_model_loads_and_right_after_sending(gui_app, qtbot, tmp_path):
    ctx = AppContext(tmp_path / "home")
    w = make_window(ctx, load_model=True, sampling={"seed": 5, "max_tokens": 300})
    try:
        qtbot.waitExposed(w)
        w.activateWindow()  # the window-wide shortcuts (Ctrl+Enter, Esc) need it active
        qtbot.waitUntil(w.isActiveWindow, timeout=5000)
        # 1. The model is still loading: the reply has not begun.
        text = "Write a long story about a lighthouse keeper."
        _send(w, text)
        took = _stop_and_time(w, qtbot)
        assert took < 1.0, f"Stop took {took:.2f} s while the model loaded"
        assert w.chat_view.input_text() == text, "the message did not come back to the box"
        assert not any(b.header.text().endswith("writing…") for b in w.chat_view.bubbles())
        assert wait_until(lambda: bool(w._model_facts), 180), "the model did not load"
        qtbot.waitUntil(lambda: w.model._pending == {}, timeout=GEN_TIMEOUT_MS)
        assert ChatService(ctx.db).list_conversations() == [], "a stopped send was stored"

        # 2. Loaded: Esc at once after sending (before or at the first token).
        w.chat_view.clear_input()
        _send(w, text)
        took = _stop_and_time(w, qtbot)
        assert took < 1.0, f"Stop took {took:.2f} s right after sending"
        qtbot.waitUntil(lambda: w.model._pending == {}, timeout=GEN_TIMEOUT_MS)
        qtbot.wait(100)
        _no_empty_replies(ctx)
        headers = [b.header.text() for b in w.chat_view.bubbles()]
        assert not any("writing…" in h for h in headers), headers

        # 3. A reply cut at its length limit, then Continue into the same reply.
        w.new_chat()
        w.sampling.update(max_tokens=8)
        _send(w, "Tell me a long story about the sea.")
        qtbot.waitUntil(lambda: not w.model.busy, timeout=GEN_TIMEOUT_MS)
        qtbot.wait(50)
        reply = w.chat_view.bubbles()[-1]
        assert reply.finish_reason == "length" and reply.continue_button.isVisible()
        before = reply.text
        reply.continue_button.click()
        assert w.model.busy
        qtbot.waitUntil(lambda: not w.model.busy, timeout=GEN_TIMEOUT_MS)
        qtbot.wait(50)
        msgs = ChatService(ctx.db).messages(w.conversation_id)
        assert [m.role for m in msgs] == ["user", "assistant"]
        assert msgs[1].content.startswith(before) and len(msgs[1].content) > len(before)
        assert w.chat_view.bubbles()[-1].text == msgs[1].content
    finally:
        close_window(w)
        ctx.close()
