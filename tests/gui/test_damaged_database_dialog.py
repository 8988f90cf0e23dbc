"""The window on a damaged database: a dialog says so and offers the way out; Repair saves
what can be read and the app opens on the fresh database (a real database the app made,
pages zeroed; the real dialogs, clicked as a user would)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from assistant.app import AppContext
from assistant.errors import UserError
from assistant.writing.history import HistoryService

pytestmark = pytest.mark.gui


def _answer(clicks: list[str]) -> None:
    """Click each next modal box's button whose text starts with the next word."""
    def tick() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and clicks:
            want = clicks.pop(0)
            button = next(b for b in box.buttons() if b.text().startswith(want))
            seen.append(box.text())
            button.click()
        if clicks:
            QTimer.singleShot(50, tick)
    seen: list[str] = []
    _answer.seen = seen  # type: ignore[attr-defined]
    QTimer.singleShot(50, tick)


def _damaged(home) -> Exception:
    app = AppContext(home)
    for i in range(200):
        HistoryService(app.db).add(f"sample {i} " + "words of mine " * 20)
    app.db.checkpoint()
    app.close()
    db = home / "assistant.db"
    db.write_text("not a database any more\n" * 10)
    with pytest.raises(UserError) as info:
        AppContext(home)
    return info.value


@pytest.mark.parametrize("choice, samples", [("Repair", 0), ("Start again", 0), ("Quit", None)])
def test_the_window_offers_a_way_out(gui_app, home, choice, samples):
    from ui.app import open_damaged_database

    exc = _damaged(home)
    clicks = [choice] + (["OK"] if choice == "Repair" else [])
    _answer(clicks)
    ctx = open_damaged_database(home, exc)
    seen = _answer.seen  # type: ignore[attr-defined]
    assert "is damaged" in seen[0] and "assistant repair" in seen[0]
    if samples is None:
        assert ctx is None
        return
    try:
        assert ctx is not None and HistoryService(ctx.db).count() == samples
        if choice == "Repair":
            assert "Saved" in seen[1] and list(home.glob("assistant.damaged-*.db"))
        else:
            assert not list(home.glob("assistant.damaged-*"))
    finally:
        ctx.close()
