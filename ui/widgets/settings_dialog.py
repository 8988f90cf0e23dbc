"""Settings: the model file, device, threads, the data folder, and export / import / reset.

A picked model file is checked with `read_gguf_info` before it is accepted, so a
wrong file is refused here with the reason, not later by llama.cpp. The check
parses the whole GGUF header (seconds for a large model), so it runs on the
thread pool; the model in use is described from what the model thread reported. Export,
import and reset are `DataService` calls run in the data `TaskHost` thread; reset
always asks first and says what it will delete.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from assistant.app import AppContext
from assistant.data import DataService
from assistant.errors import UserError
from assistant.local_models.choice import embedded_model_path
from assistant.settings import MAX_REPLY_TOKENS, SPECS, load_settings, save_settings
from ui.dialogs import USER_ERRORS, confirm, guarded, show_error, show_info
from ui.widgets.settings_scans import (
    DeviceScan,
    LibraryScan,
    ModelCheck,
    describe_model,
    library_label,
)
from ui.workers import TaskHost

DEVICES = [
    ("auto", QT_TRANSLATE_NOOP("SettingsDialog", "Automatic")),
    ("cpu", "CPU"),
    ("cuda", QT_TRANSLATE_NOOP("SettingsDialog", "NVIDIA GPU (CUDA)")),
    ("mps", QT_TRANSLATE_NOOP("SettingsDialog", "Apple GPU (Metal)")),
]


class SettingsDialog(QDialog):
    settingsSaved = Signal(bool)  # True when the model file changed
    modelChecked = Signal(str)  # a picked file passed the check and is the new choice

    def __init__(
        self,
        app: AppContext,
        data: DataService,
        tasks: TaskHost,
        model_busy: Callable[[], bool],
        parent: QWidget | None = None,
        loaded_model: dict | None = None,
    ) -> None:
        """`loaded_model`: the facts the model thread reported (describes it for free)."""
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.tr("Settings"))
        self.setMinimumWidth(560)
        self._app = app
        self._data = data
        self._tasks = tasks
        self._model_busy = model_busy
        self._settings = load_settings(app.db)
        self._model_path: str | None = self._settings.model_path
        self._running_action = ""
        self._loaded_model = dict(loaded_model or {})
        self._checks: dict[str, ModelCheck] = {}  # in flight, kept alive until done

        # ---- model and performance ----
        self.model_path = QLineEdit(self)
        self.model_path.setObjectName("settingsModelPath")
        self.model_path.setAccessibleName(self.tr("Model file"))
        self.model_path.setReadOnly(True)
        self.browse_button = QPushButton(self.tr("Choose…"), self)
        self.browse_button.setObjectName("settingsBrowseModel")
        self.browse_button.setAccessibleName(self.tr("Choose a model file"))
        self.browse_button.clicked.connect(self.open_model_dialog)
        self.default_button = QPushButton(self.tr("Use the embedded model"), self)
        self.default_button.setObjectName("settingsDefaultModel")
        self.default_button.setAccessibleName(self.tr("Use the embedded model"))
        self.default_button.clicked.connect(lambda: self.set_model_path(None))
        self.found_models = QComboBox(self)
        self.found_models.setObjectName("settingsFoundModels")
        self.found_models.setAccessibleName(self.tr("Models found on this computer"))
        self.found_models.addItem(self.tr("Looking for models on this computer…"), None)
        self.found_models.setEnabled(False)
        self.found_models.setToolTip(self.tr(
            "GGUF files of this app, LM Studio, GPT4All, Jan and the Hugging Face cache. "
            "A model is used where it is; nothing is copied."))
        self.found_models.activated.connect(self._on_found_model)
        self.model_info = QLabel(self)
        self.model_info.setObjectName("settingsModelInfo")
        self.model_info.setWordWrap(True)
        self.model_info.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.device = QComboBox(self)
        self.device.setObjectName("settingsDevice")
        self.device.setAccessibleName(self.tr("Device"))
        self._fill_devices(["auto", "cpu"])  # until torch and llama.cpp have answered
        self._devices = DeviceScan()
        self._devices.setAutoDelete(False)
        self._devices.signals.done.connect(self._fill_devices, Qt.ConnectionType.QueuedConnection)
        QThreadPool.globalInstance().start(self._devices)
        self.device.setToolTip(self.tr(
            "Where the personalization methods run. Chat runs in llama.cpp, which uses the "
            "GPU when it was built with GPU support."))
        self.threads = QSpinBox(self)
        self.threads.setObjectName("settingsThreads")
        self.threads.setAccessibleName(self.tr("Threads"))
        self.threads.setRange(0, max(2, (os.cpu_count() or 1) * 2))
        self.threads.setSpecialValueText(self.tr("Automatic ({0})").format(os.cpu_count() or 1))
        self.threads.setValue(self._settings.n_threads or 0)

        self.data_folder = QLineEdit(str(app.home), self)
        self.data_folder.setObjectName("settingsDataFolder")
        self.data_folder.setAccessibleName(self.tr("Data folder"))
        self.data_folder.setReadOnly(True)
        self.data_folder.setToolTip(self.tr(
            "Everything the app stores lives here. Start with --home DIR or set ASSISTANT_HOME "
            "to use another folder."))

        model_row = QHBoxLayout()
        model_row.addWidget(self.model_path, 1)
        model_row.addWidget(self.browse_button)
        model_row.addWidget(self.default_button)
        form = QFormLayout()
        form.addRow(self.tr("Model"), model_row)
        form.addRow(self.tr("Found"), self.found_models)
        form.addRow("", self.model_info)
        form.addRow(self.tr("Device"), self.device)
        form.addRow(self.tr("Threads"), self.threads)
        form.addRow(self.tr("Data folder"), self.data_folder)
        general = QGroupBox(self.tr("Model and performance"), self)
        general.setLayout(form)

        # ---- replies (the defaults; a conversation may have its own) ----
        self.system_prompt = QPlainTextEdit(self)
        self.system_prompt.setObjectName("settingsSystemPrompt")
        self.system_prompt.setAccessibleName(self.tr("System prompt"))
        self.system_prompt.setPlainText(self._settings.system_prompt)
        self.system_prompt.setMaximumHeight(80)
        self.temperature = QDoubleSpinBox(self)
        self.temperature.setObjectName("settingsTemperature")
        self.temperature.setAccessibleName(self.tr("Temperature"))
        self.temperature.setRange(0.0, 5.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setValue(self._settings.temperature)
        self.temperature.setToolTip(self.tr(SPECS["temperature"].allowed))
        self.max_tokens = QSpinBox(self)
        self.max_tokens.setObjectName("settingsMaxTokens")
        self.max_tokens.setAccessibleName(self.tr("Reply length"))
        self.max_tokens.setRange(1, MAX_REPLY_TOKENS)
        self.max_tokens.setSuffix(self.tr(" tokens"))
        self.max_tokens.setValue(self._settings.max_tokens)
        self.n_ctx = QSpinBox(self)
        self.n_ctx.setObjectName("settingsContext")
        self.n_ctx.setAccessibleName(self.tr("Context size"))
        self.n_ctx.setRange(256, 1_048_576)
        self.n_ctx.setSingleStep(1024)
        self.n_ctx.setSuffix(self.tr(" tokens"))
        self.n_ctx.setValue(self._settings.n_ctx)
        self.n_ctx.setToolTip(self.tr(
            "How much of the conversation the model sees; capped at what the model was "
            "trained for. A change reloads the model."))
        replies_form = QFormLayout()
        replies_form.addRow(self.tr("System prompt"), self.system_prompt)
        replies_form.addRow(self.tr("Temperature"), self.temperature)
        replies_form.addRow(self.tr("Reply length"), self.max_tokens)
        replies_form.addRow(self.tr("Context size"), self.n_ctx)
        replies_note = QLabel(self.tr(
            "Defaults for every conversation; a conversation's own settings (its menu) win."),
            self)
        replies_note.setWordWrap(True)
        replies_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        replies_form.addRow("", replies_note)
        replies = QGroupBox(self.tr("Replies"), self)
        replies.setLayout(replies_form)

        # ---- your data ----
        self.export_button = QPushButton(self.tr("Export everything…"), self)
        self.export_button.setObjectName("settingsExport")
        self.export_button.setAccessibleName(self.tr("Export all data to an archive"))
        self.export_button.clicked.connect(self.open_export_dialog)
        self.import_button = QPushButton(self.tr("Import…"), self)
        self.import_button.setObjectName("settingsImport")
        self.import_button.setAccessibleName(self.tr("Import an archive or a ChatGPT export"))
        self.import_button.clicked.connect(self.open_import_dialog)
        self.reset_profile_button = QPushButton(self.tr("Reset profile…"), self)
        self.reset_profile_button.setObjectName("settingsResetProfile")
        self.reset_profile_button.setAccessibleName(self.tr("Reset the profile"))
        self.reset_profile_button.clicked.connect(lambda: self.ask_reset("profile"))
        self.reset_all_button = QPushButton(self.tr("Delete all my data…"), self)
        self.reset_all_button.setObjectName("settingsResetAll")
        self.reset_all_button.setAccessibleName(self.tr("Delete all data"))
        self.reset_all_button.clicked.connect(lambda: self.ask_reset("all"))
        self.data_progress = QProgressBar(self)
        self.data_progress.setObjectName("settingsDataProgress")
        self.data_progress.setAccessibleName(self.tr("Progress"))
        self.data_progress.setVisible(False)
        self.data_status = QLabel(self)
        self.data_status.setObjectName("settingsDataStatus")
        self.data_status.setWordWrap(True)
        data_box = QGroupBox(self.tr("Your data"), self)
        dl = QVBoxLayout(data_box)
        row1 = QHBoxLayout()
        row1.addWidget(self.export_button)
        row1.addWidget(self.import_button)
        row1.addStretch(1)
        row1.addWidget(self.reset_profile_button)
        row1.addWidget(self.reset_all_button)
        dl.addLayout(row1)
        row2 = QHBoxLayout()
        row2.addWidget(self.data_progress, 1)
        dl.addLayout(row2)
        dl.addWidget(self.data_status)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("settingsButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addWidget(replies)
        layout.addWidget(data_box)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        tasks.progress.connect(self._on_progress)
        tasks.finished.connect(self._on_data_finished)
        tasks.runningChanged.connect(lambda _r: self._update_data_buttons())
        self._show_model()
        self._update_data_buttons()
        self._scan = LibraryScan(app.home, self._settings.model_path)
        self._scan.setAutoDelete(False)
        self._scan.signals.done.connect(self._on_library, Qt.ConnectionType.QueuedConnection)
        QThreadPool.globalInstance().start(self._scan)

    @Slot(list)
    def _fill_devices(self, keys: list) -> None:
        """Only what this computer has; a saved device it lacks stays, marked, so saving
        the dialog does not change it behind the user's back."""
        current = self.device.currentData() or self._settings.device
        labels = dict(DEVICES)
        self.device.clear()
        for key in keys:
            self.device.addItem(QCoreApplication.translate("SettingsDialog", labels[key]), key)
        if self.device.findData(current) < 0:
            base = current.split(":", 1)[0]
            name = QCoreApplication.translate("SettingsDialog", labels.get(base, current))
            self.device.addItem(self.tr("{0} (not found on this computer)").format(name),
                                current)
        self.device.setCurrentIndex(max(self.device.findData(current), 0))

    # ---- model -------------------------------------------------------------
    def _show_model(self) -> None:
        self.default_button.setEnabled(self._model_path is not None)
        if self._model_path is None:
            try:
                path = embedded_model_path()
            except UserError as exc:
                self.model_path.setText("")
                self.model_info.setText(str(exc))
                return
            self.model_path.setText(self.tr("Embedded: {0}").format(path.name))
        else:
            path = Path(self._model_path)
            self.model_path.setText(str(path))
        self.model_path.setCursorPosition(0)  # show the start, not the end, of a long path
        facts = self._loaded_model
        if facts.get("path") and Path(facts["path"]).resolve() == path.resolve() and facts.get(
            "n_layer"
        ):
            self.model_info.setText(describe_model(facts))
        else:
            self.model_info.setText(self.tr("Checking the model file…"))
            self._check(str(path), accept=False)

    @Slot(list)
    def _on_library(self, rows: list) -> None:
        self.found_models.clear()
        if not rows:
            self.found_models.addItem(self.tr("No other GGUF models found on this computer"), None)
            return
        self.found_models.addItem(
            self.tr("{0} model(s) on this computer: pick one…").format(len(rows)), None)
        for r in rows:
            self.found_models.addItem(library_label(r), r["path"])
            self.found_models.setItemData(self.found_models.count() - 1, r["path"],
                                          Qt.ItemDataRole.ToolTipRole)
        self.found_models.setEnabled(True)

    @Slot(int)
    def _on_found_model(self, index: int) -> None:
        path = self.found_models.itemData(index)
        if path:
            self.set_model_path(path)

    def _check(self, path: str, *, accept: bool) -> None:
        check = ModelCheck(path, accept)
        check.setAutoDelete(False)
        self._checks[path] = check
        # A bound slot (not a lambda): Qt drops the connection if the dialog is gone.
        check.signals.done.connect(self._on_checked, Qt.ConnectionType.QueuedConnection)
        QThreadPool.globalInstance().start(check)

    @Slot(str, str, str)
    def _on_checked(self, path: str, desc: str, error: str) -> None:
        check = self._checks.pop(path, None)
        if check is None:
            return
        if check.accept:
            if error:
                show_error(self, error, self.tr("Not a usable model"))
                return
            self._model_path = path
            self.model_path.setText(path)
            self.model_path.setCursorPosition(0)
            self.default_button.setEnabled(True)
            self.modelChecked.emit(path)
        try:
            shown = self._model_path or str(embedded_model_path())
        except UserError:
            return
        if Path(shown).resolve() == Path(path).resolve():
            self.model_info.setText(desc or self.tr("Unusable: {0}").format(error))

    @Slot()
    def open_model_dialog(self) -> QFileDialog:
        start = str(Path(self._model_path).parent) if self._model_path else str(Path.home())
        dlg = QFileDialog(self, self.tr("Choose a GGUF model"), start,
                          self.tr("GGUF models (*.gguf);;All files (*)"))
        dlg.setObjectName("modelFileDialog")
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.fileSelected.connect(self.set_model_path)
        dlg.open()
        return dlg

    @Slot(str)
    def set_model_path(self, path: str | None) -> None:
        """Use `path` once it proves to be a complete GGUF model (checked off the GUI
        thread; `modelChecked` says when); None means the embedded model, at once."""
        if not path:
            self._model_path = None
            self._show_model()
            return
        self.model_info.setText(self.tr("Checking the model file…"))
        self._check(str(Path(path).expanduser().resolve()), accept=True)

    # ---- saving ------------------------------------------------------------
    def accept(self) -> None:
        s = load_settings(self._app.db)
        model_changed = (s.model_path or None) != self._model_path
        s.model_path = self._model_path
        s.device = self.device.currentData()
        threads = self.threads.value()
        model_changed = model_changed or (s.n_threads or 0) != threads
        s.n_threads = threads or None
        s.system_prompt = self.system_prompt.toPlainText()
        s.temperature = round(self.temperature.value(), 2)
        s.max_tokens = self.max_tokens.value()
        model_changed = model_changed or s.n_ctx != self.n_ctx.value()
        s.n_ctx = self.n_ctx.value()
        try:
            save_settings(self._app.db, s)
        except USER_ERRORS as exc:
            show_error(self, str(exc), self.tr("Cannot save the settings"))
            return
        self._app.reload_settings()
        self.settingsSaved.emit(model_changed)
        super().accept()

    # ---- export / import / reset -------------------------------------------
    def _update_data_buttons(self) -> None:
        on = not self._tasks.running
        for b in (self.export_button, self.import_button, self.reset_profile_button,
                  self.reset_all_button):
            b.setEnabled(on)
        self.data_progress.setVisible(self._tasks.running)
        # No cancel: an import is all-or-nothing and a reset must not stop half-way.

    @Slot()
    def open_export_dialog(self) -> QFileDialog:
        name = f"voice-assistant-{date.today():%Y%m%d}.zip"
        dlg = QFileDialog(self, self.tr("Export everything"), str(Path.home() / name),
                          self.tr("Archives (*.zip);;All files (*)"))
        dlg.setObjectName("exportFileDialog")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.fileSelected.connect(lambda p: self.start_export(Path(p)))
        dlg.open()
        return dlg

    @Slot()
    def open_import_dialog(self) -> QFileDialog:
        dlg = QFileDialog(self, self.tr("Import"), str(Path.home()),
                          self.tr("Archives and ChatGPT exports (*.zip *.json);;All files (*)"))
        dlg.setObjectName("importFileDialog")
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.fileSelected.connect(lambda p: self.start_import(Path(p)))
        dlg.open()
        return dlg

    def _run(self, action: str, make_task: Callable[[], object], note: str) -> None:
        task = guarded(self, make_task)
        if task is None:
            return
        self._running_action = action
        self.data_progress.setRange(0, 0)
        self.data_status.setText(note)
        if guarded(self, self._tasks.start, task) is None and not self._tasks.running:
            self._running_action = ""
        self._update_data_buttons()

    def start_export(self, path: Path) -> None:
        svc = self._data
        self._run("export", lambda: lambda progress, _c: svc.export(path, _phases(progress))
                  .as_dict(), self.tr("Exporting to {0}…").format(path))

    def start_import(self, path: Path) -> None:
        if self._model_busy():
            show_error(self, self.tr("Stop the reply being written first, then import."),
                       self.tr("Busy"))
            return
        svc = self._data
        self._run("import", lambda: lambda progress, _c: svc.import_file(
            path, "merge", _phases(progress)).as_dict(),
            self.tr("Importing {0}…").format(path.name))

    def ask_reset(self, scope: str) -> None:
        if self._model_busy():
            show_error(self, self.tr("Stop the reply being written first, then reset."),
                       self.tr("Busy"))
            return
        summary = guarded(self, self._data.reset_summary, scope)
        if summary is None:
            return
        profile = scope == "profile"
        title = self.tr("Reset the profile") if profile else self.tr("Delete all your data")
        confirm(
            self, title, summary,
            lambda: self._run("reset", lambda: lambda progress, _c: self._data.reset(
                scope, _phases(progress)).as_dict(), self.tr("Deleting…")),
            yes_text=self.tr("Reset profile") if profile else self.tr("Delete everything"),
            informative=self.tr("Deleted data is overwritten in the database file, not just "
                                "hidden."),
            destructive=True,
        )

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.data_progress.setRange(0, max(total, 1))
        self.data_progress.setValue(min(done, max(total, 1)))
        if message:
            self.data_status.setText(message)

    def _action_name(self, action: str) -> str:
        """The action as the data status line names it: Export, Import or Reset."""
        names = {"export": self.tr("Export"), "import": self.tr("Import"),
                 "reset": self.tr("Reset")}
        return names.get(action, action.capitalize())

    @Slot(dict)
    def _on_data_finished(self, result: dict) -> None:
        action, self._running_action = self._running_action, ""
        status = result.get("status")
        if status == "cancelled":
            self.data_status.setText(self.tr("{0} cancelled; nothing was changed.").format(
                self._action_name(action)))
        elif status == "error":
            self.data_status.setText(self.tr("{0} failed.").format(self._action_name(action)))
        elif action == "export":
            self.data_status.setText(self.tr("Exported to {0}.").format(result.get("path", "")))
            show_info(self, self.tr("Everything was exported to\n{0}").format(
                result.get("path", "")), self.tr("Export"))
        elif action == "import":  # the main window refreshes every panel
            self.data_status.setText(import_summary(result))
        elif action == "reset":
            self.data_status.setText(
                self.tr("Your profile was reset.") if result.get("scope") == "profile"
                else self.tr("All your data was deleted."))
        self._update_data_buttons()


