"""Entry point of the desktop app: `run_gui(home)` (what `assistant` with no command calls).

Colours: no hex codes anywhere in the UI, only palette roles, so the window follows
the system's light or dark palette; Qt (6.5+) updates the palette when the system
scheme changes, and every widget repaints from it.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
from pathlib import Path
from types import FrameType, TracebackType

from PySide6.QtCore import QCoreApplication, QThreadPool, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from assistant.app import AppContext
from assistant.paths import APP_AUTHOR, APP_NAME
from ui import qt_compat
from ui.errors import USER_ERRORS

log = logging.getLogger(__name__)
qt_compat.apply()  # before any Qt call; see ui.qt_compat

ORGANIZATION = APP_AUTHOR  # QSettings (window geometry) live under this name
APPLICATION = APP_NAME
DISPLAY_NAME = "Voice Assistant"
# The desktop entry's file name, the AppStream id and the icon name are one id, as
# desktops and Flathub match them (packaging/io.github.voiceassistant.*).
DESKTOP_ID = "io.github.voiceassistant"


TRANSLATIONS = Path(__file__).resolve().parent / "translations"
_translators: list = []  # kept alive: Qt does not own an installed translator


def install_translations(qapp: QCoreApplication, folder: Path = TRANSLATIONS,
                         locale: str | None = None) -> bool:
    """Load `voice_assistant_<lang>.qm` for the system's (or `locale`'s) language, if there
    is one; the window's strings are all `tr()`, so a translation covers them."""
    from PySide6.QtCore import QLocale, QTranslator

    loc = QLocale(locale) if locale else QLocale.system()
    tr = QTranslator(qapp)
    if not tr.load(loc, "voice_assistant", "_", str(folder)):
        return False
    qapp.installTranslator(tr)
    _translators.append(tr)
    return True


def configure_application(qapp: QCoreApplication) -> None:
    """Names for QSettings and the desktop, and palette-change logging."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    if isinstance(qapp, QGuiApplication):
        QGuiApplication.setApplicationDisplayName(DISPLAY_NAME)
        QGuiApplication.setDesktopFileName(DESKTOP_ID)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(
            lambda scheme: log.info("system colour scheme changed to %s", scheme.name)
        )


def freeze_gc(*, collect: bool = True) -> None:
    """Keep full garbage collections short, so they never stall the event loop.

    Everything alive after start-up (modules, Qt wrappers, the model's Python
    objects) moves to the permanent generation; a full collection then scans only
    what the session itself created. Measured in the test process: full
    collections of 350-430 ms without this, felt by the window as freezes.
    `collect=False` when the window is already up: the collection itself pauses.
    """
    if collect:
        gc.collect()
    gc.freeze()


def _show_unexpected(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Last resort for an exception escaping a slot: log it, show one sentence."""
    log.error("unexpected error in the GUI", exc_info=(exc_type, exc, tb))
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    translate = QCoreApplication.translate
    text = str(exc) if isinstance(exc, USER_ERRORS) else translate(
        "App", "Unexpected {0}: {1}. The details are in the log file.").format(
            exc_type.__name__, exc)
    box = QMessageBox(QMessageBox.Icon.Warning, translate("App", "Something went wrong"), text)
    box.setAccessibleName(translate("App", "Error"))
    box.open()


def open_damaged_database(home: str | Path | None, exc: Exception) -> AppContext | None:
    """The data could not be opened: say why; for a damaged database offer the way out
    (save what can be read, or start again with nothing). The context, or None to quit."""
    from assistant.data.repair import is_damaged, repair_database, summary

    translate = QCoreApplication.translate
    if not is_damaged(exc):
        QMessageBox.critical(None, translate("App", "Cannot open your data"), str(exc))
        return None
    box = QMessageBox(QMessageBox.Icon.Critical, translate("App", "Your database is damaged"),
                      str(exc))
    box.setObjectName("damagedDatabaseDialog")
    repair_button = box.addButton(translate("App", "Repair (save what can be read)"),
                                  QMessageBox.ButtonRole.AcceptRole)
    erase_button = box.addButton(translate("App", "Start again with nothing"),
                                 QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(translate("App", "Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(repair_button)
    box.exec()
    try:
        if box.clickedButton() is repair_button:
            from assistant.paths import data_dir

            res = repair_database(data_dir(home))
            QMessageBox.information(None, translate("App", "Database repaired"), summary(res))
            return AppContext(home)
        if box.clickedButton() is erase_button:
            from assistant.data import DataService
            from assistant.data.reset import erase_damaged_database
            from assistant.paths import data_dir

            erase_damaged_database(data_dir(home))
            ctx = AppContext(home)
            DataService.for_app(ctx).reset("all")
            ctx.reload_settings()
            return ctx
    except USER_ERRORS as again:
        QMessageBox.critical(None, translate("App", "Cannot open your data"), str(again))
    return None


def run_gui(home: str | Path | None = None) -> int:
    """Open the main window on the data folder `home`; returns the exit status."""
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(qapp)
    install_translations(qapp)
    try:
        ctx = AppContext(home)
    except USER_ERRORS as exc:
        ctx = open_damaged_database(home, exc)
        if ctx is None:
            return 1

    from ui.main_window import MainWindow  # after the context: a failure above shows fast

    window = MainWindow(ctx)
    freeze_gc()  # before the window shows: the one full collection is not felt
    # Once more when the model thread has imported and loaded the model.
    window.model.modelLoaded.connect(lambda _facts: freeze_gc(collect=False))
    window.show()

    old_hook = sys.excepthook
    sys.excepthook = _show_unexpected

    # Ctrl+C in the terminal or SIGTERM closes the window the normal way, so a reply
    # being written is stored as partial. Python runs signal handlers only between
    # bytecodes, hence the idle timer that lets the interpreter run now and then.
    def close_window(_signum: int, _frame: FrameType | None) -> None:
        QTimer.singleShot(0, window.close)

    old_handlers = {s: signal.signal(s, close_window) for s in (signal.SIGINT, signal.SIGTERM)}
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)
    ticker.start(250)
    try:
        return int(qapp.exec())
    finally:
        ticker.stop()
        for s, h in old_handlers.items():
            signal.signal(s, h)
        sys.excepthook = old_hook
        window.close()  # no-op if already closed; stops the workers otherwise
        QThreadPool.globalInstance().waitForDone(5000)  # model-file checks in flight
        if window.shutdown_complete:
            ctx.close()
        else:  # a worker still runs: never free its model from this thread
            ctx.db.close()
