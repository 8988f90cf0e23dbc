"""The window's colours: the desktop's (system), or light or dark whatever the desktop says.

Qt 6.8 can ask the platform for a colour scheme (`QStyleHints.setColorScheme`), but
many platforms (the offscreen one, older X11 desktops) ignore the request. So an
explicit choice sets the Fusion style with a palette of its own, which every
platform draws; "system" gives back the style and palette the app started with.
The widgets take their colours from palette roles, so they follow at once.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = ("system", "light", "dark")

_original: dict[str, object] = {}


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        colors = {
            QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
            QPalette.ColorRole.Base: "#1f1f1f", QPalette.ColorRole.AlternateBase: "#2f3338",
            QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
            QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.ToolTipBase: "#353535",
            QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d7bd9",
            QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#7fb2ff",
            QPalette.ColorRole.PlaceholderText: "#9a9a9a", QPalette.ColorRole.Mid: "#555555",
            QPalette.ColorRole.Light: "#4a4a4a", QPalette.ColorRole.Dark: "#1a1a1a",
            QPalette.ColorRole.Midlight: "#404040", QPalette.ColorRole.Shadow: "#000000",
        }
    else:
        colors = {
            QPalette.ColorRole.Window: "#f3f3f3", QPalette.ColorRole.WindowText: "#1e1e1e",
            QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#eef2f7",
            QPalette.ColorRole.Text: "#1e1e1e", QPalette.ColorRole.Button: "#ececec",
            QPalette.ColorRole.ButtonText: "#1e1e1e", QPalette.ColorRole.ToolTipBase: "#ffffdc",
            QPalette.ColorRole.ToolTipText: "#1e1e1e", QPalette.ColorRole.Highlight: "#2f6fd1",
            QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Link: "#1a5fb4",
            QPalette.ColorRole.PlaceholderText: "#6e6e6e", QPalette.ColorRole.Mid: "#b8b8b8",
            QPalette.ColorRole.Light: "#ffffff", QPalette.ColorRole.Dark: "#a0a0a0",
            QPalette.ColorRole.Midlight: "#dcdcdc", QPalette.ColorRole.Shadow: "#505050",
        }
    for role, hex_color in colors.items():
        p.setColor(role, QColor(hex_color))
    # Disabled text is dimmer in both schemes.
    dim = QColor("#7a7a7a") if dark else QColor("#a0a0a0")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, dim)
    return p


def apply_theme(app: QApplication, theme: str) -> None:
    """Colour the whole app by `theme` (one of THEMES; anything else counts as system)."""
    if not _original:
        _original["style"] = app.style().name()
        _original["palette"] = QPalette(app.palette())
    if theme in ("light", "dark"):
        fusion = QStyleFactory.create("Fusion")
        if fusion is not None:
            app.setStyle(fusion)
        app.setPalette(_palette(theme == "dark"))
        return
    style = QStyleFactory.create(str(_original["style"]))
    if style is not None:
        app.setStyle(style)
    app.setPalette(_original["palette"])  # type: ignore[arg-type]


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128
