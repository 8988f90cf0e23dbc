"""Nothing typed is lost (issue 19): the draft and the message box come back after a close
without saving, and after the process dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from gui_helpers import close_window, make_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from assistant.app import AppContext
from assistant.chat.unsent import CHAT_INPUT, DRAFT, UnsentService
from ui.autosave import DELAY_MS

pytestmark = pytest.mark.gui

DRAFT_TEXT = "Dear Ana,\nthe garden is finally green again (draft, never saved)."


def type_into(editor, qtbot, text: str) -> None:
    editor.setFocus()
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            QTest.keyClick(editor, Qt.Key.Key_Return)
        QTest.keyClicks(editor, line)


def test_draft_and_message_come_back_after_closing_without_saving(gui_app, qtbot, home):
    ctx = AppContext(home)
    w = make_window(ctx, load_model=False)
    qtbot.waitExposed(w)
    w.tabs.setCurrentIndex(1)
    type_into(w.draft.editor, qtbot, DRAFT_TEXT)
    w.tabs.setCurrentIndex(0)
    type_into(w.chat_view.input, qtbot, "half a question about")
    assert w.draft.sample_id is None  # never saved to the writing history
    close_window(w)  # at once: the debounce has not fired, closing flushes
    ctx.close()

    ctx2 = AppContext(home)
    w2 = make_window(ctx2, load_model=False)
    try:
        qtbot.waitExposed(w2)
        assert w2.draft.text() == DRAFT_TEXT
        assert w2.chat_view.input_text() == "half a question about"
        assert "Not saved" in w2.draft.state_label.text()
        # Sending (here: emptying) the box leaves no copy behind.
        w2.chat_view.clear_input()
        qtbot.waitUntil(lambda: UnsentService(ctx2.db).load(CHAT_INPUT) is None,
                        timeout=DELAY_MS * 5)
    finally:
        close_window(w2)
        ctx2.close()


def test_a_saved_draft_comes_back_linked_to_its_sample(gui_app, qtbot, home):
    ctx = AppContext(home)
    w = make_window(ctx, load_model=False)
    qtbot.waitExposed(w)
    w.draft.set_text("A note I saved.")
    sid = w.draft.save()
    w.draft.editor.moveCursor(QTextCursor.MoveOperation.End)
    type_into(w.draft.editor, qtbot, " And kept writing.")
    close_window(w)
    ctx.close()

    ctx2 = AppContext(home)
    w2 = make_window(ctx2, load_model=False)
    try:
        assert w2.draft.sample_id == sid
        assert w2.draft.text() == "A note I saved. And kept writing."
        assert "Changed since it was saved" in w2.draft.state_label.text()
    finally:
        close_window(w2)
        ctx2.close()


KILLED_APP = textwrap.dedent(
    """
    import os, signal, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from assistant.app import AppContext
    from ui.main_window import MainWindow
    from ui.autosave import DELAY_MS
    qapp = QApplication([])
    w = MainWindow(AppContext(sys.argv[1]), load_model=False)
    w.show()
    w.draft.editor.setPlainText(sys.argv[2])
    # Well after the debounce, die the hard way: no close, no flush, no Python cleanup.
    QTimer.singleShot(DELAY_MS * 3, lambda: os.kill(os.getpid(), signal.SIGKILL))
    qapp.exec()
    """
)


def test_the_draft_survives_a_killed_process(home, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_APP, str(home), "text before the crash"],
        env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2],
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    ctx = AppContext(home)
    try:
        kept = UnsentService(ctx.db).load(DRAFT)
        assert kept is not None and kept.text == "text before the crash"
    finally:
        ctx.close()