def import_summary(result: dict) -> str:
    """What an import did, in one sentence: what was added and what was already here."""
    translate = QCoreApplication.translate
    added, skipped = result.get("added") or {}, result.get("skipped") or {}
    names = [("conversations", translate("SettingsDialog", "{0} conversation(s)")),
             ("messages", translate("SettingsDialog", "{0} message(s)")),
             ("writing_samples", translate("SettingsDialog", "{0} writing sample(s)")),
             ("settings", translate("SettingsDialog", "{0} setting(s)"))]
    parts = [label.format(added[key]) for key, label in names if added.get(key)]
    source = (translate("SettingsDialog", "the ChatGPT export") if result.get("source") == "chatgpt"
              else translate("SettingsDialog", "the archive"))
    text = (translate("SettingsDialog", "Imported from {0}: {1}.").format(source, ", ".join(parts))
            if parts else translate("SettingsDialog", "Nothing new in {0}.").format(source))
    already = [label.format(skipped[key]) for key, label in names if skipped.get(key)]
    if already:
        text += " " + translate("SettingsDialog", "Already here, so skipped: {0}.").format(
            ", ".join(already))
    return text


def _phases(progress: Callable[[int, int, str], None]) -> Callable[[str, int, int], None]:
    """The data service's (phase, done, total) as the task host's (done, total, text)."""
    return lambda phase, done, total: progress(done, total, f"{phase.capitalize()}…")
