"""The window's panels without generation: conversations, history, settings, profile,
cloud and data (export / reset) flows, shortcuts, accessibility, geometry, errors.

Each test gets a fresh data folder and a window that does not load the model (the
model thread still runs, so every flow goes through the real workers).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gui_helpers import (
    StallMeter,
    click_box,
    close_window,
    make_window,
    screenshot,
    store_profile,
    with_texts_meta,
)
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
)

from assistant.chat.conversations import ChatService
from assistant.local_models.choice import embedded_model_path
from assistant.settings import load_settings, update_setting
from assistant.writing.history import HistoryService
from ui.app import freeze_gc
from ui.widgets.chat_view import MessageBubble
from ui.widgets.personalization_panel import profile_state
from ui.widgets.settings_dialog import SettingsDialog
from ui.workers import TaskHost

pytestmark = pytest.mark.gui


def _conversation(chat: ChatService, title: str, text: str) -> int:
    turn = chat.begin_turn(None, text, model_name="test")
    chat.rename(turn.conversation_id, title)
    return turn.conversation_id


def test_conversations_new_rename_delete_search(window, qtbot, wait_box):
    chat = window.chat
    a = _conversation(chat, "Trip to Lisbon", "Which trams go to Belém?")
    b = _conversation(chat, "Budget review", "Sum up the Q3 numbers.")
    window.conversations.refresh()
    lst = window.conversations.list
    assert lst.count() == 2

    # Select shows the stored messages.
    lst.setCurrentRow([lst.item(i).text() for i in range(2)].index("Trip to Lisbon"))
    assert window.conversation_id == a
    assert window.chat_view.bubbles()[0].text == "Which trams go to Belém?"

    # Ctrl+F focuses the search; typing filters (titles and message text).
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.conversations.search.hasFocus()
    QTest.keyClicks(window.conversations.search, "q3 numbers")
    qtbot.waitUntil(lambda: lst.count() == 1, timeout=3000)
    assert lst.item(0).text() == "Budget review"
    window.conversations.search.clear()
    qtbot.waitUntil(lambda: lst.count() == 2, timeout=3000)

    # Rename in place.
    window.conversations.select(b)
    item = lst.currentItem()
    item.setText("Budget review 2026")
    assert next(c for c in chat.list_conversations() if c.id == b).title == "Budget review 2026"
    # An empty title is refused with the service's sentence, and the old one comes back.
    item = lst.currentItem()
    item.setText("   ")
    box = wait_box("errorBox")
    assert "needs a title" in box.text()
    box.accept()
    assert lst.currentItem().text() == "Budget review 2026"

    # Delete asks first; Cancel keeps it, Delete removes it.
    window.conversations.select(b)
    window.conversations.delete_button.click()
    box = wait_box("confirmBox")
    assert "Budget review 2026" in box.text()
    click_box(box, "confirmNo")
    assert len(chat.list_conversations()) == 2
    window.conversations.delete_button.click()
    click_box(wait_box("confirmBox"), "confirmYes")
    assert [c.id for c in chat.list_conversations()] == [a]
    assert window.conversation_id is None and window.chat_view.bubbles() == []

    # Ctrl+N: a new, empty chat with the cursor in the input.
    window.conversations.select(a)
    window.show_conversation(a)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.conversation_id is None and lst.currentItem() is None
    assert window.chat_view.input.hasFocus()


def _drop(widget, paths: list[Path]) -> None:
    """Drag files over the widget and drop them, as the window system would."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    try:  # PySide6 6.11 takes a QPoint here, later versions a QPointF
        enter = QDragEnterEvent(QPoint(10, 10), *args)
    except TypeError:
        enter = QDragEnterEvent(QPointF(10, 10), *args)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the panel refused the dragged files"
    QApplication.sendEvent(widget, QDropEvent(QPointF(10, 10), *args))


