"""The first-run guide: three skippable steps above the tabs, which never block the chat.

1. The model: the built-in one is a 135M demonstration, said plainly; the GGUF
   models already on this computer (`assistant.local_models.library`, scanned off the GUI
   thread) are listed, one click uses one; or "Choose a file…".
2. Your writing: paste a sample or import files, and why it matters.
3. Your profile: built in the background (a child process), while you chat.

The window shows it on the first run (until it is finished or skipped) and again from
Help → Getting started. It only asks the window to act (signals); the window owns the
model, the settings and the profile build.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from assistant.writing.history import HistoryService
from ui.dialogs import guarded
from ui.errors import USER_ERRORS
from ui.widgets.history_panel import FILE_FILTER

log = logging.getLogger(__name__)

STEPS = 3
ENOUGH_SAMPLES = 5  # what the guide suggests before a build (a build needs a few)


class _ScanSignals(QObject):
    done = Signal(list)


class _Scan(QRunnable):
    """The usable models on this computer, found on the thread pool (headers are read)."""

    def __init__(self, home: Path, saved: str | None) -> None:
        super().__init__()
        self.home, self.saved = home, saved
        self.signals = _ScanSignals()

    def run(self) -> None:
        from assistant.local_models.library import library
        from assistant.paths import machine_cache_dir

        try:
            rows = [r for r in library(self.home, self.saved, machine_cache_dir()) if r["ok"]]
        except Exception:  # a failed scan only leaves the list with the built-in model
            log.exception("model scan for the first-run guide failed")
            rows = []
        with contextlib.suppress(RuntimeError):  # the guide closed meanwhile
            self.signals.done.emit(rows)


def _wrapped(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class _Steps(QWidget):
    """The pages, one shown at a time. Unlike a QStackedWidget it is only as tall as the
    page it shows (a stack takes the tallest page's height)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: list[QWidget] = []
        self._current = 0
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def addWidget(self, page: QWidget) -> None:  # noqa: N802 (as QStackedWidget)
        self._pages.append(page)
        self._layout.addWidget(page)
        page.setVisible(len(self._pages) - 1 == self._current)

    def currentIndex(self) -> int:  # noqa: N802
        return self._current

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        self._current = index
        for i, page in enumerate(self._pages):
            page.setVisible(i == index)


class FirstRunGuide(QFrame):
    modelChosen = Signal(str)  # a GGUF path to use ("" = the built-in model)
    chooseModelFile = Signal()  # open the file dialog (the window checks the file)
    samplesAdded = Signal()  # the writing history changed
    buildRequested = Signal()  # build the profile in the background
    openPersonalization = Signal()
    closed = Signal(bool)  # True: finished or skipped (do not show on the next start)

    def __init__(self, home: Path, history: HistoryService, saved_model: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunGuide")
        self.setAccessibleName(self.tr("Getting started"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self._home, self._history, self._saved = home, history, saved_model
        self._scan: _Scan | None = None

        self.title = QLabel(self)
        self.title.setObjectName("guideTitle")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.skip_button = QPushButton(self.tr("Skip the guide"), self)
        self.skip_button.setObjectName("guideSkip")
        self.skip_button.setToolTip(self.tr("Help → Getting started shows it again."))
        self.skip_button.clicked.connect(lambda: self.finish(True))
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.skip_button)

        self.steps = _Steps(self)
        self.steps.addWidget(self._model_step())
        self.steps.addWidget(self._writing_step())
        self.steps.addWidget(self._profile_step())

        self.back_button = QPushButton(self.tr("Back"), self)
        self.back_button.setObjectName("guideBack")
        self.back_button.clicked.connect(lambda: self.go(self.steps.currentIndex() - 1))
        self.next_button = QPushButton(self.tr("Next"), self)
        self.next_button.setObjectName("guideNext")
        self.next_button.clicked.connect(self._next)
        nav = QHBoxLayout()
        nav.addWidget(_wrapped(self.tr(
            "You can chat while this is open. Settings: File → Settings (Ctrl+,)."), self), 1)
        nav.addWidget(self.back_button)
        nav.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(head)
        self._scroll = scroll = QScrollArea(self)  # a short window scrolls the step
        scroll.setObjectName("guideScroll")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.steps)
        scroll.viewport().setAutoFillBackground(False)
        self.steps.setAutoFillBackground(False)
        layout.addWidget(scroll, 1)
        layout.addLayout(nav)
        self.go(0)

    # ---- steps ---------------------------------------------------------------
    def _model_step(self) -> QWidget:
        page = QWidget(self)
        self.model_text = _wrapped(self.tr(
            "Voice Assistant learns how you write and steers a local model toward your voice; "
            "nothing leaves this computer. The built-in model, SmolLM2-135M, is a small "
            "demonstration: fast, but simple. A larger GGUF chat model (1-8B) writes much "
            "better; pick one you have:"), page)
        self.models = QListWidget(page)
        self.models.setObjectName("guideModels")
        self.models.setAccessibleName(self.tr("Models on this computer"))
        self.models.setMaximumHeight(72)
        self.models.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.models.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.models.itemDoubleClicked.connect(lambda _i: self._use_selected())
        self.models.currentItemChanged.connect(lambda *_: self._update_model_buttons())
        self.use_model_button = QPushButton(self.tr("Use this model"), page)
        self.use_model_button.setObjectName("guideUseModel")
        self.use_model_button.clicked.connect(self._use_selected)
        self.choose_button = QPushButton(self.tr("Choose a file…"), page)
        self.choose_button.setObjectName("guideChooseModel")
        self.choose_button.clicked.connect(self.chooseModelFile)
        self.model_status = _wrapped(self.tr("Looking for models on this computer…"), page)
        self.model_status.setObjectName("guideModelStatus")
        row = QHBoxLayout()
        row.addWidget(self.model_status, 1)
        row.addWidget(self.use_model_button)
        row.addWidget(self.choose_button)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.model_text)
        lay.addWidget(self.models)
        lay.addLayout(row)
        lay.addStretch(1)
        return page

    def _writing_step(self) -> QWidget:
        page = QWidget(self)
        why = _wrapped(self.tr(
            "Your voice is learned from your own texts: your chat messages, drafts you save, "
            "and what you add here. Paste a letter, an email or a post you wrote (one at a "
            "time), or import .txt and .md files. Five or more make a profile worth "
            "building."), page)
        self.sample = QPlainTextEdit(page)
        self.sample.setObjectName("guideSample")
        self.sample.setAccessibleName(self.tr("A text you wrote"))
        self.sample.setPlaceholderText(self.tr("Paste something you wrote…"))
        self.sample.setMaximumHeight(96)
        self.add_button = QPushButton(self.tr("Add as my writing"), page)
        self.add_button.setObjectName("guideAddSample")
        self.add_button.clicked.connect(self.add_sample)
        self.import_button = QPushButton(self.tr("Import files…"), page)
        self.import_button.setObjectName("guideImport")
        self.import_button.clicked.connect(self.open_import_dialog)
        self.samples_label = _wrapped("", page)
        self.samples_label.setObjectName("guideSamples")
        row = QHBoxLayout()
        row.addWidget(self.samples_label, 1)
        row.addWidget(self.import_button)
        row.addWidget(self.add_button)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(why)
        lay.addWidget(self.sample)
        lay.addLayout(row)
        lay.addStretch(1)
        return page

    def _profile_step(self) -> QWidget:
        page = QWidget(self)
        self.profile_text = _wrapped("", page)
        self.profile_text.setObjectName("guideProfileText")
        self.build_button = QPushButton(self.tr("Build my profile"), page)
        self.build_button.setObjectName("guideBuild")
        self.build_button.clicked.connect(self.buildRequested)
        self.open_button = QPushButton(self.tr("Open Personalization"), page)
        self.open_button.setObjectName("guideOpenPersonalization")
        self.open_button.clicked.connect(self.openPersonalization)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.build_button)
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.profile_text)
        lay.addStretch(1)
        lay.addLayout(row)
        return page

    # ---- navigation ----------------------------------------------------------
    def go(self, index: int) -> None:
        index = max(0, min(STEPS - 1, index))
        self.steps.setCurrentIndex(index)
        names = [self.tr("The model"), self.tr("Your writing"), self.tr("Your profile")]
        self.title.setText(self.tr("Getting started, step {0} of {1}: {2}").format(
            index + 1, STEPS, names[index]))
        self.back_button.setEnabled(index > 0)
        self.next_button.setText(self.tr("Done") if index == STEPS - 1 else self.tr("Next"))
        if index == 0 and self._scan is None:
            self.scan_models()
        self._update_counts()

    @Slot()
    def _next(self) -> None:
        if self.steps.currentIndex() >= STEPS - 1:
            self.finish(True)
        else:
            self.go(self.steps.currentIndex() + 1)

    def finish(self, done: bool) -> None:
        self.hide()
        self.closed.emit(done)

    # ---- step 1: the model ---------------------------------------------------
    def scan_models(self) -> None:
        self._scan = _Scan(self._home, self._saved)
        self._scan.setAutoDelete(False)
        self._scan.signals.done.connect(self._on_models, Qt.ConnectionType.QueuedConnection)
        QThreadPool.globalInstance().start(self._scan)

    @Slot(list)
    def _on_models(self, rows: list) -> None:
        self.models.clear()
        for r in rows:
            builtin = r["source"] == "embedded"
            size = r["size_mb"] / 1000 if r["size_mb"] >= 1000 else None
            size_text = f"{size:.1f} GB" if size else f"{r['size_mb']:.0f} MB"
            origin = (self.tr("built in: a demonstration") if builtin
                      else self.tr("from {0}").format(r["source"]))
            text = self.tr("{0} ({1}, {2}, {3})").format(
                r["name"], r["architecture"], size_text, origin)
            item = QListWidgetItem(text, self.models)
            item.setData(Qt.ItemDataRole.UserRole, "" if builtin else r["path"])
            item.setToolTip(r["path"])
        others = sum(1 for r in rows if r["source"] != "embedded")
        self.model_status.setText(
            self.tr("{0} other model(s) found on this computer.").format(others) if others
            else self.tr("No other models found in the usual folders."))
        self.model_status.setToolTip(self.tr(
            "Searched: this app's models folder, LM Studio, GPT4All, Jan and the Hugging Face "
            "cache. A model is used where it is; nothing is copied."))
        self._update_model_buttons()

    def _update_model_buttons(self) -> None:
        self.use_model_button.setEnabled(self.models.currentItem() is not None)

    @Slot()
    def _use_selected(self) -> None:
        item = self.models.currentItem()
        if item is not None:
            self.modelChosen.emit(str(item.data(Qt.ItemDataRole.UserRole) or ""))

    def model_in_use(self, name: str) -> None:
        """The window says which model is now loading or in use."""
        self.model_status.setText(self.tr("Using {0}.").format(name))

    # ---- step 2: writing -----------------------------------------------------
    @Slot()
    def add_sample(self) -> None:
        text = self.sample.toPlainText()
        if guarded(self, self._history.add, text, source="draft") is not None:
            self.sample.clear()
            self._update_counts()
            self.samplesAdded.emit()

    @Slot()
    def open_import_dialog(self) -> QFileDialog:
        # The Writing history tab's filter: the formats the window imports without asking
        # more (e-mail needs the user's address: `history add --from`).
        dlg = QFileDialog(self, self.tr("Import your writing"), str(Path.home()),
                          QCoreApplication.translate("HistoryPanel", FILE_FILTER))
        dlg.setObjectName("guideImportDialog")
        dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.filesSelected.connect(lambda paths: self.import_files([Path(p) for p in paths]))
        dlg.open()
        return dlg

    def import_files(self, paths: list[Path]) -> None:
        ids = guarded(self, self._history.add_files, paths)
        if ids is not None:
            self._update_counts()
            self.samplesAdded.emit()

    def _update_counts(self) -> None:
        try:
            n = self._history.count()
        except USER_ERRORS:  # the store is unreadable: the window says so elsewhere
            n = 0
        self.samples_label.setText(self.tr("{0} text(s) of yours so far.").format(n))
        if n >= ENOUGH_SAMPLES:
            more = self.tr("You have {0} texts: enough for a first profile.").format(n)
        else:
            more = self.tr("You have {0} text(s); {1} or more give a better profile, but you "
                           "can build now and again later.").format(n, ENOUGH_SAMPLES)
        self.profile_text.setText(self.tr(
            "Your profile is what the app learned from your texts: a steering vector and a "
            "description in plain words. Building it runs in the background (minutes on a "
            "laptop) and you can keep chatting. {0} The Personalization tab shows what was "
            "learned and lets you choose how strongly replies follow it.").format(more))
        self.build_button.setEnabled(n > 0)
