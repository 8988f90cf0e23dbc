"""The main window's tabs: their order, and a tab widget that finds a panel in its scroll
area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

TAB_CHAT, TAB_DRAFT, TAB_HISTORY, TAB_PROFILE, TAB_CLOUD = range(5)


class PageTabs(QTabWidget):
    """Tabs whose pages may sit in a scroll area: `setCurrentWidget(panel)` finds the tab
    that holds the panel, wrapped or not."""

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt API)
        for i in range(self.count()):
            page = self.widget(i)
            if page is widget or (isinstance(page, QScrollArea) and page.widget() is widget):
                self.setCurrentIndex(i)
                return
        super().setCurrentWidget(widget)


def scrolling(page: QWidget) -> QScrollArea:
    """`page` in a frameless scroll area that only scrolls up and down."""
    area = QScrollArea()
    area.setObjectName(f"{page.objectName() or 'page'}Scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(page)
    return area
