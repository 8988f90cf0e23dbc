"""The settings of one conversation: its own instructions, personalization method,
temperature and reply length.

Opened from the conversation list's menu. Empty instructions and "The app's choice"
(the spin boxes' lowest value) mean the app-wide setting applies; saving goes through
`ChatService.set_settings`, which checks the values as the CLI and import do.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assistant import method_registry as methods
from assistant.chat.conversations import ChatService
from assistant.settings import MAX_REPLY_TOKENS, load_settings
from ui.dialogs import show_error
from ui.errors import USER_ERRORS


class ConversationSettingsDialog(QDialog):
    def __init__(self, chat: ChatService, conversation_id: int, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationSettingsDialog")
        self.setWindowTitle(self.tr("Settings of “{0}”").format(title))
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
        app_settings = load_settings(chat.db)
        self.temperature = QDoubleSpinBox(self)
        self.temperature.setObjectName("conversationTemperature")
        self.temperature.setAccessibleName(self.tr("Temperature for this conversation"))
        self.temperature.setRange(-0.1, 5.0)  # the lowest value: the app's
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setSpecialValueText(
            self.tr("The app's ({0})").format(f"{app_settings.temperature:g}"))
        self.temperature.setValue(current.get("temperature", -0.1))
        self.temperature.setToolTip(self.tr("0 always picks the likeliest word; higher is "
                                            "more varied."))
        self.max_tokens = QSpinBox(self)
        self.max_tokens.setObjectName("conversationMaxTokens")
        self.max_tokens.setAccessibleName(self.tr("Reply length for this conversation"))
        self.max_tokens.setRange(0, MAX_REPLY_TOKENS)  # 0: the app's
        self.max_tokens.setSpecialValueText(
            self.tr("The app's ({0} tokens)").format(app_settings.max_tokens))
        self.max_tokens.setSuffix(self.tr(" tokens"))
        self.max_tokens.setValue(current.get("max_tokens", 0))
        note = QLabel(self.tr("These apply to this conversation only, and travel with it in an "
                      "export."), self)
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Instructions"), self.instructions)
        form.addRow(self.tr("Personalization"), self.method)
        form.addRow(self.tr("Temperature"), self.temperature)
        form.addRow(self.tr("Reply length"), self.max_tokens)
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
            t = round(self.temperature.value(), 2)
            self._chat.set_settings(
                self._cid, instructions=self.instructions.toPlainText(),
                method=self.method.currentData(),
                temperature=None if t < 0 else t,
                max_tokens=self.max_tokens.value() or None)
        except USER_ERRORS as exc:
            show_error(self, str(exc), self.tr("Settings not saved"))
            return
        super().accept()
