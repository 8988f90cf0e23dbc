"""The replies the model writes for the main window: chat turns (send, regenerate, edit,
continue, a branch from an earlier reply), drafting actions, stopping, and the model
worker's signals (`started`, `token`, `finished`) routed to the pane that asked.

`ReplyMixin` is part of `ui.main_window.MainWindow` (which owns the model host, the panes
and `_gen`, the reply being written: which job, conversation and message, and its text so
far). Its texts are translated in the window's context ("MainWindow").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QInputDialog, QPlainTextEdit

from ui.dialogs import guarded, show_error
from ui.jobs import ChatJob, DraftJob, ProfilePreviewJob
from ui.tabs import TAB_CHAT

translate = QCoreApplication.translate  # (context, text): lupdate reads these calls


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


class ReplyMixin:
    """The reply half of the main window (see the module's docstring)."""

    _gen: dict[str, Any] | None

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
            self.statusBar().showMessage(
                translate("MainWindow", "Wait for the reply to finish first."), 4000)
            return None
        return self._text_dialog(
            "editMessageDialog", translate("MainWindow", "Edit message"),
            translate("MainWindow",
                      "Send this instead. The conversation continues in a branch; the original "
                      "stays as it is. (Ctrl+Enter sends.)"),
            text, translate("MainWindow", "Send"), lambda new: self.edit_message(message_id, new))

    @Slot(int, str)
    def ask_edit_reply(self, message_id: int, text: str) -> QInputDialog | None:
        """Write a reply as it should have been: kept as a new version of it."""
        if self.model.busy:
            self.statusBar().showMessage(
                translate("MainWindow", "Wait for the reply to finish first."), 4000)
            return None
        return self._text_dialog(
            "editReplyDialog", translate("MainWindow", "Edit reply"),
            translate("MainWindow",
                      "Write the reply as it should have been. It is kept as a new version; "
                      "‹ › steps back to the model's. (Ctrl+Enter saves.)"),
            text, translate("MainWindow", "Save"), lambda new: self.edit_reply(message_id, new))

    def edit_reply(self, message_id: int, text: str) -> None:
        if guarded(self, self.chat.edit_reply, message_id, text) is not None:
            self.show_conversation(self.conversation_id)
            self.statusBar().showMessage(
                translate("MainWindow", "Your version of the reply is kept."), 4000)

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
            self.statusBar().showMessage(translate("MainWindow", "Stopping…"), 2000)
            return
        self._gen = None
        self.meters.finish(None)
        if gen["kind"] == "draft":
            self.draft.end_stream("cancelled")
        elif gen.get("conversation_id") == self.conversation_id:
            self.show_conversation(self.conversation_id)
            if gen.get("sent") and not self.chat_view.input_text().strip():
                self.chat_view.input.setPlainText(gen["sent"])
        self.statusBar().showMessage(
            translate("MainWindow", "Stopped before the reply began."), 6000)

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
                translate("MainWindow",
                          "The conversation is longer than the model's context; the "
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
                translate("MainWindow",
                          "Stopped before the first word; no reply was kept.{0}").format(notice),
                8000)
        elif status == "partial":
            self.statusBar().showMessage(
                translate("MainWindow", "Stopped; the text so far is kept.{0}").format(notice),
                8000)
        elif status == "complete":
            tps = result.get("tokens_per_s")
            speed = translate("MainWindow", " at {0} tokens/s").format(tps) if tps else ""
            line = result.get("cloud_line") or ""
            # A cloud reply's line (who wrote it, how much was steered) stays until the next
            # message: it answers "what did the cloud do?" for as long as the reply is new.
            self.statusBar().showMessage(
                translate("MainWindow", "Done: {0} tokens{1}.{2}").format(
                    result.get("tokens", 0), speed, notice)
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
            self.statusBar().showMessage(translate("MainWindow", "Writing…"))