def test_history_list_view_edit_delete_import_and_drop(
    window, qtbot, wait_box, tmp_path, artifacts_dir
):
    history = HistoryService(window.app.db)
    sid = history.add("I tend to write short sentences. Then I stop.", source="draft")
    panel = window.history_panel
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    assert panel.list.topLevelItemCount() == 1 and "1 writing sample" in panel.count_label.text()

    # View and edit.
    panel.list.setCurrentItem(panel.list.topLevelItem(0))
    assert panel.editor.toPlainText().startswith("I tend to write")
    assert not panel.save_button.isEnabled()
    panel.editor.setPlainText("I write short sentences. Always.")
    panel.save_button.click()
    assert history.get(sid).text == "I write short sentences. Always."

    # Import with the button (the real file dialog).
    notes = tmp_path / "notes.md"
    notes.write_text("# Weekend\nWe walked to the lake and back.", encoding="utf-8")
    dlg = panel.open_import_dialog()
    assert isinstance(dlg, QFileDialog) and dlg.isVisible()
    dlg.selectFile(str(notes))
    dlg.accept()
    qtbot.waitUntil(lambda: history.count() == 2, timeout=3000)
    assert history.list("file")[0].source_ref == "notes.md"

    # Drag and drop two files at once.
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("First letter to Ana.", encoding="utf-8")
    two.write_text("Second letter to Ana.", encoding="utf-8")
    _drop(panel, [one, two])
    assert history.count() == 4 and panel.list.topLevelItemCount() == 4

    # A binary file is refused with a sentence, and nothing of the drop is imported.
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\x00\x00data")
    _drop(panel, [one, binary])
    box = wait_box("errorBox")
    assert "Nothing was imported" in box.text() and "photo.txt" in box.text()
    box.accept()
    assert history.count() == 4
    screenshot(window, artifacts_dir, "history")

    # Delete asks first.
    panel.list.setCurrentItem(panel.list.topLevelItem(0))
    doomed = panel._current.id
    panel.delete_button.click()
    click_box(wait_box("confirmBox"), "confirmYes")
    assert history.count() == 3 and doomed not in [s.id for s in history.list()]
    assert "3 writing sample" in panel.count_label.text()


def test_settings_model_picker_device_threads(window, qtbot, wait_box, tmp_path, artifacts_dir):
    dlg = window.open_settings()
    assert isinstance(dlg, SettingsDialog) and dlg.isVisible()
    assert dlg.data_folder.isReadOnly() and dlg.data_folder.text() == str(window.app.home)
    assert dlg.model_path.text().startswith("Embedded:")
    # no model loaded in this window: the file is checked on the thread pool
    qtbot.waitUntil(lambda: "layers" in dlg.model_info.text(), timeout=30_000)
    screenshot(dlg, artifacts_dir, "settings")

    # A file that is not a model is refused with the reason.
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model at all")
    picker = dlg.open_model_dialog()
    picker.selectFile(str(fake))
    picker.accept()
    box = wait_box("errorBox")
    assert "not a GGUF model" in box.text()
    box.accept()
    assert dlg.model_path.text().startswith("Embedded:")

    # A real GGUF is accepted and described.
    model = embedded_model_path()
    with qtbot.waitSignal(dlg.modelChecked, timeout=30_000):
        dlg.set_model_path(str(model))
    assert dlg.model_path.text() == str(model.resolve()) and "30 layers" in dlg.model_info.text()
    dlg.device.setCurrentIndex(dlg.device.findData("cpu"))
    dlg.threads.setValue(1)
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    s = load_settings(window.app.db)
    assert (s.model_path, s.device, s.n_threads) == (str(model.resolve()), "cpu", 1)
    assert "Device: CPU" in window.device_label.text()


def test_model_that_fails_to_load_shows_a_message_not_a_traceback(
    gui_app, qtbot, app, wait_box, tmp_path
):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    update_setting(app.db, "model_path", str(broken))
    app.reload_settings()
    w = make_window(app, load_model=True)
    try:
        box = wait_box("errorBox", timeout=30_000)
        assert "broken.gguf" in box.text() and "Traceback" not in box.text()
        box.accept()
        # Sending now fails the same way; the message is not lost and nothing is stored.
        w.chat_view.input.setPlainText("Are you there?")
        w.chat_view.send_button.click()
        assert w.chat_view.input_text() == ""
        box = wait_box("errorBox", timeout=30_000)
        assert "broken.gguf" in box.text()
        box.accept()
        qtbot.waitUntil(lambda: not w.model.busy)
        assert w.chat_view.input_text() == "Are you there?"
        assert w.chat_view.bubbles() == [] and w.chat.list_conversations() == []
    finally:
        close_window(w)


