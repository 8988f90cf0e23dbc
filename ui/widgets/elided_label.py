"""A one-line label that shortens what it draws with "…" when space is short (the status
bar). `text()` stays the whole text, and so does the tooltip when it is shortened: nothing
is lost, and what is drawn always fits, where a plain QLabel would be cut mid-letter.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget

MIN_WIDTH = 40


class ElidedLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._tip = ""

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt API)
        self._tip = tip
        super().setToolTip(tip)

    def shown_text(self) -> str:
        """What is drawn: the text, shortened with "…" to the label's width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             max(0, self.contentsRect().width()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), MIN_WIDTH), hint.height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        shown = self.shown_text()
        tip = "\n".join(t for t in (self.text() if shown != self.text() else "", self._tip) if t)
        if super().toolTip() != tip:
            super().setToolTip(tip)
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(),
                                  int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
                                  self.palette(), self.isEnabled(), shown,
                                  self.foregroundRole())
