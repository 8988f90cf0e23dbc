"""The rough edges a new user meets, on the real window (no model loaded unless a test
needs it): keyboard focus and shortcuts, editing a reply, deleting, About, the theme,
changes made by another process, Settings and the Cloud panel, and the first-run guide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from gui_helpers import close_window, find_box, make_window
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from assistant import __version__
from assistant.app import AppContext
from assistant.chat.conversations import ChatService
from assistant.settings import load_settings
from assistant.writing.history import HistoryService
from tests.conftest import REPO
from ui.main_window import GUIDE_DONE

pytestmark = pytest.mark.gui


def _exchange(app, reply: str = "To my neighbour,\nThanks for the ladder.",
              finish_reason: str = "stop") -> tuple[int, int, int]:
    """A stored exchange (conversation, user message, reply) through the chat service."""
    chat = ChatService(app.db)
    turn = chat.begin_turn(None, "Write to my neighbour, please.", model_name="SmolLM2")

    def pieces():
        yield reply
        turn.stats.finish_reason = finish_reason

    list(chat.generate(turn, pieces()))
    return turn.conversation_id, turn.user_message_id, turn.reply_message_id


def _show(window, cid: int) -> None:
    window.conversations.refresh(cid)
    window.show_conversation(cid)
    QApplication.processEvents()


def _bubble(window, message_id: int):
    return next(b for b in window.chat_view.bubbles() if b.message_id == message_id)


# ---- keyboard ----------------------------------------------------------------
def test_message_buttons_show_where_the_focus_is(window, qtbot, app):
    cid, _user, reply = _exchange(app)
    _show(window, cid)
    button = _bubble(window, reply).copy_button
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus, "Copy is out of reach of Tab"
    window.activateWindow()
    window.chat_view.input.setFocus()
    qtbot.wait(50)
    before: QImage = button.grab().toImage()
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(button.hasFocus, timeout=2000)
    after: QImage = button.grab().toImage()
    assert before != after, "a focused message button looks the same as an unfocused one"


def test_ctrl_enter_saves_the_edit_dialog(window, qtbot, app):
    cid, _user, reply = _exchange(app)
    _show(window, cid)
    dlg = window.ask_edit_reply(reply, _bubble(window, reply).text)
    assert dlg is not None
    edit = dlg.findChild(QPlainTextEdit)
    edit.setPlainText("Dear neighbour,\nThank you for the ladder. Sam")
    edit.setFocus()
    QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=3000)
    msgs = ChatService(app.db).messages(cid)
    assert msgs[1].content == "Dear neighbour,\nThank you for the ladder. Sam"
    assert msgs[1].edited and (msgs[1].version, msgs[1].n_versions) == (1, 2)
    QApplication.processEvents()  # the new bubbles show
    shown = _bubble(window, reply)
    assert "edited by you" in shown.header.text() and shown.version_label.text() == "2/2"
    assert shown.edit_button.isVisible(), "a reply has an Edit button"


def test_enter_sends_when_chosen_and_shift_enter_breaks_the_line(window, qtbot, app):
    view = window.chat_view
    sent: list[str] = []
    view.sendRequested.disconnect(window.send_message)  # this test needs no model
    view.sendRequested.connect(sent.append)
    view.input.setPlainText("first line")
    view.input.moveCursor(view.input.textCursor().MoveOperation.End)
    view.input.setFocus()
    QTest.keyClick(view.input, Qt.Key.Key_Return)
    assert sent == [] and view.input.toPlainText() == "first line\n"  # the default
    window.enter_sends_action.trigger()
    assert load_settings(app.db).enter_sends is True
    assert "Enter sends" in view.input.placeholderText()
    QTest.keyClick(view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    view.input.insertPlainText("second line")
    assert sent == []
    QTest.keyClick(view.input, Qt.Key.Key_Return)
    assert sent == ["first line\n\nsecond line"]
    window.enter_sends_action.trigger()
    assert load_settings(app.db).enter_sends is False


# ---- small things ------------------------------------------------------------
def test_deleting_a_reply_or_a_message_says_what_happens(window, qtbot, app, wait_box):
    cid, user, reply = _exchange(app)
    _show(window, cid)
    window.ask_delete_message(reply)
    box = wait_box("confirmBox")
    assert "reply" in box.text().lower()
    assert "writing history" not in box.informativeText()
    box.reject()
    qtbot.waitUntil(lambda: find_box("confirmBox") is None, timeout=3000)
    window.ask_delete_message(user)
    box = wait_box("confirmBox")
    assert "writing history" in box.informativeText()
    box.reject()


def test_about_names_the_version(window, wait_box):
    window._about()
    box = wait_box("infoBox")
    assert __version__ in box.text()
    box.accept()


def test_the_theme_is_a_stored_choice(window, qtbot, app):
    qapp = QApplication.instance()
    original = qapp.palette().color(QPalette.ColorRole.Base)
    try:
        window.theme_actions["dark"].trigger()
        QApplication.processEvents()  # the palette reaches the widgets by events
        assert load_settings(app.db).theme == "dark"
        assert window.palette().color(QPalette.ColorRole.Base).lightness() < 128
        window.theme_actions["light"].trigger()
        QApplication.processEvents()
        assert load_settings(app.db).theme == "light"
        assert window.palette().color(QPalette.ColorRole.Base).lightness() > 200
    finally:
        window.theme_actions["system"].trigger()
    assert load_settings(app.db).theme == "system"
    assert qapp.palette().color(QPalette.ColorRole.Base) == original
    assert window.theme_actions["system"].isChecked()


def test_changes_made_elsewhere_show_up_without_a_restart(window, qtbot, app, home):
    before = window.conversations.list.count()
    other = AppContext(home)  # another connection, as another process has
    try:
        _exchange(other)
    finally:
        other.close()
    env = dict(os.environ, ASSISTANT_HOME=str(home))
    r = subprocess.run([sys.executable, "-m", "assistant", "history", "add", "--text",
                        "Written in a terminal while the window was open."],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    qtbot.waitUntil(lambda: window.conversations.list.count() == before + 1, timeout=8000)
    samples = window.history_panel.list
    qtbot.waitUntil(lambda: any(
        "Written in a terminal" in samples.topLevelItem(i).text(0)
        for i in range(samples.topLevelItemCount())), timeout=8000)


def test_continue_shows_only_on_a_reply_cut_at_its_length_limit(window, app):
    cid, _u, cut = _exchange(app, "Once upon a time there was", finish_reason="length")
    _show(window, cid)
    bubble = _bubble(window, cut)
    assert bubble.continue_button.isVisible()
    assert "length limit" in bubble.header.text()
    cid2, _u2, whole = _exchange(app, "The end.")
    _show(window, cid2)
    assert not _bubble(window, whole).continue_button.isVisible()


# ---- settings and the cloud panel --------------------------------------------
def test_settings_offer_only_devices_this_computer_has(window, qtbot):
    from assistant.local_models.devices import available_devices

    have = available_devices()
    dlg = window.open_settings()
    try:
        qtbot.waitUntil(lambda: dlg.device.count() == len(have), timeout=60_000)
        offered = [dlg.device.itemData(i) for i in range(dlg.device.count())]
        assert offered == have
        assert offered[:2] == ["auto", "cpu"]
        import torch

        if not torch.cuda.is_available():
            assert "cuda" not in offered or "cuda" in have
        if sys.platform != "darwin":
            assert "mps" not in offered
    finally:
        dlg.reject()


def test_settings_import_says_what_it_added(window, qtbot, tmp_path):
    source = AppContext(tmp_path / "elsewhere")
    try:
        _exchange(source)
        HistoryService(source.db).add("A letter I wrote last spring.")
        from assistant.data import DataService

        archive = tmp_path / "backup.zip"
        DataService.for_app(source).export(archive)
    finally:
        source.close()
    dlg = window.open_settings()
    try:
        dlg.start_import(archive)
        qtbot.waitUntil(lambda: "Imported" in dlg.data_status.text(), timeout=60_000)
        text = dlg.data_status.text()
        assert "1 conversation(s)" in text and "2 message(s)" in text, text
        assert "writing sample(s)" in text
    finally:
        dlg.reject()


def test_cloud_test_uses_the_fields_as_typed_before_save(window, qtbot, app):
    panel = window.cloud_panel
    assert "No key stored" in panel.api_key.placeholderText()
    panel.endpoint.setText("http://127.0.0.1:9/v1")  # nothing listens there
    panel.model.setText("remote-test-model")
    panel.test_button.click()
    assert "Enter the endpoint" not in panel.status_label.text()
    qtbot.waitUntil(lambda: panel.test_button.isEnabled(), timeout=120_000)
    assert "The check failed" in panel.status_label.text(), panel.status_label.text()
    assert "127.0.0.1:9" in panel.status_label.text() or "connect" in \
        panel.status_label.text().lower()
    s = load_settings(app.db)
    assert s.cloud_url is None and s.cloud_model is None, "a test must not save"
    assert panel.endpoint.text() == "http://127.0.0.1:9/v1", "the typed fields were reset"


# ---- the first-run guide -----------------------------------------------------
@pytest.fixture
def first_run(gui_app, qtbot, app, home, model_path):
    """A first start: the guide not yet seen, and a second GGUF in the app's models folder."""
    QSettings().setValue(GUIDE_DONE, False)
    (home / "models").mkdir(parents=True, exist_ok=True)
    other = home / "models" / "my-other-model.gguf"
    try:
        os.link(model_path, other)
    except OSError:
        shutil.copy(model_path, other)
    w = make_window(app, load_model=False, size=(800, 600))
    qtbot.waitExposed(w)
    yield w, other
    close_window(w)


