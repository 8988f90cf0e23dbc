"""Helpers for the GUI tests (imported by the tests and by conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

import ui  # noqa: F401  (applies the PySide6 6.12 guard before any widget exists)


def make_window(
    context,
    *,
    load_model: bool,
    sampling: dict | None = None,
    size: tuple[int, int] | None = (1100, 720),
):
    """The real main window; `size=None` keeps the geometry restored from QSettings."""
    from ui.main_window import MainWindow

    w = MainWindow(context, sampling=sampling, load_model=load_model)
    if size is not None:
        w.resize(*size)
    w.show()
    return w


def close_window(w) -> None:
    for widget in QApplication.topLevelWidgets():  # a box a failed test left open
        if isinstance(widget, QMessageBox) and widget.isVisible():
            widget.close()
    for box in w.findChildren(QMessageBox):
        box.close()
    w.close()
    assert w.shutdown_complete, "a worker thread did not stop"
    w.deleteLater()


def find_box(name: str = "") -> QMessageBox | None:
    """The visible message box (by object name: errorBox, confirmBox, infoBox)."""
    for widget in QApplication.topLevelWidgets():
        for box in [widget, *widget.findChildren(QMessageBox)]:
            if isinstance(box, QMessageBox) and box.isVisible() and (
                not name or box.objectName() == name
            ):
                return box
    return None


def click_box(box: QMessageBox, object_name: str) -> None:
    button = box.findChild(QPushButton, object_name)
    assert button is not None, f"no {object_name} in {box.text()!r}"
    button.click()


def screenshot(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"gui-{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


class StallMeter:
    """Measures the longest gap between ticks of a 10 ms QTimer on the GUI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last: float | None = None
        self.max_gap = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.max_gap = max(self.max_gap, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.last = None
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