def test_profile_panel_shows_edits_and_switches_the_profile(window, qtbot, artifacts_dir):
    store_profile(window.app)
    panel = window.personalization
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    assert panel.method.currentData() == "steerx"
    assert "Short, direct sentences" in panel.description.toPlainText()
    assert "honestly" in panel.tokens_label.text()
    assert "from 6 writing sample" in panel.model_label.text()
    assert panel.strength_value.text() == "1.50"
    assert window.personalization_label.text() == "Personalization: SteerX"
    assert "Your profile uses 6" in window.history_panel.count_label.text()
    screenshot(window, artifacts_dir, "personalization")

    # Edit the description: stored, and kept by the next build.
    panel.description.setPlainText("Warm, brief, a little dry.")
    assert panel.save_description.isEnabled()
    panel.save_description.click()
    state = profile_state(window.app, panel.profiles, "steerx")
    assert state.description == "Warm, brief, a little dry."
    assert panel.profiles.get("steerx").description_edited

    # Strength: moving the slider previews it; "Use this strength" saves it.
    panel.strength.setValue(250)
    panel.strength.sliderReleased.emit()
    assert not panel.use_strength.isHidden()
    assert profile_state(window.app, panel.profiles, "steerx").strength == pytest.approx(1.5)
    qtbot.waitUntil(lambda: not panel._previewing, timeout=120_000)
    panel.use_strength.click()
    assert panel.use_strength.isHidden()
    assert profile_state(window.app, panel.profiles, "steerx").strength == pytest.approx(2.5)

    # Off and on again; a method never built says so instead of failing.
    panel.method.setCurrentIndex(panel.method.findData("none"))
    panel.method.activated.emit(panel.method.currentIndex())
    assert window.personalization_label.text() == "Personalization: off"
    panel.method.setCurrentIndex(panel.method.findData("stylevector"))
    panel.method.activated.emit(panel.method.currentIndex())
    assert "No StyleVector profile yet" in panel.model_label.text()
    assert window.personalization_label.text() == "Personalization: off"
    panel.method.setCurrentIndex(panel.method.findData("steerx"))
    panel.method.activated.emit(panel.method.currentIndex())
    assert window.personalization_label.text() == "Personalization: SteerX"


def test_panel_says_which_method_is_best_for_you_and_why(window, qtbot):
    """The build's own measurement on the user's texts decides the recommendation; the
    panel says it in one sentence, and "Use it" makes chat use it."""
    HistoryService(window.app.db).add("Honestly, coffee first.", source="draft")
    store_profile(window.app, meta=with_texts_meta(0.05))
    panel = window.personalization
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    text = panel.recommendation.text()
    assert text.startswith("My texts + SteerX.")
    assert "On 5 of your texts it wrote 15 % closer to you than without it." in text
    assert not panel.use_recommended.isHidden()
    panel.use_recommended.click()
    assert load_settings(window.app.db).chat_method == "rag+steerx"
    assert panel.use_recommended.isHidden()
    assert window.personalization_label.text() == "Personalization: My texts + SteerX"


