"""Replies drawn as Markdown: highlighted code with a copy link per block, raw HTML shown as
text, links opened only on a click, and a long streamed reply that keeps the loop smooth."""

from __future__ import annotations

import pytest
from gui_helpers import StallMeter
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from ui.markdown import render
from ui.widgets.chat_view import MessageBubble

pytestmark = pytest.mark.gui

REPLY = (
    "Here is **the** fix, see [the docs](https://example.org/docs).\n\n"
    "```python\ndef add(a, b):\n    return a + b\n```\n\n"
    "<img src=https://tracker.example/x.png> and <b>not bold</b>.\n\n"
    "```\nplain text block\n```\n"
)


def test_render_highlights_code_and_escapes_html():
    out = render(REPLY)
    assert out.code_blocks == ["def add(a, b):\n    return a + b\n", "plain text block\n"]
    assert 'href="copy:0"' in out.html and 'href="copy:1"' in out.html
    assert '<span style="color' in out.html  # Pygments' inline colours
    assert "<img" not in out.html and "&lt;img" in out.html  # raw HTML is text
    assert "<strong>the</strong>" in out.html
    assert render("[x](javascript:alert(1))").html.count("<a ") == 0


def test_an_unclosed_fence_while_streaming_is_code_to_the_end():
    out = render("Start:\n\n```js\nconst a = 1;\nconst b")
    assert out.code_blocks == ["const a = 1;\nconst b"]


class _Browser(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_copy_code_and_links_in_a_reply(qtbot):
    bubble = MessageBubble("assistant", REPLY)
    qtbot.addWidget(bubble)
    copied: list[str] = []
    bubble.copyRequested.connect(copied.append)
    bubble.body.linkActivated.emit("copy:0")
    assert copied == ["def add(a, b):\n    return a + b\n"]
    browser = _Browser()  # Qt's own hook for where a URL scheme opens
    QDesktopServices.setUrlHandler("https", browser, "open")
    try:
        bubble.body.linkActivated.emit("https://example.org/docs")
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert browser.opened == ["https://example.org/docs"]
    # What the user typed is never interpreted.
    mine = MessageBubble("user", "**not bold** <b>x</b>")
    qtbot.addWidget(mine)
    assert mine.body.text() == "**not bold** <b>x</b>"
    QGuiApplication.clipboard().clear()


def test_a_long_streamed_reply_keeps_the_event_loop_smooth(qtbot):
    """2,000 words with code, streamed in small pieces: no stall above 250 ms."""
    para = ("The quick brown fox jumps over the lazy dog, **again** and again. " * 10 + "\n\n")
    code = "```python\nfor i in range(10):\n    print(i)\n```\n\n"
    text = (para + code) * 16  # just over 2,000 words
    bubble = MessageBubble("assistant", "", status="partial")
    bubble.resize(700, 400)
    bubble.show()
    qtbot.addWidget(bubble)
    meter = StallMeter()
    meter.start()
    pieces = [text[i:i + 12] for i in range(0, len(text), 12)]
    for p in pieces:
        bubble.append(p)
        qtbot.wait(1)
    bubble.set_status("complete")
    meter.stop()
    assert len(text.split()) >= 2000
    assert len(bubble.code_blocks) == 16
    assert meter.max_gap < 0.25, meter.max_gap


def test_code_colours_follow_a_dark_palette():
    light, dark = render(REPLY).html, render(REPLY, dark=True).html
    assert light != dark and "<span style=" in dark


def _document(text: str, dark: bool = False):
    """The reply as Qt lays it out: the rich-text document a bubble's label draws."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(render(text, dark=dark).html)
    return doc


def _fragments(doc):
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            yield block, it.fragment()
            it += 1
        block = block.next()


def test_a_single_line_break_is_kept(qapp):
    doc = _document("To my neighbour,\nThanks for the ladder.")
    text = doc.toRawText()
    assert "To my neighbour,\u2028Thanks" in text, repr(text)  # a line break, not a space


def test_inline_code_is_monospaced_on_a_tint(qapp):
    from PySide6.QtGui import QFontInfo

    doc = _document("Run `x = 1` first.")  # kept: fragments point into it
    code = [f for _b, f in _fragments(doc) if f.text() == "x = 1"]
    assert code, "the inline code is not a fragment of its own"
    fmt = code[0].charFormat()
    font = fmt.font()  # QFontInfo keeps a reference: the font must outlive it
    assert QFontInfo(font).fixedPitch(), fmt.fontFamilies()
    assert fmt.background().style() != Qt.BrushStyle.NoBrush


def test_tables_have_borders(qapp):
    from PySide6.QtGui import QTextTable

    doc = _document("| Day | Task |\n|---|---|\n| Mon | Inbox |\n")
    tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(tables) == 1 and tables[0].rows() == 2 and tables[0].columns() == 2
    assert tables[0].format().border() >= 1


def test_block_quotes_are_set_apart(qapp):
    from PySide6.QtGui import QTextTable

    for dark in (False, True):
        doc = _document("Before.\n\n> What I said to her.\n\nAfter.", dark=dark)
        quotes = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
        assert len(quotes) == 1, "the quote is not a box of its own"
        cell = quotes[0].cellAt(0, 0)
        assert cell.format().background().style() != Qt.BrushStyle.NoBrush
        inside = [f for b, f in _fragments(doc) if "What I said" in f.text()]
        assert inside and inside[0].charFormat().fontItalic()
