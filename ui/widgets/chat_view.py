"""The chat view: the messages of one conversation, a reply streaming in, and the input box.

Tokens are coalesced and painted at most every `PAINT_INTERVAL_MS`: a relayout
per token of a long reply would cost the event loop more than the model costs
the worker. Colours come from the palette (roles, not hex codes), so the view
follows the system's light or dark scheme.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from assistant.chat.views import MessageView
from ui.markdown import COPY_SCHEME
from ui.markdown import render as render_markdown
from ui.theme import is_dark

PAINT_INTERVAL_MS = 40
# The actions on a message: flat, as narrow as their text (a style's 80 px minimum would
# make a bubble wider than the view), and with a visible frame when they have the focus
# (flat buttons draw none of their own, so a keyboard user could not see where Tab went).
BUBBLE_BUTTON_STYLE = (
    "QPushButton { border: 2px solid transparent; border-radius: 3px; padding: 1px 5px; "
    "min-width: 0; background: transparent; color: palette(link); }"
    "QPushButton:hover { background: palette(midlight); }"
    "QPushButton:disabled { color: palette(mid); }"
    "QPushButton:focus { border: 2px solid palette(highlight); }"
)


class MessageBubble(QFrame):
    """One message: who wrote it, its text (selectable), and Copy / Regenerate on replies."""

    copyRequested = Signal(str)
    regenerateRequested = Signal(int)  # the reply's message id
    deleteRequested = Signal(int)  # the message id
    editRequested = Signal(int, str)  # the user message's id and its text
    replyEditRequested = Signal(int, str)  # a reply's id and its text (kept as a version)
    continueRequested = Signal(int)  # a reply cut at its length limit: write on
    versionRequested = Signal(int, int)  # the reply's id and the version to show (0-based)

    def __init__(
        self,
        role: str,
        text: str = "",
        *,
        status: str = "complete",
        model: str | None = None,
        message_id: int | None = None,
        version: int = 0,
        n_versions: int = 1,
        edited: bool = False,
        finish_reason: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.role = role
        self.edited = edited
        self.finish_reason = finish_reason
        self.message_id = message_id
        self.version, self.n_versions = version, n_versions
        self._text = text
        self._model = model
        self._status = status
        self.live = False  # being written now (an empty partial reply otherwise was stopped)
        self.setObjectName("userBubble" if role == "user" else "assistantBubble")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(
            QPalette.ColorRole.Base if role == "user" else QPalette.ColorRole.AlternateBase
        )
        self.header = QLabel(self)
        self.header.setObjectName("bubbleHeader")
        self.header.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # A long model name wraps rather than widening the bubble past the view.
        self.header.setWordWrap(True)
        self.header.setMinimumWidth(60)
        self.body = QLabel(self)
        self.body.setObjectName("bubbleBody")
        # What the user typed stays plain text; replies are Markdown (ui.markdown).
        self.markdown = role == "assistant"
        self.body.setTextFormat(Qt.TextFormat.RichText if self.markdown
                                else Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        flags = (Qt.TextInteractionFlag.TextSelectableByMouse
                 | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        if self.markdown:
            flags |= (Qt.TextInteractionFlag.LinksAccessibleByMouse
                      | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.body.setTextInteractionFlags(flags)
        self.body.setOpenExternalLinks(False)  # a click goes through _on_link, never a hover
        self.body.linkActivated.connect(self._on_link)
        self._code_blocks: list[str] = []
        self._render_cost = 0.0
        self._rendered_at = 0.0
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.timeout.connect(self._show_text)
        self.body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.body.setAccessibleName(
            self.tr("Your message") if role == "user" else self.tr("Assistant reply"))

        # Who wrote it on top; the actions in a row of their own under the text, so a long
        # model name or many versions never make a bubble wider than the view.
        top = QHBoxLayout()
        top.setSpacing(2)
        top.addStretch(1)
        self.copy_button = QPushButton(self.tr("Copy"), self)
        self.copy_button.setObjectName("copyButton")
        self.copy_button.setAccessibleName(self.tr("Copy message"))
        self.copy_button.setFlat(True)
        self.copy_button.clicked.connect(lambda: self.copyRequested.emit(self._text))
        top.addWidget(self.copy_button)
        self.regenerate_button = QPushButton(self.tr("Regenerate"), self)
        self.regenerate_button.setObjectName("regenerateButton")
        self.regenerate_button.setAccessibleName(self.tr("Regenerate reply"))
        self.regenerate_button.setFlat(True)
        self.regenerate_button.clicked.connect(
            lambda: self.regenerateRequested.emit(self.message_id) if self.message_id else None)
        self.regenerate_button.setVisible(False)
        top.addWidget(self.regenerate_button)
        # A regenerated reply's versions: ‹ 2/3 ›
        self.prev_button = QPushButton("‹", self)
        self.prev_button.setObjectName("previousVersionButton")
        self.prev_button.setAccessibleName(self.tr("Previous version of this reply"))
        self.prev_button.setFlat(True)
        self.prev_button.clicked.connect(lambda: self._step(-1))
        self.version_label = QLabel(self)
        self.version_label.setObjectName("versionLabel")
        self.next_button = QPushButton("›", self)
        self.next_button.setObjectName("nextVersionButton")
        self.next_button.setAccessibleName(self.tr("Next version of this reply"))
        self.next_button.setFlat(True)
        self.next_button.clicked.connect(lambda: self._step(1))
        for w in (self.prev_button, self.version_label, self.next_button):
            top.addWidget(w)
        self.edit_button = QPushButton(self.tr("Edit"), self)
        self.edit_button.setObjectName("editMessageButton")
        if role == "user":
            self.edit_button.setAccessibleName(self.tr("Edit message"))
            self.edit_button.setToolTip(self.tr(
                "Send it changed; the conversation continues in a branch and this one stays "
                "as it is."))
        else:
            self.edit_button.setAccessibleName(self.tr("Edit reply"))
            self.edit_button.setToolTip(self.tr(
                "Write the reply as it should have been; it is kept as a new version "
                "(‹ › steps back to the model's)."))
        self.edit_button.setFlat(True)
        self.edit_button.clicked.connect(self._on_edit)
        top.addWidget(self.edit_button)
        self.continue_button = QPushButton(self.tr("Continue"), self)
        self.continue_button.setObjectName("continueButton")
        self.continue_button.setAccessibleName(self.tr("Continue this reply"))
        self.continue_button.setToolTip(self.tr(
            "The reply stopped at its length limit; write on from where it ended."))
        self.continue_button.setFlat(True)
        self.continue_button.setVisible(False)
        self.continue_button.clicked.connect(
            lambda: self.continueRequested.emit(self.message_id) if self.message_id else None)
        top.addWidget(self.continue_button)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("deleteMessageButton")
        self.delete_button.setAccessibleName(self.tr("Delete message"))
        self.delete_button.setFlat(True)
        self.delete_button.clicked.connect(
            lambda: self.deleteRequested.emit(self.message_id) if self.message_id else None)
        top.addWidget(self.delete_button)

        # Keyboard users Tab through these buttons: flat buttons draw no focus of their own,
        # so the focused one gets a visible frame.
        for b in self.findChildren(QPushButton):
            b.setStyleSheet(BUBBLE_BUTTON_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        layout.addLayout(top)
        self._render()

    def _on_edit(self) -> None:
        if not self.message_id:
            return
        if self.role == "user":
            self.editRequested.emit(self.message_id, self._text)
        else:
            self.replyEditRequested.emit(self.message_id, self._text)

    @property
    def text(self) -> str:
        return self._text

    def _render(self) -> None:
        who = self.tr("You") if self.role == "user" else self.tr("Assistant")
        bits = [who]
        if self.role == "assistant" and self._model:
            bits.append(self._model)
        if self.edited:
            bits.append(self.tr("edited by you"))
        if self._status == "complete" and self.finish_reason == "length":
            bits.append(self.tr("cut at the length limit"))
        if self._status == "partial":
            if self._text:
                bits.append(self.tr("partial (stopped)"))
            else:
                bits.append(self.tr("writing…") if self.live else self.tr("stopped"))
        self.header.setText(" · ".join(bits))
        self._show_text()
        self.copy_button.setVisible(bool(self._text))
        self.delete_button.setVisible(self.message_id is not None)
        self.edit_button.setVisible(self.message_id is not None and bool(self._text))
        self.continue_button.setVisible(
            self.role == "assistant" and self.message_id is not None
            and self._status == "complete" and self.finish_reason == "length")
        many = self.n_versions > 1
        for w in (self.prev_button, self.version_label, self.next_button):
            w.setVisible(many)
        if many:
            self.version_label.setText(f"{self.version + 1}/{self.n_versions}")
            self.prev_button.setEnabled(self.version > 0)
            self.next_button.setEnabled(self.version < self.n_versions - 1)

    def _step(self, by: int) -> None:
        target = self.version + by
        if self.message_id and 0 <= target < self.n_versions:
            self.versionRequested.emit(self.message_id, target)

    @Slot()
    def _show_text(self) -> None:
        self._pending.stop()
        if not self.markdown:
            self.body.setText(self._text)
            return
        t0 = time.perf_counter()
        out = render_markdown(self._text, dark=is_dark(self.palette()))
        self._code_blocks = out.code_blocks
        self.body.setText(out.html)
        self.body.sizeHint()  # lay the document out now, so its cost counts below
        self._rendered_at = time.perf_counter()
        self._render_cost = self._rendered_at - t0

    @property
    def code_blocks(self) -> list[str]:
        return list(self._code_blocks)

    @Slot(str)
    def _on_link(self, url: str) -> None:
        """Copy code for `copy:N`; any other link opens in the browser, on a click only."""
        if url.startswith(f"{COPY_SCHEME}:"):
            n = int(url.split(":", 1)[1])
            if 0 <= n < len(self._code_blocks):
                self.copyRequested.emit(self._code_blocks[n])
            return
        QDesktopServices.openUrl(QUrl(url))

    def append(self, piece: str) -> None:
        """Add streamed text. Markdown is rendered again as the text grows, but never more
        often than four times its own cost allows, so a long reply keeps the window smooth."""
        self._text += piece
        if self.markdown:
            wait = max(0.0, 4 * self._render_cost - (time.perf_counter() - self._rendered_at))
            if wait > 0:
                if not self._pending.isActive():
                    self._pending.start(int(wait * 1000) + 1)
            else:
                self._show_text()
        else:
            self.body.setText(self._text)
        if not self.copy_button.isVisible():
            self.copy_button.setVisible(True)

    def set_status(self, status: str, model: str | None = None) -> None:
        self._status = status
        if model:
            self._model = model
        self._render()

    def set_regenerable(self, on: bool) -> None:
        self.regenerate_button.setVisible(on and self.role == "assistant")

    def set_editable(self, on: bool) -> None:
        self.edit_button.setEnabled(on)
        self.continue_button.setEnabled(on)
        for w in (self.prev_button, self.next_button):
            if not on:
                w.setEnabled(False)
        if on:
            self._render()


class ChatView(QWidget):
    sendRequested = Signal(str)
    stopRequested = Signal()
    regenerateRequested = Signal()  # the last reply, in place
    replyRegenerateRequested = Signal(int)  # an earlier reply (it continues in a branch)
    deleteRequested = Signal(int)  # a message id; the window asks, then deletes
    editRequested = Signal(int, str)  # a user message to send changed, in a branch
    replyEditRequested = Signal(int, str)  # a reply to keep in the user's own words
    continueRequested = Signal(int)  # a reply cut at its length limit
    versionRequested = Signal(int, int)  # show another version of a reply
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bubbles: list[MessageBubble] = []
        self._stream: MessageBubble | None = None
        self._buffer = ""
        self._busy = False
        self._stick_to_bottom = True

        self.empty_label = QLabel(self.tr(
            "Start a conversation: type a message below and press Ctrl+Enter.\n"
            "Everything stays on this computer."), self
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self._container = QWidget()
        self._container.setObjectName("messages")
        self._messages = QVBoxLayout(self._container)
        self._messages.setSpacing(8)
        self._messages.addWidget(self.empty_label)
        self._messages.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("chatScroll")
        self.scroll.setAccessibleName(self.tr("Conversation"))
        self.scroll.setWidgetResizable(True)
        # Messages wrap to the view's width; a sideways scroll bar would hide their buttons.
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._container.setMinimumWidth(0)
        self.scroll.setWidget(self._container)
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)

        self.input = QPlainTextEdit(self)
        self.input.setObjectName("messageInput")
        self.input.setAccessibleName(self.tr("Message"))
        self.input.setPlaceholderText(self.tr("Write a message… (Ctrl+Enter sends, Esc stops)"))
        self.input.setMaximumHeight(120)
        self.input.setTabChangesFocus(True)
        self.input.installEventFilter(self)
        self._enter_sends = False

        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleName(self.tr("Send message"))
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.request_send)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName(self.tr("Stop reply"))
        self.stop_button.setToolTip(self.tr("Stop the reply; the text so far is kept (Esc)"))
        self.stop_button.clicked.connect(self.stopRequested)
        self.stop_button.setEnabled(False)

        self._paint = QTimer(self)
        self._paint.setSingleShot(True)
        self._paint.setInterval(PAINT_INTERVAL_MS)
        self._paint.timeout.connect(self._flush)

        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.input, 1)
        bottom.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bottom)

    # ---- messages ----------------------------------------------------------
    def bubbles(self) -> list[MessageBubble]:
        return list(self._bubbles)

    def clear(self) -> None:
        self._paint.stop()
        self._buffer = ""
        self._stream = None
        for b in self._bubbles:
            self._messages.removeWidget(b)
            b.deleteLater()
        self._bubbles.clear()
        self.empty_label.setVisible(True)

    def _add(self, bubble: MessageBubble) -> MessageBubble:
        bubble.copyRequested.connect(self._copy)
        bubble.regenerateRequested.connect(self._on_regenerate)
        bubble.deleteRequested.connect(self.deleteRequested)
        bubble.editRequested.connect(self.editRequested)
        bubble.replyEditRequested.connect(self.replyEditRequested)
        bubble.continueRequested.connect(self.continueRequested)
        bubble.versionRequested.connect(self.versionRequested)
        self._messages.insertWidget(self._messages.count() - 1, bubble)
        self._bubbles.append(bubble)
        self.empty_label.setVisible(False)
        return bubble

    def show_messages(
        self,
        messages: list[MessageView],
        *,
        streaming_reply_id: int | None = None,
        streaming_text: str = "",
    ) -> None:
        """Show a stored conversation; the reply being written (if shown here) keeps streaming."""
        self.clear()
        for m in messages:
            if m.role == "system":
                continue
            text = streaming_text if m.id == streaming_reply_id else m.content
            b = self._add(
                MessageBubble(m.role, text, status=m.status, model=m.model, message_id=m.id,
                              version=m.version, n_versions=m.n_versions, edited=m.edited,
                              finish_reason=m.finish_reason)
            )
            if m.id == streaming_reply_id:
                self._stream = b
                b.live = True
                b.set_status(m.status)
        self._stick_to_bottom = True
        self._update_regenerate()
        QTimer.singleShot(0, self._scroll_to_bottom)

    def begin_stream(self, user_text: str | None, model: str | None = None) -> None:
        """Show the user's message (None: regenerate, the last reply is replaced) and an
        empty reply that tokens will fill."""
        self._paint.stop()
        self._buffer = ""
        if user_text is None:
            if self._bubbles and self._bubbles[-1].role == "assistant":
                last = self._bubbles.pop()
                self._messages.removeWidget(last)
                last.deleteLater()
        else:
            self._add(MessageBubble("user", user_text))
        self._stream = MessageBubble("assistant", "", status="partial", model=model)
        self._stream.live = True
        self._stream.set_status("partial")
        self._add(self._stream)
        self._stick_to_bottom = True
        self._update_regenerate()

    def set_stream_ids(self, user_message_id: int, reply_message_id: int) -> None:
        if self._stream is not None:
            self._stream.message_id = reply_message_id
            idx = self._bubbles.index(self._stream)
            if idx > 0 and self._bubbles[idx - 1].role == "user":
                self._bubbles[idx - 1].message_id = user_message_id

    @property
    def streaming(self) -> bool:
        return self._stream is not None

    def stream_text(self) -> str:
        return (self._stream.text + self._buffer) if self._stream else ""

    def append_token(self, piece: str) -> None:
        if self._stream is None:
            return
        self._buffer += piece
        if not self._paint.isActive():
            self._paint.start()

    @Slot()
    def _flush(self) -> None:
        if self._stream is not None and self._buffer:
            self._stream.append(self._buffer)
        self._buffer = ""

    def end_stream(self, status: str) -> None:
        self._paint.stop()
        self._flush()
        if self._stream is not None:
            self._stream.live = False
            self._stream.set_status(status)
        self._stream = None
        self._update_regenerate()

    # ---- input and state ---------------------------------------------------
    def set_enter_sends(self, on: bool) -> None:
        """Enter sends (Shift+Enter: a new line), or only Ctrl+Enter sends."""
        self._enter_sends = on
        self.input.setPlaceholderText(
            self.tr("Write a message… (Enter sends, Shift+Enter new line, Esc stops)") if on
            else self.tr("Write a message… (Ctrl+Enter sends, Esc stops)"))
        self.send_button.setToolTip(self.tr("Send (Enter)") if on
                                    else self.tr("Send (Ctrl+Enter)"))
        key = self.tr("Enter") if on else self.tr("Ctrl+Enter")
        self.empty_label.setText(self.tr(
            "Start a conversation: type a message below and press {0}.\n"
            "Everything stays on this computer.").format(key))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (obj is self.input and self._enter_sends and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & (Qt.KeyboardModifier.ShiftModifier
                                             | Qt.KeyboardModifier.ControlModifier
                                             | Qt.KeyboardModifier.AltModifier)):
            self.request_send()
            return True
        return super().eventFilter(obj, event)

    def input_text(self) -> str:
        return self.input.toPlainText()

    def clear_input(self) -> None:
        self.input.clear()

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def request_send(self) -> None:
        text = self.input_text()
        if text.strip() and not self._busy:
            self.sendRequested.emit(text)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self._update_regenerate()

    def _update_regenerate(self) -> None:
        """Every stored reply can be written again, and every message of yours edited,
        while nothing is being written."""
        idle = not self._busy and self._stream is None
        for b in self._bubbles:
            b.set_regenerable(idle and b.message_id is not None)
            b.set_editable(idle)

    @Slot(int)
    def _on_regenerate(self, message_id: int) -> None:
        last = self._bubbles[-1] if self._bubbles else None
        if last is not None and last.message_id == message_id:
            self.regenerateRequested.emit()
        else:
            self.replyRegenerateRequested.emit(message_id)

    @Slot(str)
    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)

    # ---- scrolling ---------------------------------------------------------
    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        bar = self.scroll.verticalScrollBar()
        self._stick_to_bottom = value >= bar.maximum() - 24

    @Slot(int, int)
    def _on_range_changed(self, _lo: int, hi: int) -> None:
        if self._stick_to_bottom:
            self.scroll.verticalScrollBar().setValue(hi)

    def _scroll_to_bottom(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.maximum())