def test_profile_build_progress_and_cancel(window, qtbot):
    """A real build in the profile thread: progress arrives, Cancel stops it, the previous
    profile is untouched, and the window keeps running meanwhile."""
    history = HistoryService(window.app.db)
    for i in range(5):
        history.add(f"Note {i}: honestly, I keep my notes short. Coffee first, then the inbox.",
                    source="draft")
    panel = window.personalization
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    panel.method.setCurrentIndex(panel.method.findData("stylevector"))
    reports: list[tuple[int, int, str]] = []
    window.profile_tasks.progress.connect(lambda d, t, m: reports.append((d, t, m)))
    freeze_gc()  # as run_gui does: full GC pauses would count as event-loop stalls
    meter = StallMeter()
    meter.start()
    t0 = time.perf_counter()
    panel.build_button.click()
    click_s = time.perf_counter() - t0
    assert window.profile_tasks.running and panel.cancel_button.isEnabled()
    assert not panel.build_button.isEnabled()
    qtbot.waitUntil(lambda: len(reports) >= 2, timeout=180_000)
    assert panel.progress.maximum() == 1000 and panel.progress_label.text()
    with qtbot.waitSignal(window.profile_tasks.finished, timeout=180_000) as sig:
        panel.cancel_button.click()
    meter.stop()
    print(f"\nmax event-loop stall during the profile build: {meter.max_gap * 1000:.1f} ms "
          f"at {meter.max_at:.2f} s ({meter.ticks} ticks, {len(reports)} progress reports; "
          f"starting the build took {click_s * 1000:.0f} ms)")
    assert meter.max_gap < 0.1, f"the GUI thread stalled for {meter.max_gap * 1000:.0f} ms"
    assert sig.args[0]["status"] == "cancelled", sig.args[0]
    assert "Cancelled" in panel.progress_label.text()
    assert profile_state(window.app, panel.profiles, "stylevector").exists is False
    assert panel.build_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_task_host_reports_progress_and_cancels_off_the_gui_thread(gui_app, qtbot):
    """The worker the profile build runs in: progress arrives, Cancel stops it, and the
    GUI thread keeps running meanwhile."""
    import threading
    import time

    host = TaskHost("test-task")
    seen: list[tuple[int, int, str]] = []
    threads: set[str] = set()
    host.progress.connect(lambda d, t, m: seen.append((d, t, m)))

    def task(progress, cancel) -> dict:
        threads.add(threading.current_thread().name)
        for i in range(1, 1001):
            if cancel.cancelled:
                return {"status": "cancelled", "done": i - 1}
            time.sleep(0.01)
            progress(i, 1000, f"item {i}")
        return {"done": 1000}

    try:
        host.start(task)
        assert host.running
        qtbot.waitUntil(lambda: len(seen) >= 3, timeout=10_000)
        assert threading.main_thread().name not in threads
        with qtbot.waitSignal(host.finished, timeout=10_000) as sig:
            host.cancel()
        assert sig.args[0]["status"] == "cancelled" and sig.args[0]["done"] < 1000
        assert not host.running
        # Progress is throttled (at most ~20 reports a second), never one per item.
        assert len(seen) < sig.args[0]["done"]
    finally:
        assert host.stop()


def test_export_and_reset_flows_with_their_dialogs(window, qtbot, wait_box, tmp_path):
    chat = window.chat
    _conversation(chat, "Plans", "Book the train for Saturday.")
    HistoryService(window.app.db).add("My own words about trains.", source="draft")
    window.conversations.refresh()
    dlg = window.open_settings()

    # Export: the save dialog, then the archive is written off the GUI thread.
    out = tmp_path / "backup.zip"
    save = dlg.open_export_dialog()
    save.selectFile(str(out))
    with qtbot.waitSignal(window.data_tasks.finished, timeout=60_000) as sig:
        save.accept()
    assert sig.args[0]["status"] == "complete", sig.args[0]
    assert out.is_file() and out.stat().st_size > 0
    box = wait_box("infoBox")
    assert str(out) in box.text()
    box.accept()

    # Reset asks first and says what will be deleted; Cancel deletes nothing.
    dlg.reset_all_button.click()
    box = wait_box("confirmBox")
    assert "1 conversation(s)" in box.text() and "2 writing sample(s)" in box.text()
    assert "cannot be undone" in box.text()
    click_box(box, "confirmNo")
    assert len(chat.list_conversations()) == 1

    dlg.reset_all_button.click()
    with qtbot.waitSignal(window.data_tasks.finished, timeout=60_000) as sig:
        click_box(wait_box("confirmBox"), "confirmYes")
    assert sig.args[0]["status"] == "complete", sig.args[0]
    assert chat.list_conversations() == [] and HistoryService(window.app.db).count() == 0
    assert window.conversations.list.count() == 0
    assert window.history_panel.list.topLevelItemCount() == 0
    dlg.reject()


def test_every_control_has_an_accessible_name(window):
    """Screen readers need a name on each control (a button's text counts as one)."""
    kinds = (QPushButton, QCheckBox, QLineEdit, QPlainTextEdit, QComboBox, QSlider, QSpinBox,
             QListWidget)
    dlg = window.open_settings()
    missing = []
    for root in (window, dlg):
        for kind in kinds:
            for w in root.findChildren(kind):
                if w.objectName().startswith("qt_"):
                    continue  # Qt's own parts (the spin box's line edit, ...)
                text = w.text() if isinstance(w, QAbstractButton) else ""
                if not (w.accessibleName() or text):
                    missing.append(f"{type(w).__name__} {w.objectName()!r}")
    dlg.reject()
    assert not missing, missing


