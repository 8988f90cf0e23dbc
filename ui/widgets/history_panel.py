"""Writing history: the samples the profile learns from. List, view, edit, delete, import,
paste, and include or exclude each one.

Each sample shows its source (imported file, typed or pasted, draft, chat message, edit)
and whether the profile learns from it; chat messages are listed but left out unless
the user includes them. Text comes in through the paste box, the Import button or by
dropping files anywhere on the panel (.txt, .md, .docx, .odt, .pdf; e-mail through
`assistant history add --from`); the service imports them all-or-nothing and says which
file is wrong. The list follows the store: samples added elsewhere (the command line,
another window) appear within seconds.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assistant.errors import UserError
from assistant.writing.history import HistoryService, SampleView
from ui.dialogs import confirm, guarded, show_error

ID_ROLE = Qt.ItemDataRole.UserRole
SOURCE_LABELS = {
    "file": QT_TRANSLATE_NOOP("HistoryPanel", "imported file"),
    "typed": QT_TRANSLATE_NOOP("HistoryPanel", "typed or pasted"),
    "draft": QT_TRANSLATE_NOOP("HistoryPanel", "draft"),
    "chat": QT_TRANSLATE_NOOP("HistoryPanel", "chat message"),
    "edit": QT_TRANSLATE_NOOP("HistoryPanel", "your edit"),
}
SOURCE_FILTERS = {  # the filter menu's entries, one per source
    "file": QT_TRANSLATE_NOOP("HistoryPanel", "Imported files"),
    "typed": QT_TRANSLATE_NOOP("HistoryPanel", "Typed or pasted"),
    "draft": QT_TRANSLATE_NOOP("HistoryPanel", "Drafts"),
    "chat": QT_TRANSLATE_NOOP("HistoryPanel", "Chat messages"),
    "edit": QT_TRANSLATE_NOOP("HistoryPanel", "Your edits"),
}
FILE_FILTER = QT_TRANSLATE_NOOP(
    "HistoryPanel", "Your writing (*.txt *.md *.markdown *.text *.docx *.odt *.pdf);;"
    "All files (*)")
COLUMNS = (QT_TRANSLATE_NOOP("HistoryPanel", "Text"),
           QT_TRANSLATE_NOOP("HistoryPanel", "Source"),
           QT_TRANSLATE_NOOP("HistoryPanel", "Learned from"),
           QT_TRANSLATE_NOOP("HistoryPanel", "Added"))
WATCH_MS = 2000  # how often a shown panel checks the store for samples added elsewhere


def _translated(text: str) -> str:
    return QCoreApplication.translate("HistoryPanel", text)


def source_label(source: str) -> str:
    """A sample's source as the panel names it ("chat message", ...), translated."""
    return _translated(SOURCE_LABELS[source]) if source in SOURCE_LABELS else source


def _preview(text: str, n: int = 70) -> str:
    line = " ".join(text.split())
    return line[:n] + ("…" if len(line) > n else "")