def test_the_first_run_guide_walks_through_model_writing_and_profile(first_run, qtbot, app):
    w, other = first_run
    guide = w.guide
    assert guide.isVisible(), "a first start shows the guide"
    assert "demonstration" in guide.model_text.text()
    # It never blocks chatting: the chat is there and takes text meanwhile.
    assert w.tabs.currentIndex() == 0 and w.chat_view.input.isEnabled()
    w.chat_view.input.setPlainText("typing while the guide is open")
    assert w.chat_view.send_button.isEnabled()
    # Step 1: the models on this computer, one click to use one.
    qtbot.waitUntil(lambda: guide.models.count() >= 2, timeout=60_000)
    labels = [guide.models.item(i).text() for i in range(guide.models.count())]
    assert any("built in" in t for t in labels)
    row = next(i for i in range(guide.models.count())
               if guide.models.item(i).data(Qt.ItemDataRole.UserRole) == str(other))
    guide.models.setCurrentRow(row)
    guide.use_model_button.click()
    assert load_settings(app.db).model_path == str(other)
    assert "loading" in w.model_label.text()
    # Step 2: your writing.
    guide.next_button.click()
    assert "step 2 of 3" in guide.title.text()
    n = HistoryService(app.db).count()
    guide.sample.setPlainText("Dear Ana, the garden is finally green again. Love, Sam")
    guide.add_button.click()
    assert HistoryService(app.db).count() == n + 1
    assert f"{n + 1} text(s)" in guide.samples_label.text()
    # Step 3: the profile, built in the background.
    guide.next_button.click()
    assert "step 3 of 3" in guide.title.text() and guide.build_button.isEnabled()
    assert "background" in guide.profile_text.text()
    guide.next_button.click()  # Done
    assert not guide.isVisible()
    assert QSettings().value(GUIDE_DONE, False, type=bool)
    w.guide_action.trigger()  # Help → Getting started
    assert guide.isVisible() and "step 1 of 3" in guide.title.text()
    guide.skip_button.click()
    assert not guide.isVisible()


