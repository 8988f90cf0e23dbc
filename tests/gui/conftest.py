"""GUI test fixtures: the real app window on a temp data folder, offscreen.

QSettings (window geometry) go to a temp folder so tests never touch the user's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui_helpers import close_window, find_box, make_window  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

import ui  # noqa: E402,F401  (applies the PySide6 6.12 guard before any widget exists)


@pytest.fixture(scope="session", autouse=True)
def qsettings_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(path))
    return path


@pytest.fixture(scope="session")
def gui_app(qapp):
    from ui.app import configure_application

    configure_application(qapp)
    return qapp


@pytest.fixture
def window(gui_app, qtbot, app):
    """A main window on a fresh data folder, without loading the model (fast)."""
    w = make_window(app, load_model=False)
    qtbot.waitExposed(w)
    yield w
    close_window(w)


@pytest.fixture
def wait_box(qtbot) -> Callable[..., QMessageBox]:
    def wait(name: str = "", timeout: int = 5000) -> QMessageBox:
        qtbot.waitUntil(lambda: find_box(name) is not None, timeout=timeout)
        box = find_box(name)
        assert box is not None
        return box

    return wait


