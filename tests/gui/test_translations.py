"""The window's strings are translatable: a translation built with Qt's own tools changes
what the widgets say, and the template lists the strings of every panel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ui.app import TRANSLATIONS, install_translations

pytestmark = pytest.mark.gui

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context><name>ChatView</name>
<message><source>Send</source><translation>Senden</translation></message>
</context>
</TS>
"""


def test_a_translation_reaches_the_widgets(qtbot, tmp_path):
    from PySide6.QtWidgets import QApplication

    from ui.widgets.chat_view import ChatView

    (tmp_path / "voice_assistant_de.ts").write_text(TS, encoding="utf-8")
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(tmp_path / "voice_assistant_de.ts")], check=True,
                   capture_output=True)
    app = QApplication.instance()
    assert install_translations(app, tmp_path, locale="de_DE")
    try:
        view = ChatView()
        qtbot.addWidget(view)
        assert view.send_button.text() == "Senden"
    finally:
        from ui import app as ui_app

        for tr in ui_app._translators:
            app.removeTranslator(tr)
        ui_app._translators.clear()
    assert ChatView().send_button.text() == "Send"
    assert not install_translations(app, tmp_path, locale="fr_FR")  # none: English stays


def test_the_template_holds_the_strings_of_every_panel():
    template = (TRANSLATIONS / "voice_assistant.ts").read_text(encoding="utf-8")
    for context in ("ChatView", "CloudPanel", "ConversationList", "DraftPane", "HistoryPanel",
                    "PersonalizationPanel", "SettingsDialog", "MainWindow"):
        assert f"<name>{context}</name>" in template, context
