"""The main window: conversations on the left; chat, draft, history, profile and cloud tabs.

The window owns the workers: the model thread (the only one that calls into
llama.cpp), the profile build (a child process: its torch work would hold the
GIL), the data thread (export, import, reset) and the cloud-check thread. It
routes the model's tokens to whichever pane asked for them and keeps the status
bar honest about the model, the device, personalization and the cloud.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QEvent,
    QObject,
    QSettings,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QInputDialog,
    QMainWindow,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant import __version__
from assistant.app import AppContext
from assistant.chat import ChatService
from assistant.data import DataService
from assistant.history import HistoryService
from assistant.settings import update_setting
from assistant.store_watch import change_marker
from assistant.unsent import CHAT_INPUT, DRAFT, UnsentService
from store import StoreError
from ui.autosave import Autosaver
from ui.dialogs import confirm, guarded, show_error, show_info
from ui.errors import USER_ERRORS
from ui.jobs import (
    ChatJob,
    CloudPreviewJob,
    CloudTestJob,
    DraftJob,
    LoadJob,
    ProfilePreviewJob,
)
from ui.markdown import warm as warm_markdown
from ui.theme import THEMES, apply_theme
from ui.widgets.chat_view import ChatView
from ui.widgets.cloud_panel import CloudPanel
from ui.widgets.conversation_list import ConversationList
from ui.widgets.draft_pane import DraftPane
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.first_run import FirstRunGuide
from ui.widgets.history_panel import HistoryPanel
from ui.widgets.meters import LiveMeters
from ui.widgets.personalization_panel import PersonalizationPanel
from ui.widgets.serve_panel import ServePanel
from ui.widgets.settings_dialog import SettingsDialog
from ui.workers import ModelHost, ProcessTaskHost, TaskHost

log = logging.getLogger(__name__)

TAB_CHAT, TAB_DRAFT, TAB_HISTORY, TAB_PROFILE, TAB_CLOUD = range(5)
DEVICE_LABELS = {"auto": QT_TRANSLATE_NOOP("MainWindow", "auto"), "cpu": "CPU", "cuda": "CUDA",
                 "mps": "Metal"}
MIN_SIZE = (760, 540)  # every label and button fits (tests/gui/test_layout.py)
WATCH_MS = 2000  # how often the store is checked for changes made by another process
GUIDE_DONE = "guide/done"  # QSettings: the first-run guide was finished or skipped


class _CtrlEnterAccepts(QObject):
    """Ctrl+Enter in a dialog's text box accepts the dialog (the box would add a line)."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self._dialog.accept()
            return True
        return False


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