def test_a_later_start_does_not_show_the_guide(gui_app, qtbot, app):
    QSettings().setValue(GUIDE_DONE, True)
    w = make_window(app, load_model=False)
    try:
        qtbot.waitExposed(w)
        assert not w.guide.isVisible()
    finally:
        close_window(w)


def test_an_empty_reply_left_by_a_crash_says_stopped_and_can_be_deleted(window, app):
    """A reply row a killed process left empty is not "writing…" for ever."""
    chat = ChatService(app.db)
    turn = chat.begin_turn(None, "Hello?", model_name="SmolLM2")  # then the process died
    _show(window, turn.conversation_id)
    bubble = _bubble(window, turn.reply_message_id)
    assert "stopped" in bubble.header.text() and "writing" not in bubble.header.text()
    window.delete_message(turn.reply_message_id)
    assert [m.role for m in chat.messages(turn.conversation_id)] == ["user"]


def test_the_context_meter_belongs_to_the_conversation_it_measured(window, app):
    first, _u, _r = _exchange(app)
    second, _u2, _r2 = _exchange(app)
    _show(window, first)
    window.meters.start(900, 4096, 512)  # as a reply in the first conversation began
    window.meters.finish(30.0)
    assert window.meters.context.isVisibleTo(window)
    _show(window, second)
    assert not window.meters.context.isVisibleTo(window), "the first one's fill stayed"
