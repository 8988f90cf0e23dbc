"""Other apps: the switch that lets apps on this computer write in the user's voice.

On, it runs `assistant serve` as a child process (its own model, so the window's
replies and the apps' requests never wait on each other) and hands it the access
token on stdin; the panel shows the address and the token, hidden until asked,
with a copy button. Off, or when the window closes, the child is stopped.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QProcess, QTimer, Slot
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.app import AppContext
from assistant.serve import access
from assistant.settings import update_setting
from ui.dialogs import guarded
from ui.errors import USER_ERRORS
from ui.workers import json_lines

log = logging.getLogger(__name__)

STOP_GRACE_MS = 5000
STDERR_TAIL = 4000


class ServePanel(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._proc: QProcess | None = None
        self._stdout = b""
        self._stderr = b""
        self.url = ""

        self.switch = QCheckBox(self.tr("Let apps on this computer write in my voice"), self)
        self.switch.setObjectName("serveSwitch")
        self.switch.setAccessibleName(self.tr("Serve my voice to apps on this computer"))
        self.switch.toggled.connect(self._on_toggled)
        self.status = QLabel(self.tr("Off."), self)
        self.status.setObjectName("serveStatus")
        self.status.setWordWrap(True)
        self.address = QLineEdit(self)
        self.address.setObjectName("serveAddress")
        self.address.setReadOnly(True)
        self.address.setAccessibleName(self.tr("Address for other apps"))
        self.token = QLineEdit(self)
        self.token.setObjectName("serveToken")
        self.token.setReadOnly(True)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName(self.tr("Access token"))
        self.show_button = QPushButton(self.tr("Show"), self)
        self.show_button.setObjectName("serveShowToken")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._on_show)
        self.copy_button = QPushButton(self.tr("Copy token"), self)
        self.copy_button.setObjectName("serveCopyToken")
        self.copy_button.clicked.connect(self.copy_token)
        self.new_button = QPushButton(self.tr("New token"), self)
        self.new_button.setObjectName("serveNewToken")
        self.new_button.setToolTip(self.tr("Apps using the old token stop working."))
        self.new_button.clicked.connect(self.new_token)
        self.keep = QCheckBox(self.tr("Keep their requests and replies as conversations"), self)
        self.keep.setObjectName("serveKeep")
        self.keep.setChecked(app.settings.serve_keep_history)
        self.keep.toggled.connect(self._on_keep)

        note = QLabel(self.tr(
            "An OpenAI-compatible endpoint on 127.0.0.1 only. In an app's OpenAI settings, "
            "use the address as the base URL and the token as the API key; the model "
            "'voice-assistant' answers with your profile, 'voice-assistant:plain' without. "
            "Your writing history never leaves this computer."), self)
        note.setWordWrap(True)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token, 1)
        token_row.addWidget(self.show_button)
        token_row.addWidget(self.copy_button)
        token_row.addWidget(self.new_button)
        form = QFormLayout()
        form.addRow(self.tr("Address"), self.address)
        form.addRow(self.tr("Token"), token_row)
        box = QGroupBox(self.tr("Other apps"), self)
        bl = QVBoxLayout(box)
        bl.addWidget(self.switch)
        bl.addWidget(self.status)
        bl.addLayout(form)
        bl.addWidget(self.keep)
        bl.addWidget(note)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addStretch(1)
        self._killer = QTimer(self)
        self._killer.setSingleShot(True)
        self._killer.timeout.connect(self._kill)
        self._show_token(False)

    # ---- the token -----------------------------------------------------------------
    def _show_token(self, known: bool) -> None:
        for w in (self.show_button, self.copy_button):
            w.setEnabled(known)

    @Slot(bool)
    def _on_show(self, on: bool) -> None:
        self.token.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        self.show_button.setText(self.tr("Hide") if on else self.tr("Show"))

    @Slot()
    def copy_token(self) -> None:
        QGuiApplication.clipboard().setText(self.token.text())
        self.status.setText(self.status.text().split(" Token copied")[0] +
                            self.tr(" Token copied."))

    @Slot()
    def new_token(self) -> None:
        value = guarded(self, access.new_token)
        if value is None:
            return
        self.token.setText(value)
        self._show_token(True)
        if self.running:  # the running server keeps the old one until restarted
            self.stop()
            self.start()

    @Slot(bool)
    def _on_keep(self, on: bool) -> None:
        if guarded(self, update_setting, self._app.db, "serve_keep_history", on) is None:
            return
        self._app.reload_settings()
        if self.running:
            self.status.setText(self.tr("Saved; it applies when the server starts again."))

    # ---- the child process -------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._proc is not None

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        if on and not self.running:
            self.start()
        elif not on and self.running:
            self.stop()

    def start(self) -> None:
        try:
            token = access.token()
        except USER_ERRORS as exc:
            self._fail(str(exc))
            return
        self.token.setText(token)
        self._show_token(True)
        proc = QProcess(self)
        proc.setProgram(sys.executable)
        proc.setArguments(["-m", "assistant", "--home", str(self._app.home), "serve", "--json",
                           "--token-from-stdin"])
        proc.readyReadStandardOutput.connect(self._on_stdout)
        proc.readyReadStandardError.connect(self._on_stderr)
        proc.finished.connect(self._on_exit)
        proc.errorOccurred.connect(self._on_error)
        self._proc, self._stdout, self._stderr, self.url = proc, b"", b"", ""
        proc.start()
        proc.write(token.encode() + b"\n")
        self.status.setText(self.tr("Starting: loading the model…"))
        self.address.clear()

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM: it finishes the running reply's last token)."""
        if self._proc is not None:
            self._proc.terminate()
            self._killer.start(STOP_GRACE_MS)
            self.status.setText(self.tr("Stopping…"))

    def stop_now(self, timeout_ms: int = STOP_GRACE_MS) -> None:
        """For the window's close: stop and wait, then kill."""
        proc = self._proc
        if proc is None:
            return
        proc.terminate()
        if not proc.waitForFinished(timeout_ms):
            proc.kill()
            proc.waitForFinished(2000)

    @Slot()
    def _kill(self) -> None:
        if self._proc is not None:
            log.warning("the serve process did not stop; killing it")
            self._proc.kill()

    @Slot()
    def _on_stdout(self) -> None:
        if self._proc is None:
            return
        messages, self._stdout = json_lines(self._stdout,
                                            bytes(self._proc.readAllStandardOutput()))
        for ready in messages:
            self.url = str(ready.get("url", ""))
            self.address.setText(self.url)
            self.status.setText(self.tr("On: apps on this computer can use your voice."))

    @Slot()
    def _on_stderr(self) -> None:
        if self._proc is not None:
            self._stderr = (self._stderr + bytes(self._proc.readAllStandardError()))[-STDERR_TAIL:]

    @Slot(QProcess.ProcessError)
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._proc is not None:
            self._fail(self.tr("The server could not start ({0}).").format(
                self._proc.errorString()))
            self._proc = None

    @Slot(int, QProcess.ExitStatus)
    def _on_exit(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._on_stderr()
        self._killer.stop()
        stopping = not self.switch.isChecked()
        self._proc = None
        self.url = ""
        self.address.clear()
        if stopping or code in (0, 130):
            self.status.setText(self.tr("Off."))
        else:
            errors = [ln for ln in self._stderr.decode("utf-8", "replace").splitlines()
                      if ln.startswith("error:")]
            self._fail(errors[-1].removeprefix("error:").strip() if errors else
                       self.tr("The server stopped unexpectedly (exit code {0}).").format(code))

    def _fail(self, message: str) -> None:
        self.status.setText(message)
        self.switch.blockSignals(True)
        self.switch.setChecked(False)
        self.switch.blockSignals(False)
