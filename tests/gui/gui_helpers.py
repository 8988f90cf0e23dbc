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
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(10_000)  # settings' model-file checks
    w.deleteLater()


def wait_until(condition, timeout_s: float) -> bool:
    """Run the event loop until `condition()` (for module-scoped fixtures, which have no
    qtbot). A QEventLoop releases the GIL while it waits; QTest.qWait does not, and would
    starve the model thread of the interpreter."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    return bool(condition())


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
    QApplication.processEvents()  # pending relayouts (a label that just changed its text)
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
        if self.last is not None and now - self.last > self.max_gap:
            self.max_gap = now - self.last
            self.max_at = self.last - self.started  # when the longest gap began
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.last = None
        self.started = time.perf_counter()
        self.max_at = 0.0
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def store_profile(
    app, *, method: str = "steerx", active: bool = True, fingerprint: str | None = None,
    direction: float = 0.0, meta: dict | None = None,
) -> None:
    """A built profile for the embedded model, written through the store (a real build
    takes minutes on two cores; test_profile_build_progress_and_cancel runs the builder)."""
    import numpy as np

    from assistant.local_models.choice import embedded_model_path
    from engine.runtime.gguf_info import read_gguf_info
    from store.models import Profile

    info = read_gguf_info(embedded_model_path())
    vectors = np.zeros((info.n_layer, info.n_embd), dtype="<f4")
    # `direction`: a fixed random direction of that scale at layer 12 (row 11), so that
    # steering changes the reply; 0 steers by nothing.
    vectors[11] = np.random.default_rng(7).standard_normal(info.n_embd) * direction
    with app.db.session() as s:
        s.add(Profile(
            method=method, model_name=info.name, model_fingerprint=fingerprint or info.fingerprint,
            n_layer=info.n_layer, n_embd=info.n_embd, layer=12, alpha=1.5,
            description="Short, direct sentences; coffee and inbox come first.",
            preference_tokens=[{"token": " honestly", "effect": 2.1, "count": 4},
                               {"token": " Coffee", "effect": 1.7, "count": 3}],
            n_samples=6, item_hashes=[],
            vectors=vectors.tobytes(),
            active=active, meta={"auto_selected": True, **(meta or {})},
        ))


def with_texts_meta(fraction: float, held_out: int = 5) -> dict:
    """A SteerX build's record of the strengths tried with the texts in the prompt: the
    chosen fraction scored 0.03 above the rest."""
    table = [{"fraction": f, "score": 0.20 + (0.03 if f == fraction and f else 0.0),
              "rougeL": 0.1, "meteor": 0.3, "nll": 1.0, "fluent": True}
             for f in (0.0, 0.025, 0.05, 0.1)]
    return {"with_texts": {"fraction": fraction, "alpha": fraction * 10, "held_out": held_out,
                           "selection": table, "residual_norm": 40.0}}