def test_window_geometry_is_remembered(gui_app, qtbot, app):
    w = make_window(app, load_model=False, size=None)
    # within the offscreen screen (800x600): restoreGeometry keeps a window on its screen
    w.resize(790, 560)
    w.tabs.setCurrentIndex(2)
    qtbot.waitUntil(lambda: w.size().width() == 790)
    qtbot.wait(200)  # the new tab's relayout may raise the minimum height by a few pixels
    saved = (w.width(), w.height())
    assert saved[0] == 790 and 560 <= saved[1] <= 600, saved  # not the default 1100x720
    close_window(w)
    again = make_window(app, load_model=False, size=None)
    try:
        assert (again.width(), again.height()) == saved
        assert again.tabs.currentIndex() == 2
    finally:
        again.resize(1100, 720)
        again.tabs.setCurrentIndex(0)
        close_window(again)


def test_bubbles_follow_the_palette(window):
    """No hard-coded colours: a dark palette (the system's dark mode) reaches the chat."""
    bubble = MessageBubble("assistant", "hello")
    window.chat_view._add(bubble)
    app = QApplication.instance()
    old = app.palette()
    dark = QPalette(old)
    dark.setColor(QPalette.ColorRole.AlternateBase, QColor(40, 40, 44))
    dark.setColor(QPalette.ColorRole.Base, QColor(20, 20, 22))
    try:
        app.setPalette(dark)
        QApplication.processEvents()
        assert bubble.palette().color(bubble.backgroundRole()) == QColor(40, 40, 44)
    finally:
        app.setPalette(old)


def test_a_conversation_is_shared_from_its_context_menu(window, qtbot, tmp_path):
    cid = _conversation(window.chat, "Trip to Porto", "Where do I eat francesinha?")
    window.conversations.refresh(cid)
    menu = window.conversations.context_menu()
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels == ["Rename", "Settings of this conversation…", "Export as Markdown…",
                      "Export as JSON…", "Delete…"]
    menu.deleteLater()
    out = tmp_path / "porto.md"
    shared: list[str] = []
    window.conversations.shared.connect(shared.append)
    dlg = window.conversations.open_share_dialog("md")
    assert dlg is not None and dlg.selectedFiles()[0].endswith("Trip to Porto.md")
    dlg.selectFile(str(out))
    dlg.accept()
    qtbot.waitUntil(lambda: out.exists(), timeout=5_000)
    assert out.read_text().startswith("# Trip to Porto")
    assert shared == [str(out)]
    assert "written to" in window.statusBar().currentMessage()


def test_settings_list_the_models_other_apps_downloaded(window, qtbot, tmp_path, monkeypatch,
                                                         base_model_path):
    home = tmp_path / "user"
    lms = home / ".lmstudio" / "models" / "google" / "gemma-3-270m"
    lms.mkdir(parents=True)
    (lms / "gemma-3-270m-Q4_K_M.gguf").symlink_to(base_model_path)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("HF_HOME", str(home / ".cache" / "huggingface"))
    dlg = window.open_settings()
    try:
        qtbot.waitUntil(lambda: dlg.found_models.isEnabled(), timeout=60_000)
        labels = [dlg.found_models.itemText(i) for i in range(dlg.found_models.count())]
        gemma = next(i for i, t in enumerate(labels) if "[LM Studio]" in t)
        assert "gemma3" in labels[gemma] and "Q4_K_M" in labels[gemma]
        assert "base (no chat template)" in labels[gemma]
        with qtbot.waitSignal(dlg.modelChecked, timeout=60_000):
            dlg.found_models.setCurrentIndex(gemma)
            dlg.found_models.activated.emit(gemma)
        # Used where it is (the link's target), not copied into the app's folder.
        assert Path(dlg.model_path.text()) == (lms / "gemma-3-270m-Q4_K_M.gguf").resolve()
    finally:
        dlg.reject()


