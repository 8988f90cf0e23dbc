"""Cloud collaboration: the per-conversation opt-in, the endpoint, and what would be sent.

Off by default for every conversation. The panel holds the cloud service (settings
and the key's place) and the chat service (the per-conversation switch); the
preview is built by the model worker (it needs the runtime) and shows exactly what
the next message would send.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import QTime, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.app import AppContext
from assistant.chat.conversations import ChatService
from assistant.cloud.service import CloudService
from engine.cloud.templates import LOCAL, REMOTE_TEMPLATES, SERVER
from ui.dialogs import guarded, show_error
from ui.errors import USER_ERRORS

PREVIEW_DEBOUNCE_MS = 250


@dataclass
class CloudConfig:
    """What the panel shows of the cloud settings; never the key itself."""

    endpoint: str = ""
    model: str = ""
    configured: bool = False
    key_source: str = "none"  # keyring | session | environment | none
    session_only: bool = False  # no OS keyring: a key lasts for this session only
    mode: str = ""  # what the last probe decided, in plain words ("" until probed)
    template: str | None = None  # the remote's template the user picked (None: the check's)

    @classmethod
    def of(cls, service: CloudService) -> CloudConfig:
        st = dict(service.status() or {})
        return cls(endpoint=st.get("url") or "", model=st.get("model") or "",
                   configured=bool(st.get("configured")),
                   key_source=str(st.get("key_source") or "none"),
                   session_only=bool(st.get("session_only")),
                   mode=str(st.get("mode_description") or ""),
                   template=st.get("template"))


class CloudPanel(QWidget):
    """The preview needs the model (the prompt is formatted and fitted by llama.cpp), so
    the panel asks for it with `previewRequested` and the window runs it as a model job."""

    cloudChanged = Signal(bool)  # the current conversation's switch, for the status bar
    previewRequested = Signal(object, str)  # conversation id, the message being typed
    # Probe the endpoint as typed (url, model, key, template): a model job, since it reads
    # the local vocabulary.
    testRequested = Signal(dict)
    message = Signal(str)

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._app = app
        self._service = CloudService(app)
        self._conversation_id: int | None = None
        self._enabled = False
        self._pending_text = ""
        self._config = CloudConfig()


        self.switch = QCheckBox(self.tr("Use the cloud model for this conversation"), self)
        self.switch.setObjectName("cloudSwitch")
        self.switch.setAccessibleName(self.tr("Use the cloud for this conversation"))
        self.switch.toggled.connect(self._on_toggled)
        self.switch_note = QLabel(self)
        self.switch_note.setWordWrap(True)
        self.switch_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.endpoint = QLineEdit(self)
        self.endpoint.setObjectName("cloudEndpoint")
        self.endpoint.setAccessibleName(self.tr("Cloud endpoint URL"))
        self.endpoint.setPlaceholderText(self.tr("https://api.example.com/v1"))
        self.model = QLineEdit(self)
        self.model.setObjectName("cloudModel")
        self.model.setAccessibleName(self.tr("Cloud model name"))
        self.template = QComboBox(self)
        self.template.setObjectName("cloudTemplate")
        self.template.setAccessibleName(self.tr("The remote model's chat template"))
        self.template.addItem(self.tr("Found by the check"), None)
        self.template.addItem(self.tr("The server's own"), SERVER)
        self.template.addItem(self.tr("The same as my local model's"), LOCAL)
        for name in REMOTE_TEMPLATES:
            self.template.addItem(name, name)
        self.template.setToolTip(self.tr(
            "How the remote model reads a conversation, for steering through completions. "
            "Leave it to the check unless you know the remote's family."))
        self.api_key = QLineEdit(self)
        self.api_key.setObjectName("cloudApiKey")
        self.api_key.setAccessibleName(self.tr("API key"))
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_status = QLabel(self)
        self.key_status.setObjectName("cloudKeyStatus")
        self.key_status.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("cloudSave")
        self.save_button.setAccessibleName(self.tr("Save cloud settings"))
        self.save_button.clicked.connect(self.save_config)
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setObjectName("cloudTest")
        self.test_button.setToolTip(self.tr(
            "Ask the endpoint what it can do: which routes, log-probabilities, whether it "
            "continues a reply, its template. Sends a few tiny requests with no text of yours."))
        self.test_button.clicked.connect(self.request_test)
        self.mode_label = QLabel(self)
        self.mode_label.setObjectName("cloudMode")
        self.mode_label.setWordWrap(True)
        self.findings = QLabel(self)
        self.findings.setObjectName("cloudFindings")
        self.findings.setWordWrap(True)
        self.findings.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status_label = QLabel(self.tr("Not checked."), self)
        self.status_label.setObjectName("cloudStatus")
        self.status_label.setWordWrap(True)

        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("cloudPreview")
        self.preview.setAccessibleName(self.tr("What will be sent to the cloud"))
        self.preview.setReadOnly(True)

        form = QFormLayout()
        form.addRow(self.tr("Endpoint"), self.endpoint)
        form.addRow(self.tr("Model"), self.model)
        form.addRow(self.tr("Template"), self.template)
        form.addRow(self.tr("API key"), self.api_key)
        form.addRow("", self.key_status)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        endpoint_box = QGroupBox(self.tr("Endpoint (any OpenAI-compatible server)"), self)
        el = QVBoxLayout(endpoint_box)
        el.addLayout(form)
        el.addLayout(buttons)
        el.addWidget(self.mode_label)
        el.addWidget(self.findings)
        preview_box = QGroupBox(self.tr("What will be sent"), self)
        pl = QVBoxLayout(preview_box)
        note = QLabel(self.tr(
            "Only the conversation's messages and the chosen tokens go out; your writing "
            "history and profile never do."), self
        )
        note.setWordWrap(True)
        pl.addWidget(note)
        pl.addWidget(self.preview, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.switch)
        layout.addWidget(self.switch_note)
        layout.addWidget(endpoint_box)
        layout.addWidget(preview_box, 1)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        self.refresh()

    @property
    def cloud_on(self) -> bool:
        return self._enabled and self._conversation_id is not None

    # ---- state -------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        self._config = guarded(self, CloudConfig.of, self._service) or CloudConfig()
        c = self._config
        self.endpoint.setText(c.endpoint)
        self.model.setText(c.model)
        self.template.setCurrentIndex(max(self.template.findData(c.template), 0))
        self.key_status.setText(self._key_text(c))
        self.api_key.setPlaceholderText(
            self.tr("Leave empty to keep the stored key") if c.key_source in (
                "keyring", "session") else
            self.tr("Set by ASSISTANT_CLOUD_API_KEY; a key here is used instead")
            if c.key_source == "environment" else
            self.tr("No key stored; enter one if the endpoint needs it"))
        self.mode_label.setText(self.tr("How it is used: {0}").format(
            c.mode or self.tr("not checked yet (Test connection)")) if c.configured else "")
        if c.configured:
            self.status_label.setText(self.tr("Set up: {0} ({1}).").format(c.endpoint, c.model))
        else:
            self.status_label.setText(self.tr(
                "Not set up: enter the endpoint and the model, then Save."))
        self._update_enabled()
        self.update_preview()

    @staticmethod
    def _key_text(c: CloudConfig) -> str:
        if c.key_source == "session" or (c.session_only and c.key_source == "none"):
            return (
                "No system keyring here: a key you enter is kept for this session only "
                "and asked for again next time."
                if c.key_source == "none" else
                "The API key is kept for this session only (no system keyring is available)."
            )
        return {
            "keyring": "An API key is stored in the system keyring.",
            "environment": "The API key comes from the ASSISTANT_CLOUD_API_KEY variable.",
        }.get(c.key_source, "No API key stored (fine for a local server).")

    def set_conversation(self, conversation_id: int | None, enabled: bool) -> None:
        self._conversation_id = conversation_id
        self._enabled = enabled
        self.switch.blockSignals(True)
        self.switch.setChecked(enabled)
        self.switch.blockSignals(False)
        self._update_enabled()
        self.update_preview()
        self.cloudChanged.emit(self.cloud_on)

    def set_pending_text(self, text: str) -> None:
        """The message being typed: the preview shows what sending it would send."""
        self._pending_text = text
        self._preview_timer.start()

    def _update_enabled(self) -> None:
        self.switch.setEnabled(self._conversation_id is not None)
        if self._conversation_id is None:
            self.switch_note.setText(self.tr(
                "Pick a conversation (or send a first message) to choose for it."))
        else:
            self.switch_note.setText(
                "On: replies in this conversation are written with the cloud model, steered "
                "by your local profile." if self._enabled else
                "Off: this conversation stays entirely on this computer."
            )

    # ---- actions -----------------------------------------------------------
    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        if self._conversation_id is None:
            return
        try:
            ChatService(self._app.db).set_cloud(self._conversation_id, on)
        except USER_ERRORS as exc:
            self.switch.blockSignals(True)
            self.switch.setChecked(self._enabled)
            self.switch.blockSignals(False)
            show_error(self, str(exc), "Cloud")
            return
        self._enabled = on
        self._update_enabled()
        self.update_preview()
        self.cloudChanged.emit(self.cloud_on)
        self.message.emit("Cloud collaboration " + ("on" if on else "off") + " for this chat.")

    @Slot()
    def update_preview(self) -> None:
        if not self.cloud_on:
            self.preview.setPlainText("Nothing is sent: the cloud is off for this conversation.")
            return
        if not self._pending_text.strip():
            self.preview.setPlainText(
                "Type a message in the chat: this shows exactly what sending it would send."
            )
            return
        self.preview.setPlainText("Preparing the preview…")
        self.previewRequested.emit(self._conversation_id, self._pending_text)

    def show_preview(self, result: dict) -> None:
        """The model job's answer: the first request(s), the key shown as a placeholder."""
        if result.get("conversation_id") != self._conversation_id or not self.cloud_on:
            return
        if result.get("status") == "error":
            self.preview.setPlainText(f"No preview: {result.get('error', '')}")
            return
        self.preview.setPlainText(
            json.dumps(result.get("preview", {}), indent=2, ensure_ascii=False)
        )

    def report_reply(self, ok: bool, error: str = "") -> None:
        """The connection status as the last cloud reply found it."""
        when = QTime.currentTime().toString("HH:mm")
        self.status_label.setText(
            f"Connected: the last reply came through at {when}." if ok
            else f"The last request failed at {when}: {error}"
        )

    @Slot()
    def save_config(self) -> None:
        try:
            self._service.configure(self.endpoint.text().strip(), self.model.text().strip(),
                                    self.api_key.text().strip() or None,
                                    template=self.template.currentData(), check=False)
        except USER_ERRORS as exc:
            show_error(self, str(exc), "Cloud settings not saved")
            return
        self.api_key.clear()
        self.refresh()
        self.message.emit(self.tr("Cloud settings saved; checking the endpoint…"))
        self.request_test()

    def typed(self) -> dict:
        """The endpoint, model, key and template as they stand in the fields (maybe unsaved)."""
        return {"url": self.endpoint.text().strip(), "model": self.model.text().strip(),
                "key": self.api_key.text().strip() or None,
                "template": self.template.currentData()}

    @Slot()
    def request_test(self) -> None:
        """Test what is typed, saved or not: a check before Save is what the button is for."""
        fields = self.typed()
        if not fields["url"] or not fields["model"]:
            self.status_label.setText(self.tr("Enter the endpoint and the model's name to "
                                              "test them."))
            return
        self.test_button.setEnabled(False)
        self.status_label.setText(self.tr("Checking what the endpoint can do…"))
        self.testRequested.emit(fields)

    def show_test(self, result: dict) -> None:
        self.test_button.setEnabled(True)
        if result.get("status") != "complete":
            self.status_label.setText(self.tr("The check failed: {0}").format(
                result.get("error", "")))
            return
        when = QTime.currentTime().toString("HH:mm")
        self.findings.setText("\n".join(f"• {line}" for line in result.get("findings", [])))
        if result.get("saved", True):
            self.refresh()
            self.status_label.setText(self.tr("Checked at {0}.").format(when))
        else:  # the fields keep what was typed; Save keeps it
            self.mode_label.setText(self.tr("How it would be used: {0}").format(
                result.get("mode_description", "")))
            self.status_label.setText(self.tr("Checked at {0}; not saved yet: Save to use "
                                              "these settings.").format(when))
