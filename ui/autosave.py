"""Save a text box into the store shortly after the user stops typing.

A debounce (`DELAY_MS` after the last keystroke) keeps the writes few; the
window also flushes on close. Each write is one small SQLite row, cheap enough
for the GUI thread, and a failure to write is logged, never shown mid-typing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QPlainTextEdit

from assistant.chat.unsent import UnsentService
from store import StoreError

log = logging.getLogger(__name__)

DELAY_MS = 800


class Autosaver(QObject):
    """Keeps `editor`'s text in the store under `box`; `sample_id()` goes with it."""

    def __init__(
        self,
        editor: QPlainTextEdit,
        service: UnsentService,
        box: str,
        sample_id: Callable[[], int | None] = lambda: None,
    ) -> None:
        super().__init__(editor)
        self._editor = editor
        self._service = service
        self._box = box
        self._sample_id = sample_id
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.flush)
        editor.textChanged.connect(self._timer.start)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    @Slot()
    def flush(self) -> None:
        """Write now (the timer's end, or the window closing)."""
        self._timer.stop()
        try:
            self._service.save(self._box, self._editor.toPlainText(), self._sample_id())
        except (StoreError, OSError) as exc:
            log.warning("could not keep the unsent %s text: %s", self._box, type(exc).__name__)