def test_a_conversation_gets_its_own_instructions_and_method(window, qtbot):
    cid = _conversation(window.chat, "In German", "Guten Tag!")
    window.conversations.refresh(cid)
    dlg = window.conversations.open_settings()
    assert dlg.method.currentData() is None  # the app's choice until set
    dlg.instructions.setPlainText("Antworte auf Deutsch.")
    dlg.method.setCurrentIndex(dlg.method.findData("rag"))
    assert dlg.temperature.text() == "The app's (0.7)"  # the lowest value: the app's
    assert dlg.max_tokens.text() == "The app's (512 tokens)"
    dlg.temperature.setValue(0.2)
    dlg.max_tokens.setValue(64)
    dlg.accept()
    assert window.chat.settings_of(cid) == {"instructions": "Antworte auf Deutsch.",
                                            "method": "rag", "temperature": 0.2,
                                            "max_tokens": 64}
    again = window.conversations.open_settings()
    assert again.instructions.toPlainText() == "Antworte auf Deutsch."
    assert again.temperature.value() == 0.2 and again.max_tokens.value() == 64
    again.instructions.setPlainText("")
    again.method.setCurrentIndex(0)
    again.temperature.setValue(again.temperature.minimum())
    again.max_tokens.setValue(0)
    again.accept()
    assert window.chat.settings_of(cid) == {}


def test_a_message_is_deleted_from_its_bubble(window, qtbot, wait_box):
    chat = window.chat
    turn = chat.begin_turn(None, "Delete me, please.", model_name="test")
    for _ in chat.generate(turn, iter(["Sure."])):
        pass
    window.conversations.refresh(turn.conversation_id)
    window.show_conversation(turn.conversation_id)
    user = window.chat_view.bubbles()[0]
    assert user.role == "user" and not user.delete_button.isHidden()
    user.delete_button.click()
    click_box(wait_box("confirmBox"), "confirmYes")
    qtbot.waitUntil(lambda: len(window.chat_view.bubbles()) == 1, timeout=5_000)
    assert [m.role for m in chat.messages(turn.conversation_id)] == ["assistant"]


def test_the_reply_defaults_are_set_in_the_window(window, qtbot):
    """System prompt, temperature, reply length and context size: saved, checked, and a
    context change reloads the model."""
    dlg = window.open_settings()
    try:
        assert dlg.system_prompt.toPlainText() == window.app.settings.system_prompt
        dlg.system_prompt.setPlainText("You answer in haiku.")
        dlg.temperature.setValue(0.3)
        dlg.max_tokens.setValue(128)
        dlg.n_ctx.setValue(2048)
        with qtbot.waitSignal(dlg.settingsSaved, timeout=5_000) as saved:
            dlg.accept()
        assert saved.args == [True]  # the context changed: the model reloads
    finally:
        dlg.close()
    s = window.app.settings
    assert (s.system_prompt, s.temperature, s.max_tokens, s.n_ctx) == (
        "You answer in haiku.", 0.3, 128, 2048)
    assert window.chat.system_prompt == "You answer in haiku."
    assert window.app.sampling().max_tokens == 128


def test_the_preview_shows_the_profile_off_and_on_side_by_side(window, qtbot):
    store_profile(window.app, direction=3.0)
    panel = window.personalization
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    panel.preview_prompt.setText("Say something about rain.")
    panel.preview_button.click()
    assert not panel.preview_button.isEnabled()
    qtbot.waitUntil(lambda: panel.preview_button.isEnabled(), timeout=120_000)
    off, on = panel.preview_off.toPlainText(), panel.preview_on.toPlainText()
    assert off and on and off != on, panel.preview_status.text()
    assert "SteerX at strength 1.50" in panel.preview_status.text()
    assert "word(s) marked" in panel.preview_status.text()
    # Strength 0 previewed: the same reply as off, nothing saved until asked.
    panel.strength.setValue(0)
    panel.strength.sliderReleased.emit()
    qtbot.waitUntil(lambda: panel.preview_button.isEnabled(), timeout=120_000)
    assert panel.preview_on.toPlainText() == panel.preview_off.toPlainText()
    assert "0 word(s) marked" in panel.preview_status.text()
    assert "Not saved yet" in panel.preview_status.text()
    assert profile_state(window.app, panel.profiles, "steerx").strength == pytest.approx(1.5)
