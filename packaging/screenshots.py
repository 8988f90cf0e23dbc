"""Render the README's screenshots offscreen, so they show the window as it is today.

    .venv/bin/python packaging/screenshots.py [OUT_DIR]    (default: docs/screenshots)

A fresh data folder in a temp directory gets three writing samples and one real chat
turn with the embedded model (fixed seed); the real window then opens on it, and
`QWidget.grab()` saves: the first-run guide (first-run.png), the chat (chat.png) and the
Personalization tab (personalization.png). Nothing of the user's (data, QSettings) is
read or written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SIZE = (1100, 720)
PROMPT = "Give me three short tips for writing a friendly email to a neighbour, as a list."
SAMPLES = [
    "Hi Ana! The tomatoes finally came up. Come by Sunday and take a few, honestly we "
    "have far too many. Coffee's on me.",
    "Dear Mr. Okafor, thanks for fixing the gate so quickly. The kids noticed before I did. "
    "Best, Sam",
    "Quick note: inbox first, coffee second, then the garden. That's the only plan I keep.",
]


def _wait(qapp, condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.02)
    return bool(condition())


def _save(qapp, widget, path: Path) -> None:
    for _ in range(5):
        qapp.processEvents()
        time.sleep(0.02)
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


def main(out: Path) -> int:
    sys.path.insert(0, str(REPO))
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    import ui  # noqa: F401  (the PySide6 guard, before any widget)
    from assistant.app import AppContext
    from assistant.chat.turn import ChatRequest, ChatTurn
    from assistant.writing.history import HistoryService
    from ui.app import configure_application
    from ui.main_window import GUIDE_DONE, TAB_PROFILE, MainWindow

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="va-screenshots-"))
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(qapp)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # never the user's settings
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qs"))
    QSettings().setValue(GUIDE_DONE, False)

    ctx = AppContext(tmp / "home")
    history = HistoryService(ctx.db)
    for text in SAMPLES:
        history.add(text, source="draft")
    turn = ChatTurn(ctx, ChatRequest(PROMPT, sampling={"seed": 7, "max_tokens": 160}))
    turn.start()
    for _piece in turn.stream():
        pass
    cid = turn.summary()["conversation_id"]

    window = MainWindow(ctx, load_model=True)
    window.resize(*SIZE)
    window.show()
    if not _wait(qapp, lambda: bool(window._model_facts), 120):
        raise SystemExit("the model did not load")
    _wait(qapp, lambda: window.guide.models.count() > 0, 60)
    window.guide.models.setCurrentRow(0)
    _save(qapp, window, out / "first-run.png")

    window.guide.finish(False)
    window.conversations.refresh(cid)
    window.show_conversation(cid)
    window.chat_view.input.setPlainText("Thanks! Now make the second tip shorter.")
    _save(qapp, window, out / "chat.png")

    window.tabs.setCurrentIndex(TAB_PROFILE)
    window.personalization.ensure_loaded()
    _save(qapp, window, out / "personalization.png")

    window.close()
    ctx.close() if window.shutdown_complete else ctx.db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"))
