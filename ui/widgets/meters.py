"""Live meters in the status bar: tokens per second while a reply streams, and how full
the model's context is, with a warning before older turns get left out.

The worker says how long the prompt is when a reply starts (`started`); every
`token` signal is one piece of the reply, so the meters need no call into the
model while it is busy.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

REFRESH_MS = 250
WARN_SHARE = 0.8  # a prompt plus its reply room above this share of the context: say so


class LiveMeters(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.speed = QLabel("", self)
        self.speed.setObjectName("statusSpeed")
        self.speed.setAccessibleName(self.tr("Reply speed"))
        self.context = QProgressBar(self)
        self.context.setObjectName("statusContext")
        self.context.setAccessibleName(self.tr("How full the model's context is"))
        # Wide enough for "Context 32768 / 32768 ⚠" on one line, never squeezed by the bar.
        self.context.setFixedWidth(
            self.context.fontMetrics().horizontalAdvance(self.tr("Context %v / %m")
                                                         .replace("%v", "32768")
                                                         .replace("%m", "32768") + " ⚠") + 24)
        self.context.setTextVisible(True)
        self.context.setRange(0, 1)
        self.context.setValue(0)
        self.context.setFormat(self.tr("Context"))
        self.context.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.speed)
        layout.addWidget(self.context)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_speed)
        self._prompt = 0
        self._pieces = 0
        self._first: float | None = None
        self.warning = ""

    def start(self, prompt_tokens: int, n_ctx: int, reply_room: int, trimmed: int = 0) -> None:
        """A reply begins: the prompt fills `prompt_tokens` of `n_ctx`."""
        self._prompt = prompt_tokens
        self._pieces, self._first = 0, None
        self.context.setRange(0, max(1, n_ctx))
        self.context.setValue(min(prompt_tokens, n_ctx))
        self.context.setVisible(True)
        if trimmed:
            self.warning = self.tr("Context full: the {0} oldest turn(s) were left out of "
                                   "this reply.").format(trimmed)
        elif prompt_tokens + reply_room > WARN_SHARE * n_ctx:
            self.warning = self.tr("Context nearly full: the next replies will leave the oldest "
                                   "turns out. Start a new chat to keep everything in view.")
        else:
            self.warning = ""
        self.context.setFormat(self.tr("Context %v / %m") + (" ⚠" if self.warning else ""))
        self.context.setToolTip(self.warning or self.tr(
            "{0} tokens of {1} in use, {2} kept for the reply.").format(
                prompt_tokens, n_ctx, reply_room))
        self.speed.setText(self.tr("…"))
        self._timer.start()

    def clear_context(self) -> None:
        """Another conversation is shown: the fill measured for the last one does not hold."""
        if not self._timer.isActive():
            self.context.setVisible(False)
            self.speed.setText("")

    def on_token(self) -> None:
        if self._first is None:
            self._first = time.perf_counter()
        self._pieces += 1
        self.context.setValue(min(self._prompt + self._pieces, self.context.maximum()))

    def rate(self) -> float:
        if self._first is None or self._pieces < 2:
            return 0.0
        elapsed = time.perf_counter() - self._first
        return (self._pieces - 1) / elapsed if elapsed > 0 else 0.0

    @Slot()
    def _refresh_speed(self) -> None:
        r = self.rate()
        self.speed.setText(self.tr("{0:.1f} tok/s").format(r) if r else "…")

    def finish(self, tokens_per_s: float | None = None) -> None:
        self._timer.stop()
        self.speed.setText(self.tr("{0:.1f} tok/s").format(tokens_per_s) if tokens_per_s else "")
