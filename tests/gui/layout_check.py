"""Geometry checks for a window: a visible label or button whose text is wider than the
widget (clipped), a widget outside its parent, siblings that overlap, tabs that do not fit,
and a status-bar message drawn under the bar's permanent widgets.

Geometry, not pixels: each check compares rectangles and `fontMetrics()` advances, so it
holds on any style and font, and names the widget that fails.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QMainWindow,
    QProgressBar,
    QScrollArea,
    QStatusBar,
    QTabBar,
    QWidget,
)

SLACK = 1  # px of rounding


def _name(w: QWidget) -> str:
    text = ""
    if isinstance(w, QLabel | QAbstractButton):
        text = f" {w.text()[:50]!r}"
    return f"{type(w).__name__}#{w.objectName() or '?'}{text}"


def _plain(label: QLabel) -> str:
    """The text as drawn (a label that elides says what it draws)."""
    shown = getattr(label, "shown_text", None)
    text = shown() if callable(shown) else label.text()
    if label.textFormat().name == "PlainText":
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText() if "<" in text else text


def _scroll_contents(root: QWidget) -> set[int]:
    """Widgets set in a scroll area (they may be taller than what shows: that scrolls)."""
    out = set()
    for area in root.findChildren(QScrollArea):
        if area.widget() is not None:
            out.add(id(area.widget()))
    return out


def _shown(w: QWidget, root: QWidget) -> bool:
    return w.isVisible() and w.isVisibleTo(root) and w.width() > 0 and w.height() > 0


def clipped_text(root: QWidget) -> list[str]:
    problems = []
    for w in [root, *root.findChildren(QWidget)]:
        if not _shown(w, root):
            continue
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            fm = w.fontMetrics()
            room = w.contentsRect().adjusted(w.margin(), w.margin(), -w.margin(), -w.margin())
            if w.wordWrap():
                need = w.heightForWidth(w.width())
                if need > w.height() + SLACK:
                    problems.append(f"{_name(w)}: wrapped text needs {need} px of height, "
                                    f"has {w.height()}")
                words = _plain(w).split()
                widest = max((fm.horizontalAdvance(x) for x in words), default=0)
                if widest > room.width() + SLACK:
                    problems.append(f"{_name(w)}: a word is {widest} px wide in "
                                    f"{room.width()} px")
            else:
                need = max(fm.horizontalAdvance(line) for line in _plain(w).split("\n"))
                if need > room.width() + SLACK:
                    problems.append(f"{_name(w)}: text is {need} px wide in {room.width()} px")
        elif isinstance(w, QProgressBar) and w.isTextVisible() and w.text():
            need = w.fontMetrics().horizontalAdvance(w.text())
            if need > w.width() - 8:
                problems.append(f"{_name(w)}: text {w.text()!r} is {need} px wide in a "
                                f"{w.width()} px bar")
        elif isinstance(w, QAbstractButton) and w.text():
            text = w.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            need = w.fontMetrics().horizontalAdvance(text)
            if need > w.width() - 4:  # a frame of 2 px on either side at the least
                problems.append(f"{_name(w)}: text is {need} px wide in a {w.width()} px "
                                "button")
    return problems


def outside_parent(root: QWidget) -> list[str]:
    problems = []
    scrolled = _scroll_contents(root)
    for w in root.findChildren(QWidget):
        parent = w.parentWidget()
        if parent is None or w.isWindow() or not _shown(w, root):
            continue
        if isinstance(parent, QAbstractScrollArea) and w is not parent.viewport():
            continue  # a scroll area's own parts
        g, inside = w.geometry(), parent.rect()
        if id(w) in scrolled:  # taller is fine (it scrolls); wider is a sideways scroll
            if g.width() > parent.width() + SLACK:
                problems.append(f"{_name(w)} is {g.width()} px wide in a {parent.width()} px "
                                "view: it scrolls sideways")
            continue
        if (g.left() < -SLACK or g.top() < -SLACK or g.right() > inside.right() + SLACK
                or g.bottom() > inside.bottom() + SLACK):
            problems.append(f"{_name(w)} {_rect(g)} lies outside its parent {_name(parent)} "
                            f"{_rect(inside)}")
    return problems


def overlapping(root: QWidget) -> list[str]:
    """Sibling labels and buttons (and what they sit beside) must not share pixels."""
    problems = []
    for parent in [root, *root.findChildren(QWidget)]:
        if not _shown(parent, root) or isinstance(parent, QAbstractScrollArea | QTabBar):
            continue
        kids = [c for c in parent.findChildren(QWidget, options=_direct())
                if not c.isWindow() and _shown(c, root)]
        for i, a in enumerate(kids):
            for b in kids[i + 1:]:
                if not isinstance(a, QLabel | QAbstractButton) and not isinstance(
                        b, QLabel | QAbstractButton):
                    continue
                shared = a.geometry().intersected(b.geometry())
                if shared.width() > SLACK and shared.height() > SLACK:
                    problems.append(f"{_name(a)} {_rect(a.geometry())} overlaps {_name(b)} "
                                    f"{_rect(b.geometry())}")
    return problems


def tabs_cut(root: QWidget) -> list[str]:
    problems = []
    for bar in root.findChildren(QTabBar):
        if not _shown(bar, root):
            continue
        for i in range(bar.count()):
            r = bar.tabRect(i)
            need = bar.fontMetrics().horizontalAdvance(bar.tabText(i).replace("&", ""))
            if r.right() > bar.width() + SLACK or r.left() < -SLACK or need > r.width():
                problems.append(f"tab {bar.tabText(i)!r} {_rect(r)} does not fit the tab bar "
                                f"({bar.width()} px)")
    return problems


def status_message_cut(window: QMainWindow) -> list[str]:
    bar: QStatusBar = window.statusBar()
    msg = bar.currentMessage()
    if not msg:
        return []
    shown = [w for w in bar.findChildren(QWidget, options=_direct()) if w.isVisible()]
    used = sum(w.width() for w in shown if w.x() > bar.width() // 3)  # the permanent ones
    room = bar.width() - used - 16
    need = bar.fontMetrics().horizontalAdvance(msg)
    if need > room:
        return [f"status message {msg!r} is {need} px wide; {room} px are free"]
    return []


def problems(window: QWidget) -> list[str]:
    found = clipped_text(window) + outside_parent(window) + overlapping(window)
    found += tabs_cut(window)
    if isinstance(window, QMainWindow):
        found += status_message_cut(window)
    return found


def _direct():
    from PySide6.QtCore import Qt

    return Qt.FindChildOption.FindDirectChildrenOnly


def _rect(r: QRect) -> str:
    return f"({r.x()},{r.y()} {r.width()}x{r.height()})"
