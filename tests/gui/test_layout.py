"""Every view of the window at 800x600 and at its minimum size: no visible label or button
clipped, none outside its parent or over a sibling, no tab cut, no sideways scroll in the
chat, and status messages that fit (tests/gui/layout_check.py says how).

The conversation shown is stored through the real services: a reply with a long model
name, two versions (‹ 1/2 ›) and the buttons every bubble can show.
"""

from __future__ import annotations

import pytest
from gui_helpers import close_window, make_window
from layout_check import problems
from PySide6.QtWidgets import QApplication

from assistant.chat.conversations import ChatService
from assistant.writing.history import HistoryService
from ui.main_window import MIN_SIZE, TAB_CHAT

pytestmark = pytest.mark.gui

LONG_MODEL = "SmolLM2-135M-Instruct.Q4_1 (embedded)"


def _conversation(app) -> int:
    chat = ChatService(app.db)
    turn = chat.begin_turn(None, "Write to my neighbour about the ladder, please.",
                           model_name=LONG_MODEL)
    text = "To my neighbour,\nThanks for the ladder. I will bring it back on Sunday."
    list(chat.generate(turn, iter([text])))
    chat.edit_reply(turn.reply_message_id, text + " Best, Sam")  # ‹ 1/2 › on the reply
    HistoryService(app.db).add("A sample of my own writing, long enough to count.")
    return turn.conversation_id


@pytest.fixture
def stored(gui_app, qtbot, app):
    cid = _conversation(app)
    w = make_window(app, load_model=False)
    qtbot.waitExposed(w)
    w.conversations.refresh(cid)
    w.show_conversation(cid)
    yield w
    close_window(w)


def _settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(30)


def _check(w, qtbot, where: str) -> list[str]:
    _settle(qtbot)
    return [f"{where}: {p}" for p in problems(w)]


@pytest.mark.parametrize("size", [(800, 600), MIN_SIZE], ids=["800x600", "minimum"])
def test_nothing_is_clipped_or_overlaps_in_any_tab(stored, qtbot, size):
    w = stored
    w.resize(*size)
    w.show_guide()
    found = []
    for i in range(w.tabs.count()):
        w.tabs.setCurrentIndex(i)
        found += _check(w, qtbot, f"{size} guide + tab {w.tabs.tabText(i)!r}")
    for step in range(3):
        w.guide.go(step)
        found += _check(w, qtbot, f"{size} guide step {step + 1}")
    w.guide.finish(False)
    w.tabs.setCurrentIndex(TAB_CHAT)
    found += _check(w, qtbot, f"{size} chat")
    for msg in ("Done: 40 tokens at 25.13 tokens/s.",
                "Imported 1 file(s) into your writing history."):
        w.statusBar().showMessage(msg)
        found += _check(w, qtbot, f"{size} status {msg!r}")
    w.statusBar().clearMessage()
    w.meters.start(30000, 32768, 2048)  # the widest the context meter's text gets
    w.personalization_label.setText("Personalization: your texts + SteerX (best for you)")
    found += _check(w, qtbot, f"{size} meters")
    assert not found, "\n".join(found)


def test_a_status_message_is_never_drawn_under_the_status_labels(stored, qtbot):
    """The facts (model, device…) give way to a message, and stay away when one of them
    changes meanwhile (a relayout of the bar used to show them again under the message)."""
    w = stored
    w.resize(800, 600)
    w.statusBar().showMessage("Stopped; the text so far is kept.", 5000)
    _settle(qtbot)
    w.personalization_label.setText("Personalization: SteerX")
    w.model_label.setText("Model: another-model.gguf")
    w.meters.start(300, 4096, 512)  # the permanent meters change size: the bar relays out
    _settle(qtbot)
    w.meters.finish(None)
    _settle(qtbot)
    facts = (w.model_label, w.device_label, w.personalization_label, w.cloud_label)
    assert not any(f.isVisible() for f in facts)
    assert not problems(w)
    w.statusBar().clearMessage()
    _settle(qtbot)
    assert all(f.isVisible() for f in facts)


def test_the_window_cannot_shrink_below_its_minimum(stored, qtbot):
    stored.resize(400, 300)
    _settle(qtbot)
    assert (stored.width(), stored.height()) == MIN_SIZE


def test_the_check_finds_clipped_and_overlapping_widgets(gui_app, qtbot):
    """The checker itself: a label cut short and two overlapping buttons are reported."""
    from PySide6.QtWidgets import QLabel, QPushButton, QWidget

    root = QWidget()
    qtbot.addWidget(root)
    root.resize(300, 100)
    label = QLabel("Imported 1 file(s) into your writing history", root)
    label.setGeometry(0, 0, 80, 20)
    a, b = QPushButton("Delete", root), QPushButton("Copy", root)
    a.setGeometry(100, 0, 80, 30)
    b.setGeometry(150, 0, 80, 30)
    root.show()
    qtbot.waitExposed(root)
    found = problems(root)
    assert any("Imported" in p and "wide" in p for p in found), found
    assert any("overlaps" in p for p in found), found
