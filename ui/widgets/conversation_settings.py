"""The settings of one conversation: its own instructions and personalization method.

Opened from the conversation list's menu. Empty instructions and "The app's choice"
mean the app-wide system prompt and method apply; saving goes through
`ChatService.set_settings`, which checks the values as the CLI and import do.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from assistant import methods
from assistant.chat import ChatService
from ui.dialogs import show_error
from ui.errors import USER_ERRORS


class ConversationSettingsDialog(QDialog):
    def __init__(self, chat: ChatService, conversation_id: int, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationSettingsDialog")
        self.setWindowTitle(f"Settings of “{title}”")
        self._chat = chat
        self._cid = conversation_id
        current = chat.settings_of(conversation_id)
        self.instructions = QPlainTextEdit(self)
        self.instructions.setObjectName("conversationInstructions")
        self.instructions.setAccessibleName(self.tr("Instructions for this conversation"))
        self.instructions.setPlaceholderText(self.tr(
            "Empty: the app's system prompt. For example: answer in German, briefly."))
        self.instructions.setPlainText(current.get("instructions", ""))
        self.method = QComboBox(self)
        self.method.setObjectName("conversationMethod")
        self.method.setAccessibleName(self.tr("Personalization for this conversation"))
        self.method.addItem(self.tr("The app's choice"), None)
        for m in methods.METHODS.values():
            self.method.addItem(m.label, m.name)
        self.method.setCurrentIndex(max(self.method.findData(current.get("method")), 0))
        note = QLabel(self.tr("These apply to this conversation only, and travel with it in an "
                      "export."), self)
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Instructions"), self.instructions)
        form.addRow(self.tr("Personalization"), self.method)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            self._chat.set_settings(self._cid, instructions=self.instructions.toPlainText(),
                                    method=self.method.currentData())
        except USER_ERRORS as exc:
            show_error(self, str(exc), "Settings not saved")
            return
        super().accept()
