"""The main window's frame: the menus and shortcuts, the status bar (the model, the
device, personalization, the cloud, the live meters), the theme and the Enter key, and the
geometry kept between sessions.

`FrameMixin` is part of `ui.main_window.MainWindow`. Its texts are translated in the
window's context ("MainWindow").
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QCoreApplication, QSettings, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from assistant.settings import update_setting
from ui.dialogs import guarded
from ui.tabs import TAB_CHAT
from ui.theme import THEMES, apply_theme
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.meters import LiveMeters

translate = QCoreApplication.translate  # (context, text): lupdate reads these calls

DEVICE_LABELS = {"auto": QT_TRANSLATE_NOOP("MainWindow", "auto"), "cpu": "CPU", "cuda": "CUDA",
                 "mps": "Metal"}


class FrameMixin:
    """The frame half of the main window (see the module's docstring)."""

    # ---- menus, shortcuts and the status bar -------------------------------
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
        file_menu = self.menuBar().addMenu(translate("MainWindow", "&File"))
        self.new_action = QAction(translate("MainWindow", "&New chat"), self)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_action.triggered.connect(self.new_chat)
        file_menu.addAction(self.new_action)
        self.settings_action = QAction(translate("MainWindow", "&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        quit_action = QAction(translate("MainWindow", "&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu(translate("MainWindow", "&Edit"))
        self.find_action = QAction(translate("MainWindow", "&Find conversations"), self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self.focus_search)
        edit_menu.addAction(self.find_action)
        view_menu = self.menuBar().addMenu(translate("MainWindow", "&View"))
        theme_menu = view_menu.addMenu(translate("MainWindow", "&Theme"))
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        names = {"system": translate("MainWindow", "Follow the &system"),
                 "light": translate("MainWindow", "&Light"),
                 "dark": translate("MainWindow", "&Dark")}
        for key in THEMES:
            act = QAction(names[key], self, checkable=True)
            act.setObjectName(f"theme_{key}")
            act.triggered.connect(lambda _c=False, k=key: self.choose_theme(k))
            group.addAction(act)
            theme_menu.addAction(act)
            self.theme_actions[key] = act
        self.enter_sends_action = QAction(translate("MainWindow", "&Enter sends the message"),
                                          self, checkable=True)
        self.enter_sends_action.setObjectName("enterSendsAction")
        self.enter_sends_action.setToolTip(translate(
            "MainWindow", "Enter sends and Shift+Enter starts a new line; off: Ctrl+Enter sends."))
        self.enter_sends_action.toggled.connect(self.set_enter_sends)
        view_menu.addAction(self.enter_sends_action)
        help_menu = self.menuBar().addMenu(translate("MainWindow", "&Help"))
        self.guide_action = QAction(translate("MainWindow", "&Getting started"), self)
        self.guide_action.setObjectName("guideAction")
        self.guide_action.triggered.connect(self.show_guide)
        help_menu.addAction(self.guide_action)
        about = QAction(translate("MainWindow", "&About"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

        self.send_shortcuts = [
            QShortcut(QKeySequence(seq), self, activated=self.send_from_input)
            for seq in ("Ctrl+Return", "Ctrl+Enter")
        ]
        self.stop_shortcut = QShortcut(QKeySequence("Esc"), self, activated=self.stop)

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
            src = translate("MainWindow", " (embedded)") if f.get("source") == "embedded" else ""
            self.model_label.setText(
                translate("MainWindow", "Model: {0}{1}").format(f["name"], src))
            self.model_label.setToolTip(f.get("path", ""))
            engine = "GPU" if f.get("gpu_offload") else "CPU"
        else:
            engine = ""
            if not self.model_label.text():
                self.model_label.setText(translate("MainWindow", "Model: not loaded yet"))
        device = self.app.settings.device
        if device in DEVICE_LABELS:
            device = translate("MainWindow", DEVICE_LABELS[device])
        self.device_label.setText(
            translate("MainWindow", "Device: {0}").format(device)
            + (translate("MainWindow", " · chat on {0}").format(engine) if engine else "")
        )
        self.personalization_label.setText(
            translate("MainWindow", "Personalization: {0}").format(
                self.personalization.active_label)
        )
        self.cloud_label.setText(
            translate("MainWindow", "Cloud: on") if self.cloud_panel.cloud_on
            else translate("MainWindow", "Cloud: off"))

    # ---- theme and keyboard ------------------------------------------------
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