def _scrolling(page: QWidget) -> QScrollArea:
    """`page` in a frameless scroll area that only scrolls up and down."""
    area = QScrollArea()
    area.setObjectName(f"{page.objectName() or 'page'}Scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(page)
    return area


class MainWindow(QMainWindow):
    def __init__(
        self,
        app: AppContext,
        *,
        sampling: dict[str, Any] | None = None,
        load_model: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        """`sampling` overrides the saved sampling settings for every job (e.g. a seed)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setMinimumSize(*MIN_SIZE)
        self.setWindowTitle(self.tr("Voice Assistant"))
        self.setAccessibleName(self.tr("Voice Assistant"))
        self.app = app
        self.sampling = dict(sampling or {})
        self.chat = ChatService(app.db, app.settings.system_prompt)
        self.history = HistoryService(app.db)
        self.data = DataService.for_app(app)
        self.conversation_id: int | None = None
        # The reply being written: which job, conversation and message, and its text so far.
        self._gen: dict[str, Any] | None = None
        self._model_facts: dict[str, Any] = {}
        self._measured: int | None = None  # the conversation the context meter measured
        self._closing = False
        self._shutdown_ok = False

        self.model = ModelHost(app, self)
        self.profile_tasks = ProcessTaskHost("ui.build_process", self)
        self.data_tasks = TaskHost("data-worker", self)

        # ---- panels ----
        self.conversations = ConversationList(self.chat, self)
        self.chat_view = ChatView(self)
        self.draft = DraftPane(self.history, self)
        self.personalization = PersonalizationPanel(app, self.profile_tasks, self)
        self.history_panel = HistoryPanel(
            self.history, self.personalization.samples_used, self
        )
        self.cloud_panel = CloudPanel(app, self)
        self.serve_panel = ServePanel(app, self)
        self.unsent = UnsentService(app.db)
        self._restore_unsent()
        self.autosavers = [
            Autosaver(self.draft.editor, self.unsent, DRAFT, lambda: self.draft.sample_id),
            Autosaver(self.chat_view.input, self.unsent, CHAT_INPUT),
        ]
        self.tabs = PageTabs(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setAccessibleName(self.tr("Views"))
        self.tabs.addTab(self.chat_view, self.tr("Chat"))
        self.tabs.addTab(self.draft, self.tr("Draft"))
        self.tabs.addTab(self.history_panel, self.tr("Writing history"))
        # Forms scroll when the window is short rather than squeezing their text.
        self.tabs.addTab(_scrolling(self.personalization), self.tr("Personalization"))
        self.tabs.addTab(_scrolling(self.cloud_panel), self.tr("Cloud"))
        self.tabs.addTab(_scrolling(self.serve_panel), self.tr("Other apps"))
        self.guide = FirstRunGuide(app.home, self.history, app.settings.model_path, self)
        self.guide.setVisible(False)
        right = QWidget(self)
        right.setObjectName("mainRight")
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.guide)
        rl.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.conversations)
        self.splitter.addWidget(right)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 840])
        self.setCentralWidget(self.splitter)

        self._build_status_bar()
        self._build_menus_and_shortcuts()
        self._connect()

        self.conversations.refresh()
        self.history_panel.refresh()
        self.show_conversation(None)
        self._update_status()
        self.restore_state()
        self.apply_theme(app.settings.theme)
        self.chat_view.set_enter_sends(app.settings.enter_sends)
        if not QSettings().value(GUIDE_DONE, False, type=bool):
            self.show_guide()
        # Changes made by another process (`assistant chat` in a terminal) show up here.
        self._marker = self._store_marker()
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self.check_store)
        self._watch.start()
        if load_model:
            self.model.submit(LoadJob())
            self.model_label.setText(self.tr("Model: loading…"))
        # For the status bar, after the window is up (the profile service may be slow).
        QTimer.singleShot(300, self.personalization.ensure_loaded)
        QTimer.singleShot(600, warm_markdown)  # the first reply then renders at full speed

    # ---- construction ------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.model_label = ElidedLabel(self)
        self.model_label.setObjectName("statusModel")
        self.device_label = ElidedLabel(self)
        self.device_label.setObjectName("statusDevice")
        self.personalization_label = ElidedLabel(self)
        self.personalization_label.setObjectName("statusPersonalization")
        self.cloud_label = ElidedLabel(self)
        self.cloud_label.setObjectName("statusCloud")
        self.meters = LiveMeters(self)
        # The facts are normal widgets: a message (Done, Copied…) takes their place while it
        # shows, instead of being drawn under them; only the live meters stay.
        self._facts = (self.model_label, self.device_label, self.personalization_label,
                       self.cloud_label)
        for w in self._facts:
            bar.addWidget(w)
        bar.addPermanentWidget(self.meters)
        # QStatusBar hides its normal widgets for a message itself, but a relayout of the
        # bar (a label's text changes) shows them again under the message (seen under X11):
        # hidden explicitly, they stay hidden until the message is gone.
        bar.messageChanged.connect(self._on_status_message)

    @Slot(str)
    def _on_status_message(self, message: str) -> None:
        for w in self._facts:
            w.setVisible(not message)

    def _build_menus_and_shortcuts(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.new_action = QAction(self.tr("&New chat"), self)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_action.triggered.connect(self.new_chat)
        file_menu.addAction(self.new_action)
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        self.find_action = QAction(self.tr("&Find conversations"), self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self.focus_search)
        edit_menu.addAction(self.find_action)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        theme_menu = view_menu.addMenu(self.tr("&Theme"))
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        names = {"system": self.tr("Follow the &system"), "light": self.tr("&Light"),
                 "dark": self.tr("&Dark")}
        for key in THEMES:
            act = QAction(names[key], self, checkable=True)
            act.setObjectName(f"theme_{key}")
            act.triggered.connect(lambda _c=False, k=key: self.choose_theme(k))
            group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[key] = act
        self.enter_sends_action = QAction(self.tr("&Enter sends the message"), self,
                                          checkable=True)
        self.enter_sends_action.setObjectName("enterSendsAction")
        self.enter_sends_action.setToolTip(self.tr(
            "Enter sends and Shift+Enter starts a new line; off: Ctrl+Enter sends."))
        self.enter_sends_action.toggled.connect(self.set_enter_sends)
        view_menu.addAction(self.enter_sends_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.guide_action = QAction(self.tr("&Getting started"), self)
        self.guide_action.setObjectName("guideAction")
        self.guide_action.triggered.connect(self.show_guide)
        help_menu.addAction(self.guide_action)
        about = QAction(self.tr("&About"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

        self.send_shortcuts = [
            QShortcut(QKeySequence(seq), self, activated=self.send_from_input)
            for seq in ("Ctrl+Return", "Ctrl+Enter")
        ]
        self.stop_shortcut = QShortcut(QKeySequence("Esc"), self, activated=self.stop)

    def _connect(self) -> None:
        m = self.model
        m.token.connect(self._on_token)
        m.started.connect(self._on_started)
        m.finished.connect(self._on_finished)
        m.failed.connect(self._on_failed)
        m.notice.connect(self._on_notice)
        m.modelLoaded.connect(self._on_model_loaded)
        self.model.busyChanged.connect(self._on_busy)

        self.conversations.conversationSelected.connect(self.show_conversation)
        self.conversations.newRequested.connect(self.new_chat)
        self.conversations.deleted.connect(self._on_conversation_deleted)
        self.conversations.shared.connect(
            lambda path: self.statusBar().showMessage(
                self.tr("Conversation written to {0}").format(path), 6000))
        self.chat_view.sendRequested.connect(self.send_message)
        self.chat_view.stopRequested.connect(self.stop)
        self.chat_view.regenerateRequested.connect(self.regenerate)
        self.chat_view.deleteRequested.connect(self.ask_delete_message)
        self.chat_view.replyRegenerateRequested.connect(self.regenerate_reply)
        self.chat_view.editRequested.connect(self.ask_edit_message)
        self.chat_view.replyEditRequested.connect(self.ask_edit_reply)
        self.chat_view.continueRequested.connect(self.continue_reply)
        self.chat_view.versionRequested.connect(self.show_version)
        self.chat_view.copied.connect(
            lambda _t: self.statusBar().showMessage(self.tr("Copied."), 2000))
        self.chat_view.input.textChanged.connect(
            lambda: self.cloud_panel.set_pending_text(self.chat_view.input_text())
        )
        self.draft.actionRequested.connect(self.run_draft_action)
        self.draft.stopRequested.connect(self.stop)
        self.draft.saved.connect(self._on_draft_saved)
        self.history_panel.changed.connect(self._on_history_changed)
        self.history_panel.message.connect(lambda m: self.statusBar().showMessage(m, 4000))
        self.personalization.personalizationChanged.connect(self._on_personalization_changed)
        self.personalization.previewRequested.connect(self._request_profile_preview)
        self.personalization.message.connect(lambda m: self.statusBar().showMessage(m, 4000))
        self.cloud_panel.cloudChanged.connect(self._on_cloud_changed)
        self.cloud_panel.previewRequested.connect(self._request_cloud_preview)
        self.cloud_panel.testRequested.connect(
            lambda fields: guarded(self, self.model.submit,
                                   CloudTestJob(quiet=True, fields=fields)))
        self.cloud_panel.message.connect(lambda m: self.statusBar().showMessage(m, 4000))
        g = self.guide
        g.modelChosen.connect(self.use_model)
        g.chooseModelFile.connect(self.choose_model_file)
        g.samplesAdded.connect(self._on_history_changed)
        g.samplesAdded.connect(self.history_panel.refresh)
        g.buildRequested.connect(self._build_from_guide)
        g.openPersonalization.connect(lambda: self.tabs.setCurrentIndex(TAB_PROFILE))
        g.closed.connect(self._on_guide_closed)
        for tasks in (self.profile_tasks, self.data_tasks):
            tasks.failed.connect(self._on_failed)
        self.data_tasks.finished.connect(self._on_data_finished)

    # ---- conversations -----------------------------------------------------
    @Slot(object)
    @Slot(int)
    def ask_delete_message(self, message_id: int) -> None:
        if self.model.busy:
            self.statusBar().showMessage(self.tr("Wait for the reply to finish first."), 4000)
            return
        msg = guarded(self, self.chat.message, message_id)
        if msg is None:
            return
        if msg.role == "assistant":
            title, question = self.tr("Delete reply"), self.tr("Delete this reply?")
            informative = (self.tr("All {0} versions of this reply are deleted with it.")
                           .format(msg.n_versions) if msg.n_versions > 1 else
                           self.tr("The model's reply is removed from this conversation; "
                                   "your messages stay."))
        else:
            title, question = self.tr("Delete message"), self.tr("Delete this message?")
            informative = self.tr("It stays in your writing history (remove it there too "
                                  "if you want it gone from your profile).")
        confirm(self, title, question, lambda: self.delete_message(message_id),
                yes_text=self.tr("Delete"), informative=informative, destructive=True)

    def delete_message(self, message_id: int) -> None:
        cid = guarded(self, self.chat.delete_message, message_id)
        if cid is not None:
            self.show_conversation(cid)
            self.conversations.refresh(cid)

    def show_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        if conversation_id is None:
            self.chat_view.clear()
            if self._measured is not None:
                self.meters.clear_context()
        else:
            msgs = guarded(self, self.chat.messages, conversation_id)
            if msgs is None:
                self.conversations.refresh(keep_current=False)
                self.conversation_id = None
                self.chat_view.clear()
            else:
                gen = self._gen
                streaming = gen is not None and gen.get("conversation_id") == conversation_id
                if conversation_id != self._measured:  # the fill was another one's
                    self.meters.clear_context()
                self.chat_view.show_messages(
                    msgs,
                    streaming_reply_id=gen.get("reply_message_id") if streaming else None,
                    streaming_text=gen["text"] if streaming else "",
                )
        view = self.conversations.view(conversation_id) if conversation_id else None
        self.cloud_panel.set_conversation(conversation_id, bool(view and view.cloud_enabled))
        self.chat_view.set_busy(self.model.busy)

    @Slot()
    def new_chat(self) -> None:
        self.conversations.select(None)
        self.show_conversation(None)
        self.tabs.setCurrentIndex(TAB_CHAT)
        self.chat_view.focus_input()

    @Slot()
    def focus_search(self) -> None:
        self.conversations.focus_search()

    @Slot(int)
    def _on_conversation_deleted(self, cid: int) -> None:
        if self._gen is not None and self._gen.get("conversation_id") == cid:
            self.model.cancel()

    # ---- generation ------------------------------------------------------------
    @Slot()
    def send_from_input(self) -> None:
        """Ctrl+Enter: send from the chat tab (the shortcut is window-wide)."""
        if self.tabs.currentIndex() == TAB_CHAT:
            self.chat_view.request_send()

    @Slot(str)
    def send_message(self, text: str) -> None:
        if self.model.busy or not text.strip():
            return
        self._gen = {"kind": "chat", "conversation_id": self.conversation_id, "text": "",
                     "sent": text, "cloud": self.cloud_panel.cloud_on}
        self.chat_view.begin_stream(text, self._model_facts.get("name"))
        self.chat_view.clear_input()
        self._gen["job_id"] = self.model.submit(ChatJob(
            conversation_id=self.conversation_id, text=text, sampling=self.sampling,
            cloud=self._gen["cloud"],
        ))

    @Slot()
    def regenerate(self) -> None:
        if self.model.busy or self.conversation_id is None:
            return
        self._gen = {"kind": "chat", "conversation_id": self.conversation_id, "text": "",
                     "cloud": self.cloud_panel.cloud_on}
        self.chat_view.begin_stream(None, self._model_facts.get("name"))
        self._gen["job_id"] = self.model.submit(ChatJob(
            conversation_id=self.conversation_id, regenerate=True, sampling=self.sampling,
            cloud=self._gen["cloud"],
        ))

    @Slot(str, object)
    def _request_profile_preview(self, prompt: str, strength: float | None) -> None:
        """Errors go to the panel's own line (quiet: no message box for a preview)."""
        if guarded(self, self.model.submit, ProfilePreviewJob(
                prompt=prompt, strength=strength, quiet=True)) is None:
            self.personalization.show_preview({"status": "error"})

    @Slot(int)
    def regenerate_reply(self, message_id: int) -> None:
        """An earlier reply written again: the conversation continues in a branch from it
        (the window switches to the branch when it starts; the original stays)."""
        if self.model.busy or self.conversation_id is None:
            return
        self._gen = {"kind": "chat", "conversation_id": self.conversation_id, "text": "",
                     "cloud": self.cloud_panel.cloud_on}
        self.chat_view.set_busy(True)
        self._gen["job_id"] = self.model.submit(ChatJob(
            conversation_id=self.conversation_id, reply_of=message_id,
            sampling=self.sampling, cloud=self._gen["cloud"]))

    @Slot(int, str)
    def ask_edit_message(self, message_id: int, text: str) -> QInputDialog | None:
        """Edit one of the user's messages; sending it continues in a branch."""
        if self.model.busy:
            self.statusBar().showMessage(self.tr("Wait for the reply to finish first."), 4000)
            return None
        return self._text_dialog(
            "editMessageDialog", self.tr("Edit message"),
            self.tr("Send this instead. The conversation continues in a branch; the original "
                    "stays as it is. (Ctrl+Enter sends.)"),
            text, self.tr("Send"), lambda new: self.edit_message(message_id, new))

    @Slot(int, str)
    def ask_edit_reply(self, message_id: int, text: str) -> QInputDialog | None:
        """Write a reply as it should have been: kept as a new version of it."""
        if self.model.busy:
            self.statusBar().showMessage(self.tr("Wait for the reply to finish first."), 4000)
            return None
        return self._text_dialog(
            "editReplyDialog", self.tr("Edit reply"),
            self.tr("Write the reply as it should have been. It is kept as a new version; "
                    "‹ › steps back to the model's. (Ctrl+Enter saves.)"),
            text, self.tr("Save"), lambda new: self.edit_reply(message_id, new))

    def edit_reply(self, message_id: int, text: str) -> None:
        if guarded(self, self.chat.edit_reply, message_id, text) is not None:
            self.show_conversation(self.conversation_id)
            self.statusBar().showMessage(self.tr("Your version of the reply is kept."), 4000)

    def _text_dialog(self, name: str, title: str, label: str, text: str, ok: str,
                     on_ok) -> QInputDialog:
        dlg = QInputDialog(self)
        dlg.setObjectName(name)
        dlg.setWindowTitle(title)
        dlg.setLabelText(label)
        dlg.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        dlg.setTextValue(text)
        dlg.setOkButtonText(ok)
        dlg.resize(560, 320)
        # Ctrl+Enter accepts, as it sends in the chat (a plain Enter is a new line here).
        edit = dlg.findChild(QPlainTextEdit)
        if edit is not None:
            edit.installEventFilter(_CtrlEnterAccepts(dlg))
        dlg.textValueSelected.connect(on_ok)
        dlg.finished.connect(self._refocus)  # the window's shortcuts work again at once
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    @Slot(int)
    def continue_reply(self, message_id: int) -> None:
        """Write on from the end of a reply cut at its length limit, into the same reply."""
        if self.model.busy or self.conversation_id is None:
            return
        shown = next((b for b in self.chat_view.bubbles() if b.message_id == message_id), None)
        self._gen = {"kind": "chat", "conversation_id": self.conversation_id,
                     "text": shown.text if shown else "", "cloud": False}
        self.chat_view.set_busy(True)
        self._gen["job_id"] = self.model.submit(ChatJob(
            conversation_id=self.conversation_id, continue_of=message_id,
            sampling=self.sampling))

    @Slot()
    def _refocus(self) -> None:
        self.activateWindow()
        self.chat_view.focus_input()

    def edit_message(self, message_id: int, text: str) -> None:
        if self.model.busy or not text.strip():
            return
        self._gen = {"kind": "chat", "conversation_id": self.conversation_id, "text": "",
                     "cloud": self.cloud_panel.cloud_on}
        self.chat_view.set_busy(True)
        self._gen["job_id"] = self.model.submit(ChatJob(
            conversation_id=self.conversation_id, edit_of=message_id, text=text,
            sampling=self.sampling, cloud=self._gen["cloud"]))

    @Slot(int, int)
    def show_version(self, message_id: int, index: int) -> None:
        if self.model.busy:
            return
        if guarded(self, self.chat.show_version, message_id, index) is not None:
            self.show_conversation(self.conversation_id)

    @Slot(str, str)
    def run_draft_action(self, action: str, text: str) -> None:
        if self.model.busy:
            return
        self._gen = {"kind": "draft", "action": action, "text": ""}
        self.draft.begin_stream(action)
        self._gen["job_id"] = self.model.submit(DraftJob(
            action=action, text=text, sampling=self.sampling
        ))

    @Slot()
    def stop(self) -> None:
        """Esc / Stop: end the reply or suggestion now; what was written is kept.

        A reply that has not begun (the model still loading, the method preparing) is
        let go at once: the worker drops it unstored when it gets to it, the bubbles are
        taken back and the message returns to the input box, so nothing typed is lost."""
        if not self.model.busy:
            return
        self.model.cancel()
        gen = self._gen
        if gen is None or self.model.busy:  # it writes: it stops at its next token
            self.statusBar().showMessage(self.tr("Stopping…"), 2000)
            return
        self._gen = None
        self.meters.finish(None)
        if gen["kind"] == "draft":
            self.draft.end_stream("cancelled")
        elif gen.get("conversation_id") == self.conversation_id:
            self.show_conversation(self.conversation_id)
            if gen.get("sent") and not self.chat_view.input_text().strip():
                self.chat_view.input.setPlainText(gen["sent"])
        self.statusBar().showMessage(self.tr("Stopped before the reply began."), 6000)

    def _shows_stream(self) -> bool:
        gen = self._gen
        return (
            gen is not None
            and gen["kind"] == "chat"
            and gen.get("conversation_id") == self.conversation_id
            and self.chat_view.streaming
        )

    @Slot(str)
    def _on_token(self, piece: str) -> None:
        gen = self._gen
        if gen is None:
            return
        gen["text"] += piece
        self.meters.on_token()
        if gen["kind"] == "draft":
            self.draft.append_token(piece)
        elif self._shows_stream():
            self.chat_view.append_token(piece)

    @Slot(dict)
    def _on_started(self, info: dict) -> None:
        gen = self._gen
        if gen is None or info.get("job_id") != gen.get("job_id"):
            return
        if "prompt_tokens" in info:
            self.meters.start(info["prompt_tokens"], info["n_ctx"], info["reply_tokens"],
                              info.get("trimmed_turns", 0))
            self._measured = info.get("conversation_id")  # a draft measures no conversation
            if self.meters.warning and not info.get("trimmed_turns"):
                self.statusBar().showMessage(self.meters.warning, 6000)
        if info["kind"] != "chat":
            return
        was_new = gen.get("conversation_id") is None
        shown_here = gen.get("conversation_id") == self.conversation_id
        gen["conversation_id"] = info["conversation_id"]
        gen["reply_message_id"] = info["reply_message_id"]
        if shown_here:
            self.conversation_id = info["conversation_id"]
            if info.get("forked") or info.get("continued"):  # show it streaming
                self.show_conversation(info["conversation_id"])
            else:
                self.chat_view.set_stream_ids(info["user_message_id"], info["reply_message_id"])
        self.conversations.refresh(self.conversation_id)
        if was_new and shown_here:
            view = self.conversations.view(info["conversation_id"])
            self.cloud_panel.set_conversation(
                info["conversation_id"], bool(view and view.cloud_enabled)
            )
        if info.get("trimmed_turns"):
            self.statusBar().showMessage(
                self.tr("The conversation is longer than the model's context; the "
                        "{0} oldest turn(s) were left out.").format(info["trimmed_turns"]),
                6000
            )
        self.history_panel.refresh()  # the user's message is a new writing sample

    @Slot(dict)
    def _on_finished(self, result: dict) -> None:
        kind = result.get("kind")
        if kind == "load":
            self._update_status()
            return
        if kind == "cloud_preview":
            self.cloud_panel.show_preview(result)
            return
        if kind == "cloud_test":
            self.cloud_panel.show_test(result)
            return
        if kind == "profile_preview":
            self.personalization.show_preview(result)
            return
        gen = self._gen
        if gen is None or result.get("job_id") != gen.get("job_id"):
            if (kind == "chat" and result.get("conversation_id") is not None
                    and result.get("conversation_id") == self.conversation_id):
                self.show_conversation(self.conversation_id)  # one let go as it began
            return
        self._gen = None
        status = result.get("status", "error")
        self.meters.finish(result.get("tokens_per_s") if status == "complete" else None)
        if "fints_items" in result:
            self.personalization.set_fints_items(result["fints_items"])
        if kind == "draft":
            self.draft.end_stream(status)
        elif kind == "chat":
            if self._shows_stream():
                self.chat_view.end_stream(status)
            cid = result.get("conversation_id") or gen.get("conversation_id")
            if status == "error" and "reply_message_id" not in gen:
                # Failed before anything was stored: take the optimistic bubbles back and
                # give the user their message again, so nothing they typed is lost.
                if gen.get("conversation_id") == self.conversation_id:
                    self.show_conversation(self.conversation_id)
                if gen.get("sent") and not self.chat_view.input_text().strip():
                    self.chat_view.input.setPlainText(gen["sent"])
            elif cid is not None and cid == self.conversation_id:
                self.show_conversation(cid)  # the stored text and marks are what counts
            self.conversations.refresh(self.conversation_id)
        if gen.get("cloud"):
            self.cloud_panel.report_reply(status != "error", str(result.get("error", "")))
        notice = f" {gen['notice']}" if gen.get("notice") else ""
        if status == "partial" and kind == "chat" and not result.get("text"):
            self.statusBar().showMessage(
                self.tr("Stopped before the first word; no reply was kept.{0}").format(notice),
                8000)
        elif status == "partial":
            self.statusBar().showMessage(
                self.tr("Stopped; the text so far is kept.{0}").format(notice), 8000)
        elif status == "complete":
            tps = result.get("tokens_per_s")
            speed = self.tr(" at {0} tokens/s").format(tps) if tps else ""
            line = result.get("cloud_line") or ""
            # A cloud reply's line (who wrote it, how much was steered) stays until the next
            # message: it answers "what did the cloud do?" for as long as the reply is new.
            self.statusBar().showMessage(
                self.tr("Done: {0} tokens{1}.{2}").format(result.get("tokens", 0), speed, notice)
                + (f" {line}" if line else ""),
                0 if line else (10000 if notice else 5000),
            )

    @Slot(str)
    def _on_notice(self, text: str) -> None:
        if self._gen is not None:
            self._gen["notice"] = text  # repeated with "Done" so it is not overwritten
        self.statusBar().showMessage(text, 10000)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if not self._closing:
            show_error(self, message)

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.chat_view.set_busy(busy)
        self.draft.set_busy(busy)
        if busy:
            self.statusBar().showMessage(self.tr("Writing…"))

    # ---- other panels ------------------------------------------------------
    @Slot(int)
    def _on_draft_saved(self, sample_id: int) -> None:
        self.statusBar().showMessage(
            self.tr("Saved to your writing history (sample #{0}).").format(sample_id), 4000)
        self.history_panel.refresh()

    @Slot(bool)
    def _on_personalization_changed(self, _on: bool) -> None:
        self._update_status()
        self.history_panel.refresh()  # "your profile uses N of them"

    @Slot()
    def _on_history_changed(self) -> None:
        self.personalization.refresh()

    @Slot(bool)
    def _on_cloud_changed(self, _on: bool) -> None:
        self.conversations.refresh(self.conversation_id)
        self._update_status()

    @Slot(object, str)
    def _request_cloud_preview(self, conversation_id: int | None, text: str) -> None:
        # quiet: a preview that cannot be built says why in the panel, not in a message box
        self.model.submit(CloudPreviewJob(
            conversation_id=conversation_id, text=text,
            sampling=self.sampling, quiet=True,
        ))

    @Slot(dict)
    def _on_data_finished(self, result: dict) -> None:
        if result.get("status") != "complete":
            return
        self.refresh_all()

    def refresh_all(self) -> None:
        """After an import or a reset: every panel reloads from the store."""
        self.app.reload_settings()
        self.chat.system_prompt = self.app.settings.system_prompt
        self.conversations.refresh(keep_current=False)
        self.show_conversation(None)
        self.history_panel.refresh()
        self.personalization.refresh()
        self.cloud_panel.refresh()
        self._update_status()

    @Slot()
    def open_settings(self) -> SettingsDialog:
        dlg = SettingsDialog(
            self.app, self.data, self.data_tasks, lambda: self.model.busy, self,
            loaded_model=self._model_facts,
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.settingsSaved.connect(self._on_settings_saved)
        dlg.open()
        self._settings_dialog = dlg
        return dlg

    @Slot(bool)
    def _on_settings_saved(self, model_changed: bool) -> None:
        self.chat.system_prompt = self.app.settings.system_prompt
        if model_changed:
            self.model_label.setText(self.tr("Model: loading…"))
            guarded(self, self.model.submit, LoadJob())
        self._update_status()

    def _about(self) -> None:
        show_info(
            self,
            self.tr("Voice Assistant {0}\n\nA private assistant that learns how you write. "
                    "Your conversations, writing history and profile stay on this computer.\n\n"
                    "Data folder: {1}").format(__version__, self.app.home),
            self.tr("About Voice Assistant"),
        )

    # ---- theme, keyboard, the guide, changes from elsewhere ----------------
    def apply_theme(self, theme: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        act = self.theme_actions.get(theme) or self.theme_actions["system"]
        act.setChecked(True)
        if self.conversation_id is not None and self._gen is None:
            self.show_conversation(self.conversation_id)  # code colours follow the scheme

    @Slot(str)
    def choose_theme(self, theme: str) -> None:
        if guarded(self, update_setting, self.app.db, "theme", theme) is not None:
            self.app.reload_settings()
            self.apply_theme(theme)

    @Slot(bool)
    def set_enter_sends(self, on: bool) -> None:
        self.chat_view.set_enter_sends(on)
        if self.enter_sends_action.isChecked() != on:
            self.enter_sends_action.setChecked(on)
        if self.app.settings.enter_sends != on and guarded(
                self, update_setting, self.app.db, "enter_sends", on) is not None:
            self.app.reload_settings()

    @Slot()
    def show_guide(self) -> None:
        self.guide.go(0)
        self.guide.setVisible(True)

    @Slot(bool)
    def _on_guide_closed(self, done: bool) -> None:
        if done:
            QSettings().setValue(GUIDE_DONE, True)
        self.chat_view.focus_input()

    @Slot(str)
    def use_model(self, path: str) -> None:
        """The guide picked a model ("" = the built-in one): save it and load it."""
        if self.model.busy:
            self.statusBar().showMessage(self.tr("Wait for the reply to finish first."), 4000)
            return
        if guarded(self, update_setting, self.app.db, "model_path", path or None) is None:
            return
        self.app.reload_settings()
        self._on_settings_saved(True)
        self.guide.model_in_use(path.rsplit("/", 1)[-1] if path else self.tr("the built-in "
                                                                               "model"))

    @Slot()
    def choose_model_file(self) -> None:
        """Settings has the checked file chooser; the guide opens it there."""
        dlg = self.open_settings()
        dlg.open_model_dialog()

    @Slot()
    def _build_from_guide(self) -> None:
        self.personalization.ensure_loaded()
        self.personalization.start_build()
        self.statusBar().showMessage(
            self.tr("Building your profile in the background; chat as you like."), 6000)

    def _store_marker(self) -> tuple | None:
        try:
            return change_marker(self.app.db)
        except USER_ERRORS as exc:
            log.warning("could not read the store's change marker: %s", exc)
            return None

    @Slot()
    def check_store(self) -> None:
        """Reload the lists when another process changed the store (never mid-reply)."""
        if self.model.busy or self._gen is not None or self.data_tasks.running:
            return
        marker = self._store_marker()
        if marker is None or marker == self._marker:
            return
        self._marker = marker
        self.conversations.refresh(self.conversation_id)
        if self.conversation_id is not None:
            stored = guarded(self, self.chat.messages, self.conversation_id)
            shown = [(b.message_id, b.text) for b in self.chat_view.bubbles()]
            if stored is None or shown != [(m.id, m.content) for m in stored
                                           if m.role != "system"]:
                self.show_conversation(self.conversation_id)  # else: keep the scroll place
        self.history_panel.refresh()

    # ---- status bar --------------------------------------------------------
    @Slot(dict)
    def _on_model_loaded(self, facts: dict) -> None:
        self._model_facts = dict(facts)
        self.guide.model_in_use(facts["name"])
        self.personalization.set_current_model(facts["name"], facts.get("fingerprint", ""))
        self._update_status()

    def _update_status(self) -> None:
        f = self._model_facts
        if f:
            src = self.tr(" (embedded)") if f.get("source") == "embedded" else ""
            self.model_label.setText(self.tr("Model: {0}{1}").format(f["name"], src))
            self.model_label.setToolTip(f.get("path", ""))
            engine = "GPU" if f.get("gpu_offload") else "CPU"
        else:
            engine = ""
            if not self.model_label.text():
                self.model_label.setText(self.tr("Model: not loaded yet"))
        device = self.app.settings.device
        if device in DEVICE_LABELS:
            device = QCoreApplication.translate("MainWindow", DEVICE_LABELS[device])
        self.device_label.setText(
            self.tr("Device: {0}").format(device)
            + (self.tr(" · chat on {0}").format(engine) if engine else "")
        )
        self.personalization_label.setText(
            self.tr("Personalization: {0}").format(self.personalization.active_label)
        )
        self.cloud_label.setText(
            self.tr("Cloud: on") if self.cloud_panel.cloud_on else self.tr("Cloud: off"))

    # ---- window state ------------------------------------------------------
    def restore_state(self) -> None:
        s = QSettings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        splitter = s.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        tab = s.value("window/tab", TAB_CHAT, type=int)
        self.tabs.setCurrentIndex(int(tab) if 0 <= int(tab) < self.tabs.count() else TAB_CHAT)

    def save_state(self) -> None:
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.sync()

    def _restore_unsent(self) -> None:
        """What was typed and not sent before the last exit (or crash) comes back."""
        try:
            draft, message = self.unsent.load(DRAFT), self.unsent.load(CHAT_INPUT)
        except StoreError as exc:
            log.warning("could not read the unsent text: %s", exc)
            return
        if draft is not None:
            self.draft.restore(draft.text, draft.sample_id)
        if message is not None:
            self.chat_view.input.setPlainText(message.text)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """Stop every worker (a reply being written is kept as partial) before closing."""
        if not self._closing:
            self._closing = True
            self._watch.stop()
            for saver in self.autosavers:
                saver.flush()
            self.save_state()
            self._shutdown_ok = self.shutdown()
        event.accept()

    def shutdown(self) -> bool:
        """Stop the workers; False if one did not stop in time (its model stays open)."""
        self.serve_panel.stop_now()
        ok = self.model.stop()
        for tasks in (self.profile_tasks, self.data_tasks):
            ok = tasks.stop() and ok
        return ok

    @property
    def shutdown_complete(self) -> bool:
        """True once closed with every worker thread ended: the context may be closed."""
        return self._closing and self._shutdown_ok
