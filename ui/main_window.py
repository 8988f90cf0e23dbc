"""The main window: conversations on the left; chat, draft, history, profile and cloud tabs.

The window owns the workers: the model thread (the only one that calls into
llama.cpp), the profile build (a child process: its torch work would hold the
GIL), the data thread (export, import, reset) and the cloud-check thread. It
routes the model's tokens to whichever pane asked for them and keeps the status
bar honest about the model, the device, personalization and the cloud.

The window is one class in three modules: this one builds it, wires the panels and
keeps the conversation shown, the guide, the watch on the store and the shutdown;
`ui.window_reply` (ReplyMixin) runs the replies and routes the model's signals;
`ui.window_frame` (FrameMixin) holds the menus, the status bar, the theme and the saved
geometry. The tab order is `ui.tabs`.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from assistant import __version__
from assistant.app import AppContext
from assistant.chat.conversations import ChatService
from assistant.chat.unsent import CHAT_INPUT, DRAFT, UnsentService
from assistant.data import DataService
from assistant.settings import update_setting
from assistant.store_watch import change_marker
from assistant.writing.history import HistoryService
from store import StoreError
from ui.autosave import Autosaver
from ui.dialogs import confirm, guarded, show_info
from ui.errors import USER_ERRORS
from ui.jobs import CloudPreviewJob, CloudTestJob, LoadJob
from ui.markdown import warm as warm_markdown
from ui.tabs import TAB_CHAT, TAB_PROFILE, PageTabs, scrolling
from ui.widgets.chat_view import ChatView
from ui.widgets.cloud_panel import CloudPanel
from ui.widgets.conversation_list import ConversationList
from ui.widgets.draft_pane import DraftPane
from ui.widgets.first_run import FirstRunGuide
from ui.widgets.history_panel import HistoryPanel
from ui.widgets.personalization_panel import PersonalizationPanel
from ui.widgets.serve_panel import ServePanel
from ui.widgets.settings_dialog import SettingsDialog
from ui.window_frame import FrameMixin
from ui.window_reply import ReplyMixin
from ui.workers import ModelHost, ProcessTaskHost, TaskHost

log = logging.getLogger(__name__)

MIN_SIZE = (760, 540)  # every label and button fits (tests/gui/test_layout.py)
WATCH_MS = 2000  # how often the store is checked for changes made by another process
GUIDE_DONE = "guide/done"  # QSettings: the first-run guide was finished or skipped


class MainWindow(ReplyMixin, FrameMixin, QMainWindow):
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
        self.tabs.addTab(scrolling(self.personalization), self.tr("Personalization"))
        self.tabs.addTab(scrolling(self.cloud_panel), self.tr("Cloud"))
        self.tabs.addTab(scrolling(self.serve_panel), self.tr("Other apps"))
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

    # ---- the guide, changes from elsewhere ---------------------------------
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

    # ---- window state ------------------------------------------------------
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
