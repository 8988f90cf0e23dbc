"""The drafting pane: the user writes; the model continues, rewrites, shortens, formalizes.

The suggestion streams into its own box, never over the user's text: the user
decides to use it (replace, or append for "continue") or discard it. "Save as my
writing" stores the user's final text as a writing sample (it is their writing);
saving again updates the same sample instead of adding a copy.

The suggestion can be edited before "Use suggestion", and the draft after it. Either
edit is the user's correction of the model's text: it is stored as an edit pair
(assistant.writing.edits.record_edit_pair), at "Use suggestion" when the suggestion was
changed in its box, else at "Save as my writing" when the used text was changed since.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette, QTextCursor
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from assistant.chat.drafting import ACTIONS, clean_result
from assistant.errors import UserError
from assistant.writing.edits import record_edit_pair
from assistant.writing.history import HistoryService
from ui.dialogs import guarded, show_error

PAINT_INTERVAL_MS = 40


class DraftPane(QWidget):
    actionRequested = Signal(str, str)  # action key, the user's text
    stopRequested = Signal()
    saved = Signal(int)  # writing sample id

    def __init__(self, history: HistoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = history
        self._sample_id: int | None = None
        self._saved_text = ""
        self._busy = False
        self._streaming = False
        self._appends = False
        self._buffer = ""
        self._asked: tuple[str, str] | None = None  # (action, the draft it was asked on)
        self._model_text = ""  # the suggestion as the model wrote it (cleaned)
        # A used, unedited suggestion: (request, model text, draft before it), so that
        # an edit made in the draft afterwards is stored as a pair when the draft is saved.
        self._used: tuple[str, str, str, bool] | None = None

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("draftEditor")
        self.editor.setAccessibleName(self.tr("Draft"))
        self.editor.setPlaceholderText(self.tr(
            "Write here. Then ask for help with the buttons below."))
        self.editor.textChanged.connect(self._update_state)

        self.action_buttons: dict[str, QPushButton] = {}
        actions_row = QHBoxLayout()
        for key, spec in ACTIONS.items():
            b = QPushButton(spec.label, self)
            b.setObjectName(f"draftAction_{key}")
            b.setAccessibleName(spec.label)
            b.clicked.connect(lambda _=False, k=key: self.request(k))
            self.action_buttons[key] = b
            actions_row.addWidget(b)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setObjectName("draftStop")
        self.stop_button.setAccessibleName(self.tr("Stop writing the suggestion"))
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stopRequested)
        actions_row.addStretch(1)
        actions_row.addWidget(self.stop_button)

        self.result = QPlainTextEdit(self)
        self.result.setObjectName("draftSuggestion")
        self.result.setAccessibleName(self.tr("Suggestion"))
        self.result.setReadOnly(True)  # editable once it has finished streaming
        self.result.setPlaceholderText(self.tr("The model's suggestion appears here."))
        self.result.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.use_button = QPushButton(self.tr("Use suggestion"), self)
        self.use_button.setObjectName("draftUse")
        self.use_button.setAccessibleName(self.tr("Use suggestion"))
        self.use_button.clicked.connect(self.use_suggestion)
        self.discard_button = QPushButton(self.tr("Discard"), self)
        self.discard_button.setObjectName("draftDiscard")
        self.discard_button.setAccessibleName(self.tr("Discard suggestion"))
        self.discard_button.clicked.connect(self._discard)
        self.result.textChanged.connect(self._update_state)

        self.save_button = QPushButton(self.tr("Save as my writing"), self)
        self.save_button.setObjectName("draftSave")
        self.save_button.setAccessibleName(self.tr("Save as my writing"))
        self.save_button.setToolTip(self.tr(
            "Store this text in your writing history: your profile learns from it."))
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton(self.tr("New draft"), self)
        self.new_button.setObjectName("draftNew")
        self.new_button.setAccessibleName(self.tr("New draft"))
        self.new_button.clicked.connect(self.new_draft)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("draftState")
        self.state_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.editor, 1)
        save_row = QHBoxLayout()
        save_row.addWidget(self.state_label, 1)
        save_row.addWidget(self.new_button)
        save_row.addWidget(self.save_button)
        tl.addLayout(save_row)
        tl.addLayout(actions_row)
        box = QGroupBox(self.tr("Suggestion"), self)
        bl = QVBoxLayout(box)
        bl.addWidget(self.result, 1)
        use_row = QHBoxLayout()
        use_row.addStretch(1)
        use_row.addWidget(self.discard_button)
        use_row.addWidget(self.use_button)
        bl.addLayout(use_row)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        self._paint = QTimer(self)
        self._paint.setSingleShot(True)
        self._paint.setInterval(PAINT_INTERVAL_MS)
        self._paint.timeout.connect(self._flush)
        self._update_state()

    # ---- actions -------------------------------------------------------------
    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)

    def restore(self, text: str, sample_id: int | None) -> None:
        """Bring back a draft kept from an earlier session (and the sample it was saved as)."""
        self._sample_id = sample_id if sample_id is not None and self._exists(sample_id) else None
        self._saved_text = self._history.get(self._sample_id).text if self._sample_id else ""
        self.editor.setPlainText(text)
        self._update_state()

    def suggestion(self) -> str:
        return self.result.toPlainText()

    def request(self, action: str) -> None:
        if self._busy or not self.text().strip():
            return
        self._asked = (action, self.text())
        self.actionRequested.emit(action, self.text())

    def begin_stream(self, action: str) -> None:
        self._streaming = True
        self._appends = ACTIONS[action].appends
        self._buffer = ""
        self._model_text = ""
        if self._asked is None or self._asked[0] != action:
            self._asked = (action, self.text())
        self.result.setReadOnly(True)
        self.result.clear()
        self._update_state()

    def append_token(self, piece: str) -> None:
        if not self._streaming:
            return
        self._buffer += piece
        if not self._paint.isActive():
            self._paint.start()

    @Slot()
    def _flush(self) -> None:
        if self._buffer:
            cursor = self.result.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(self._buffer)
            self._buffer = ""
            self.result.ensureCursorVisible()

    def end_stream(self, status: str) -> None:
        self._paint.stop()
        self._flush()
        self._streaming = False
        if status == "complete":
            # Only the text: no "Here's a rewritten version:", no quotes around it.
            cleaned = clean_result(self.suggestion())
            if cleaned != self.suggestion():
                self.result.setPlainText(cleaned)
        self._model_text = self.suggestion()
        self.result.setReadOnly(False)
        self._update_state()

    def _request_text(self) -> str:
        """What the model was asked: the action's instruction and the draft it was given."""
        if self._asked is None:
            return ""
        action, draft = self._asked
        return f"{ACTIONS[action].instruction}\n\n{draft.strip()}"

    @Slot()
    def use_suggestion(self) -> None:
        """Put the suggestion into the draft (one undo step), appended for "continue"."""
        new = self.suggestion().strip()
        if not new:
            return
        before = self.text()
        request, model_text = self._request_text(), self._model_text
        self._used = None
        if model_text and " ".join(new.split()) != " ".join(model_text.split()):
            # Edited in its box before use: the user's version of the model's text.
            guarded(self, record_edit_pair, self._history.db, request=request,
                    model_text=model_text, user_text=new)
        elif model_text:
            self._used = (request, model_text, before, self._appends)
        cursor = self.editor.textCursor()
        cursor.beginEditBlock()
        if self._appends:
            cursor.movePosition(QTextCursor.MoveOperation.End)
            current = self.text()
            sep = "" if not current or current[-1].isspace() else " "
            cursor.insertText(sep + new)
        else:
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.insertText(new)
        cursor.endEditBlock()
        self.result.clear()
        self._model_text = ""

    def _kept_version(self) -> str | None:
        """The user's version of a used suggestion now: the whole draft for a rewrite, what
        follows the earlier text for a continuation (None when that text was changed)."""
        if self._used is None:
            return None
        _request, _model, before, appends = self._used
        now = self.text()
        if not appends:
            return now
        return now[len(before):] if now.startswith(before) else None

    @Slot()
    def save(self) -> int | None:
        """Store the draft as a writing sample, or update the sample it was saved as."""
        text = self.text()
        if self._sample_id is not None and not self._exists(self._sample_id):
            self._sample_id = None  # deleted from the history meanwhile: add it again
        if self._sample_id is None:
            sid = guarded(self, self._history.add, text, source="draft")
            if sid is None:
                return None
            self._sample_id = sid
        else:
            try:
                self._history.update(self._sample_id, text)
            except UserError as exc:
                show_error(self, str(exc), self.tr("Cannot save"))
                return None
        self._saved_text = text
        kept = self._kept_version()
        if kept is not None and self._used is not None:
            request, model_text, _before, appends = self._used
            # Changed after "Use suggestion": a rewrite's pair is the saved draft itself.
            if guarded(self, record_edit_pair, self._history.db, request=request,
                       model_text=model_text, user_text=kept,
                       sample_id=None if appends else self._sample_id) is not None:
                self._used = None  # one pair per suggestion; unedited, it waits for an edit
        self._update_state()
        self.saved.emit(self._sample_id)
        return self._sample_id

    def _exists(self, sample_id: int) -> bool:
        try:
            self._history.get(sample_id)
            return True
        except UserError:
            return False

    @Slot()
    def _discard(self) -> None:
        self.result.clear()
        self._model_text = ""

    @Slot()
    def new_draft(self) -> None:
        self._sample_id = None
        self._saved_text = ""
        self._used = None
        self._model_text = ""
        self.editor.clear()
        self.result.clear()
        self._update_state()

    @property
    def sample_id(self) -> int | None:
        return self._sample_id

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_state()

    def _update_state(self) -> None:
        has_text = bool(self.text().strip())
        for b in self.action_buttons.values():
            b.setEnabled(has_text and not self._busy)
        self.stop_button.setEnabled(self._streaming)
        has_suggestion = bool(self.suggestion().strip()) and not self._streaming
        self.use_button.setEnabled(has_suggestion)
        self.discard_button.setEnabled(has_suggestion)
        self.use_button.setText(
            self.tr("Append to draft") if self._appends else self.tr("Use suggestion"))
        self.save_button.setEnabled(has_text)
        if self._sample_id is None:
            self.state_label.setText(self.tr("Not saved to your writing history yet."))
        elif self.text() == self._saved_text:
            self.state_label.setText(
                self.tr("Saved as writing sample #{0}.").format(self._sample_id))
        else:
            self.state_label.setText(
                self.tr("Changed since it was saved (sample #{0}); save again to update.")
                .format(self._sample_id)
            )
