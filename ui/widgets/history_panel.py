"""Writing history: the samples the profile learns from. List, view, edit, delete, import.

Files come in through the Import button or by dropping .txt/.md files anywhere on
the panel; the service imports them all-or-nothing and says which file is wrong.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from assistant.errors import UserError
from assistant.history import HistoryService, SampleView
from ui.dialogs import confirm, guarded, show_error

ID_ROLE = Qt.ItemDataRole.UserRole
SOURCE_LABELS = {
    "chat": QT_TRANSLATE_NOOP("HistoryPanel", "chat message"),
    "draft": QT_TRANSLATE_NOOP("HistoryPanel", "draft"),
    "file": QT_TRANSLATE_NOOP("HistoryPanel", "imported file"),
}
SOURCE_FILTERS = {  # the filter menu's entries, one per source
    "chat": QT_TRANSLATE_NOOP("HistoryPanel", "Chat messages"),
    "draft": QT_TRANSLATE_NOOP("HistoryPanel", "Drafts"),
    "file": QT_TRANSLATE_NOOP("HistoryPanel", "Imported files"),
}
FILE_FILTER = QT_TRANSLATE_NOOP("HistoryPanel",
                                "Text files (*.txt *.md *.markdown *.text);;All files (*)")


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

        self.list = QListWidget(self)
        self.list.setObjectName("historyList")
        self.list.setAccessibleName(self.tr("Writing samples"))
        self.list.currentItemChanged.connect(self._on_current_changed)

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
        row.addStretch(1)
        row.addWidget(self.delete_button)
        row.addWidget(self.save_button)
        rl.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        hint = QLabel(self.tr(
            "Drop .txt or .md files here to add them to your writing history."), self)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
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
        total = guarded(self, self._history.count) or 0
        self.list.blockSignals(True)
        try:
            self.list.clear()
            current_item = None
            for s in reversed(samples):  # newest first
                item = QListWidgetItem(
                    f"#{s.id} · {source_label(s.source)} · "
                    f"{s.created_at:%Y-%m-%d}\n{_preview(s.text)}"
                )
                item.setData(ID_ROLE, s.id)
                item.setToolTip(s.source_ref or "")
                self.list.addItem(item)
                if s.id == wanted:
                    current_item = item
            if current_item is not None:
                self.list.setCurrentItem(current_item)
        finally:
            self.list.blockSignals(False)
        by_id = {s.id: s for s in samples}
        self._show(by_id.get(wanted) if current_item is not None else None)
        self._update_count(total)

    def _update_count(self, total: int) -> None:
        text = self.tr("{0} writing sample(s).").format(total)
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
        finally:
            self.editor.blockSignals(False)
        self.editor.setEnabled(sample is not None)
        self._update_buttons()

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_changed(self, current: QListWidgetItem | None, _prev: object) -> None:
        if current is None:
            self._show(None)
            return
        sample = guarded(self, self._history.get, int(current.data(ID_ROLE)))
        self._show(sample)

    def _update_buttons(self) -> None:
        has = self._current is not None
        self.delete_button.setEnabled(has)
        self.save_button.setEnabled(has and self.editor.toPlainText() != self._current.text)

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