class HistoryPanel(QWidget):
    changed = Signal()  # the set of samples changed (added, edited, deleted)
    message = Signal(str)  # a short status-bar note

    def __init__(
        self,
        history: HistoryService,
        samples_used: callable | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._samples_used = samples_used  # -> (count or None, explanation)
        self._current: SampleView | None = None
        self.setAcceptDrops(True)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("historyCount")
        self.count_label.setWordWrap(True)
        self.source_filter = QComboBox(self)
        self.source_filter.setObjectName("historyFilter")
        self.source_filter.setAccessibleName(self.tr("Show samples from"))
        self.source_filter.addItem(self.tr("All sources"), None)
        for key, label in SOURCE_FILTERS.items():
            self.source_filter.addItem(_translated(label), key)
        self.source_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.import_button = QPushButton(self.tr("Import files…"), self)
        self.import_button.setObjectName("historyImport")
        self.import_button.setAccessibleName(self.tr("Import text files"))
        self.import_button.setToolTip(self.tr("Import .txt or .md files (or drop them here)"))
        self.import_button.clicked.connect(self.open_import_dialog)

        self.list = QTreeWidget(self)
        self.list.setObjectName("historyList")
        self.list.setAccessibleName(self.tr("Writing samples"))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels([_translated(c) for c in COLUMNS])
        for col, width in enumerate((180, 110, 90)):
            self.list.setColumnWidth(col, width)
        self.list.currentItemChanged.connect(self._on_current_changed)

        self.paste = QPlainTextEdit(self)
        self.paste.setObjectName("historyPaste")
        self.paste.setAccessibleName(self.tr("Paste or type a sample of your writing"))
        self.paste.setPlaceholderText(self.tr(
            "Paste or type something you wrote (an e-mail, a post, a note)…"))
        self.paste.setMaximumHeight(90)
        self.paste.textChanged.connect(self._update_buttons)
        self.add_pasted = QPushButton(self.tr("Add to my writing"), self)
        self.add_pasted.setObjectName("historyAddPasted")
        self.add_pasted.setAccessibleName(self.tr("Add the pasted text to your writing history"))
        self.add_pasted.clicked.connect(self.add_pasted_text)
        self.include_box = QCheckBox(self.tr("Learn from this sample"), self)
        self.include_box.setObjectName("historyInclude")
        self.include_box.setToolTip(self.tr(
            "Your profile and the texts put in the prompt use only the samples ticked here. "
            "Chat messages are left out unless you tick them: most are requests, not your "
            "writing."))
        self.include_box.clicked.connect(self._on_include)
        self._signature: tuple | None = None
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._check_store)

        self.meta_label = QLabel(self)
        self.meta_label.setObjectName("historyMeta")
        self.meta_label.setWordWrap(True)
        self.meta_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("historyEditor")
        self.editor.setAccessibleName(self.tr("Sample text"))
        self.editor.setPlaceholderText(self.tr("Pick a sample to read or edit it."))
        self.editor.textChanged.connect(self._update_buttons)
        self.save_button = QPushButton(self.tr("Save changes"), self)
        self.save_button.setObjectName("historySave")
        self.save_button.setAccessibleName(self.tr("Save changes to the sample"))
        self.save_button.clicked.connect(self.save_current)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.setObjectName("historyDelete")
        self.delete_button.setAccessibleName(self.tr("Delete the sample"))
        self.delete_button.clicked.connect(self.ask_delete)

        top = QHBoxLayout()
        top.addWidget(self.count_label, 1)
        top.addWidget(self.source_filter)
        top.addWidget(self.import_button)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.meta_label)
        rl.addWidget(self.editor, 1)
        row = QHBoxLayout()
        row.addWidget(self.include_box)
        row.addStretch(1)
        row.addWidget(self.delete_button)
        row.addWidget(self.save_button)
        rl.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        hint = QLabel(self.tr(
            "Drop .txt, .md, .docx, .odt or .pdf files here to add them to your writing "
            "history."), self)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        paste_row = QHBoxLayout()
        paste_row.addWidget(self.paste, 1)
        paste_row.addWidget(self.add_pasted, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(paste_row)
        layout.addWidget(split, 1)
        layout.addWidget(hint)
        self._update_buttons()

    # ---- listing -----------------------------------------------------------
    @Slot()
    def refresh(self, select_id: int | None = None) -> None:
        wanted = select_id if select_id is not None else (
            self._current.id if self._current else None
        )
        samples = guarded(self, self._history.list, self.source_filter.currentData())
        if samples is None:
            return
        self._signature = guarded(self, self._history.signature)
        total = guarded(self, self._history.count) or 0
        self.list.blockSignals(True)
        try:
            self.list.clear()
            current_item = None
            for s in reversed(samples):  # newest first
                item = QTreeWidgetItem([
                    f"#{s.id}  {_preview(s.text)}", source_label(s.source),
                    self.tr("yes") if s.include else self.tr("no"),
                    f"{s.created_at:%Y-%m-%d}"])
                item.setData(0, ID_ROLE, s.id)
                item.setToolTip(0, s.source_ref or "")
                if not s.include:
                    for col in range(len(COLUMNS)):
                        item.setForeground(col, self.palette().placeholderText())
                self.list.addTopLevelItem(item)
                if s.id == wanted:
                    current_item = item
            if current_item is not None:
                self.list.setCurrentItem(current_item)
        finally:
            self.list.blockSignals(False)
        by_id = {s.id: s for s in samples}
        self._show(by_id.get(wanted) if current_item is not None else None)
        self._update_count(total, sum(s.include for s in samples)
                           if self.source_filter.currentData() is None else None)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._check_store()
        self._watch.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._watch.stop()
        super().hideEvent(event)

    @Slot()
    def _check_store(self) -> None:
        """Refresh when the samples changed elsewhere (another process, the chat)."""
        try:
            now = self._history.signature()
        except UserError:
            return
        if now != self._signature:
            self.refresh()

    def _update_count(self, total: int, included: int | None = None) -> None:
        text = self.tr("{0} writing sample(s).").format(total)
        if included is not None and included != total:
            text += self.tr(" {0} of them are learned from.").format(included)
        if self._samples_used is not None:
            used, note = self._samples_used()
            if used is None:
                text += f" {note}"
            else:
                text += self.tr(" Your profile uses {0} of them.").format(used)
        self.count_label.setText(text)

    def _show(self, sample: SampleView | None) -> None:
        self._current = sample
        self.editor.blockSignals(True)
        try:
            if sample is None:
                self.editor.clear()
                self.meta_label.setText("")
            else:
                self.editor.setPlainText(sample.text)
                where = source_label(sample.source)
                ref = f" ({sample.source_ref})" if sample.source_ref else ""
                self.meta_label.setText(
                    self.tr("Sample #{0}: {1}{2}, added {3}").format(
                        sample.id, where, ref, f"{sample.created_at:%Y-%m-%d %H:%M}")
                )
            self.include_box.setChecked(bool(sample and sample.include))
        finally:
            self.editor.blockSignals(False)
        self.editor.setEnabled(sample is not None)
        self._update_buttons()

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_current_changed(self, current: QTreeWidgetItem | None, _prev: object) -> None:
        if current is None:
            self._show(None)
            return
        sample = guarded(self, self._history.get, int(current.data(0, ID_ROLE)))
        self._show(sample)

    def _update_buttons(self) -> None:
        has = self._current is not None
        self.add_pasted.setEnabled(bool(self.paste.toPlainText().strip()))
        self.include_box.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.save_button.setEnabled(has and self.editor.toPlainText() != self._current.text)

    # ---- paste, include, edit, delete ---------------------------------------
    @Slot()
    def add_pasted_text(self) -> int | None:
        """The pasted or typed text becomes a sample (source "typed"), learned from."""
        sid = guarded(self, self._history.add, self.paste.toPlainText(), source="typed")
        if sid is None:
            return None
        self.paste.clear()
        self.refresh(sid)
        self.message.emit(self.tr("Added to your writing history as sample #{0}.").format(sid))
        self.changed.emit()
        return sid

    @Slot(bool)
    def _on_include(self, include: bool) -> None:
        if self._current is None:
            return
        sid = self._current.id
        guarded(self, self._history.set_included, sid, include)
        self._current = None
        self.refresh(sid)
        self.message.emit(
            self.tr("Sample #{0} is learned from.").format(sid) if include
            else self.tr("Sample #{0} is kept but not learned from.").format(sid))
        self.changed.emit()

    # ---- edit, delete ------------------------------------------------------
    @Slot()
    def save_current(self) -> None:
        if self._current is None:
            return
        sid = self._current.id
        try:
            self._history.update(sid, self.editor.toPlainText())
        except UserError as exc:
            show_error(self, str(exc), self.tr("Cannot save the sample"))
            return
        self._current = None
        self.refresh(sid)
        self.message.emit(self.tr("Sample #{0} saved.").format(sid))
        self.changed.emit()

    @Slot()
    def ask_delete(self) -> None:
        if self._current is None:
            return
        sid = self._current.id
        confirm(
            self,
            self.tr("Delete writing sample"),
            self.tr("Delete sample #{0} from your writing history?").format(sid),
            lambda: self._delete(sid),
            yes_text=self.tr("Delete"),
            informative=self.tr("Your profile will not learn from it when it is next built."),
            destructive=True,
        )

    def _delete(self, sid: int) -> None:
        self._history.remove(sid)
        self._current = None
        self.refresh()
        self.message.emit(self.tr("Sample #{0} deleted.").format(sid))
        self.changed.emit()

    # ---- import ------------------------------------------------------------
    @Slot()
    def open_import_dialog(self) -> QFileDialog:
        dlg = QFileDialog(self, self.tr("Import your writing"), str(Path.home()),
                          _translated(FILE_FILTER))
        dlg.setObjectName("historyImportDialog")
        dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.filesSelected.connect(lambda files: self.import_files([Path(f) for f in files]))
        dlg.open()
        return dlg

    def import_files(self, paths: list[Path]) -> list[int]:
        if not paths:
            return []
        try:
            ids = self._history.add_files(paths)
        except UserError as exc:
            show_error(self, self.tr("Nothing was imported. {0}").format(exc),
                       self.tr("Cannot import"))
            return []
        self.refresh(ids[-1] if ids else None)
        self.message.emit(
            self.tr("Imported {0} file(s) into your writing history.").format(len(ids)))
        self.changed.emit()
        return ids

    @staticmethod
    def _local_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt API)
        if self._local_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt API)
        paths = self._local_files(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_files(paths)
