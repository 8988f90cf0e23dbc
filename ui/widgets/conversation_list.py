"""The conversation list: new, rename (in place), delete (after asking), search, and a
context menu that also shares one conversation as Markdown or JSON."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.chat.conversations import ChatService
from assistant.chat.views import ConversationView
from ui.dialogs import confirm, guarded, show_error

ID_ROLE = Qt.ItemDataRole.UserRole
SEARCH_DEBOUNCE_MS = 200


class ConversationList(QWidget):
    """Emits `conversationSelected(id or None)`; `None` means "a new, not yet stored chat"."""

    conversationSelected = Signal(object)
    newRequested = Signal()
    deleted = Signal(int)
    renamed = Signal(int)
    shared = Signal(str)  # the path one conversation was written to

    def __init__(self, chat: ChatService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chat = chat
        self._views: dict[int, ConversationView] = {}
        self._filling = False

        self.search = QLineEdit(self)
        self.search.setObjectName("conversationSearch")
        self.search.setPlaceholderText(self.tr("Search conversations (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search conversations"))
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())

        self.list = QListWidget(self)
        self.list.setObjectName("conversationList")
        self.list.setAccessibleName(self.tr("Conversations"))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._show_menu)

        self.new_button = QPushButton(self.tr("New"), self)
        self.new_button.setObjectName("newConversation")
        self.new_button.setAccessibleName(self.tr("New conversation"))
        self.new_button.setToolTip(self.tr("Start a new chat (Ctrl+N)"))
        self.new_button.clicked.connect(self.newRequested)
        self.rename_button = QPushButton(self.tr("Rename"), self)
        self.rename_button.setObjectName("renameConversation")
        self.rename_button.setAccessibleName(self.tr("Rename conversation"))
        self.rename_button.setToolTip(self.tr("Rename the selected conversation (F2)"))
        self.rename_button.clicked.connect(self.start_rename)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("deleteConversation")
        self.delete_button.setAccessibleName(self.tr("Delete conversation"))
        self.delete_button.clicked.connect(self.ask_delete)

        buttons = QHBoxLayout()
        for b in (self.new_button, self.rename_button, self.delete_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # ---- state -------------------------------------------------------------
    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(ID_ROLE))

    def view(self, conversation_id: int) -> ConversationView | None:
        return self._views.get(conversation_id)

    def _update_buttons(self) -> None:
        has = self.list.currentItem() is not None
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    @Slot()
    def refresh(self, select_id: int | None = None, *, keep_current: bool = True) -> None:
        """Reload from the store; keeps (or sets) the selection without re-emitting it."""
        wanted = select_id if select_id is not None else (
            self.current_id() if keep_current else None
        )
        views = guarded(self, self._chat.list_conversations, self.search.text().strip() or None)
        if views is None:
            return
        self._filling = True
        self.list.blockSignals(True)
        try:
            self.list.clear()
            self._views = {v.id: v for v in views}
            for v in views:
                item = QListWidgetItem(v.title)
                item.setData(ID_ROLE, v.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                cloud = " · cloud on" if v.cloud_enabled else ""
                item.setToolTip(
                    f"{v.n_messages} messages · updated {v.updated_at:%Y-%m-%d %H:%M}{cloud}"
                )
                self.list.addItem(item)
                if v.id == wanted:
                    self.list.setCurrentItem(item)
        finally:
            self.list.blockSignals(False)
            self._filling = False
        self._update_buttons()

    def select(self, conversation_id: int | None) -> None:
        """Select without emitting (the caller already shows that conversation)."""
        self.list.blockSignals(True)
        try:
            if conversation_id is None:
                self.list.setCurrentItem(None)
                self.list.clearSelection()
            else:
                for i in range(self.list.count()):
                    if self.list.item(i).data(ID_ROLE) == conversation_id:
                        self.list.setCurrentRow(i)
                        break
        finally:
            self.list.blockSignals(False)
        self._update_buttons()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # ---- slots -------------------------------------------------------------
    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_changed(self, current: QListWidgetItem | None, _prev: object) -> None:
        self._update_buttons()
        if self._filling:
            return
        self.conversationSelected.emit(None if current is None else int(current.data(ID_ROLE)))

    @Slot()
    def start_rename(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    @Slot(QListWidgetItem)
    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        cid = int(item.data(ID_ROLE))
        old = self._views.get(cid)
        title = item.text().strip()
        if old is not None and title == old.title:
            return
        try:
            self._chat.rename(cid, title)
        except Exception as exc:  # the service says why (an empty title); put the old one back
            show_error(self, str(exc), "Cannot rename")
            self.refresh(cid)
            return
        self.refresh(cid)
        self.renamed.emit(cid)

    def context_menu(self) -> QMenu:
        """Rename, delete and share the current conversation (right click, or the menu key)."""
        menu = QMenu(self)
        menu.setObjectName("conversationMenu")
        menu.addAction(self.tr("Rename"), self.start_rename)
        menu.addAction(self.tr("Settings of this conversation…"), self.open_settings)
        menu.addAction(self.tr("Export as Markdown…"), lambda: self.open_share_dialog("md"))
        menu.addAction(self.tr("Export as JSON…"), lambda: self.open_share_dialog("json"))
        menu.addSeparator()
        menu.addAction(self.tr("Delete…"), self.ask_delete)
        return menu

    def open_settings(self):
        """Its own instructions and method (ui.widgets.conversation_settings)."""
        from ui.widgets.conversation_settings import ConversationSettingsDialog

        cid = self.current_id()
        if cid is None:
            return None
        v = self._views.get(cid)
        dlg = ConversationSettingsDialog(self._chat, cid, v.title if v else f"#{cid}", self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self.refresh(cid))
        dlg.open()
        return dlg

    @Slot(QPoint)
    def _show_menu(self, pos: QPoint) -> None:
        if self.list.itemAt(pos) is None:
            return
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.list.viewport().mapToGlobal(pos))

    def open_share_dialog(self, fmt: str) -> QFileDialog | None:
        """Ask where to write the current conversation; the file dialog asks before
        overwriting, so the export may replace the file."""
        cid = self.current_id()
        if cid is None:
            return None
        v = self._views.get(cid)
        stem = "".join(c if c.isalnum() or c in " -_" else "_" for c in (v.title if v else ""))
        name = f"{stem.strip()[:60] or f'conversation-{cid}'}.{fmt}"
        label = "Markdown (*.md)" if fmt == "md" else "JSON (*.json)"
        dlg = QFileDialog(self, "Share this conversation", str(Path.home() / name),
                          f"{label};;All files (*)")
        dlg.setObjectName("shareFileDialog")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.fileSelected.connect(lambda p: self.share(cid, Path(p), fmt))
        dlg.open()
        return dlg

    def share(self, cid: int, path: Path, fmt: str) -> Path | None:
        from assistant.chat.share import export_conversation

        out = guarded(self, export_conversation, self._chat, cid, path, fmt, force=True)
        if out is not None:
            self.shared.emit(str(out))
        return out

    @Slot()
    def ask_delete(self) -> None:
        cid = self.current_id()
        if cid is None:
            return
        v = self._views.get(cid)
        title = v.title if v else f"#{cid}"
        n = v.n_messages if v else 0
        confirm(
            self,
            "Delete conversation",
            f"Delete “{title}” and its {n} message(s)?",
            lambda: self._delete(cid),
            yes_text="Delete",
            informative="Your own messages stay in your writing history.",
            destructive=True,
        )

    def _delete(self, cid: int) -> None:
        self._chat.delete(cid)
        self.refresh(keep_current=False)
        self.deleted.emit(cid)
        self.conversationSelected.emit(None)
