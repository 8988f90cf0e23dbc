"""The window with the real model: streaming, stop, regenerate, copy, drafting, the cloud
preview, and the event-loop stall measurement.

One window (and one loaded model) serves the whole module: loading the model per test
would cost more than the tests themselves. Each test starts its own chat.
"""

from __future__ import annotations

import re

import pytest
from gui_helpers import (
    StallMeter,
    close_window,
    make_window,
    screenshot,
    store_profile,
    wait_until,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from assistant import method_registry as methods
from assistant.app import AppContext
from assistant.chat.conversations import ChatService
from assistant.writing.history import HistoryService
from ui.app import freeze_gc

pytestmark = pytest.mark.gui

GEN_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def model_window(gui_app, tmp_path_factory):
    ctx = AppContext(tmp_path_factory.mktemp("gui-home"))
    w = make_window(ctx, load_model=True, sampling={"seed": 11, "max_tokens": 40})
    assert wait_until(lambda: bool(w._model_facts), 180), "the model did not load"
    freeze_gc()  # as run_gui does: full GC pauses would count as event-loop stalls
    yield w
    close_window(w)
    ctx.close()


@pytest.fixture
def win(model_window, qtbot):
    """The shared window, on a new chat, idle, with the default test sampling."""
    w = model_window
    qtbot.waitUntil(lambda: not w.model.busy, timeout=GEN_TIMEOUT_MS)
    w.sampling.update(seed=11, max_tokens=40)
    w.new_chat()
    return w


def send(w, qtbot, text: str) -> None:
    """Type `text` and press Ctrl+Enter, as the user does."""
    w.tabs.setCurrentIndex(0)
    w.chat_view.input.setPlainText(text)
    w.chat_view.input.setFocus()
    QTest.keyClick(w.chat_view.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert w.model.busy, "Ctrl+Enter did not send"


def test_send_streams_reply_and_stores_conversation(win, qtbot, artifacts_dir):
    chat = ChatService(win.app.db)
    samples_before = HistoryService(win.app.db).count()
    seen: list[str] = []
    win.model.token.connect(seen.append)
    grew: list[int] = []

    def watch() -> None:
        if win.chat_view.streaming:
            grew.append(len(win.chat_view.stream_text()))

    win.model.token.connect(watch)
    try:
        send(win, qtbot, "Say hello and tell me one fact about the sea.")
        assert win.chat_view.input_text() == ""
        assert win.chat_view.stop_button.isEnabled() and not win.chat_view.send_button.isEnabled()
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    finally:
        win.model.token.disconnect(seen.append)
        win.model.token.disconnect(watch)

    assert len(seen) >= 3, "tokens were not streamed one by one"
    assert len(set(grew)) >= 2, "the reply did not grow on screen while streaming"
    cid = win.conversation_id
    assert cid is not None
    msgs = chat.messages(cid)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert msgs[0].content == "Say hello and tell me one fact about the sea."
    assert msgs[1].status == "complete" and msgs[1].content == "".join(seen)
    bubbles = win.chat_view.bubbles()
    assert [b.role for b in bubbles] == ["user", "assistant"]
    assert bubbles[1].text == msgs[1].content
    assert win.conversations.current_id() == cid
    assert HistoryService(win.app.db).count() == samples_before + 1  # the user's own words
    assert "Model:" in win.model_label.text() and "loading" not in win.model_label.text()
    assert win.chat_view.send_button.isEnabled()
    screenshot(win, artifacts_dir, "chat")


def test_stop_keeps_partial_reply(win, qtbot):
    win.sampling.update(max_tokens=300)
    tokens: list[str] = []
    win.model.token.connect(tokens.append)
    try:
        send(win, qtbot, "Write a long story about a lighthouse keeper and a storm.")
        qtbot.waitUntil(lambda: len(tokens) >= 4, timeout=GEN_TIMEOUT_MS)
        QTest.keyClick(win, Qt.Key.Key_Escape)  # Esc stops
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    finally:
        win.model.token.disconnect(tokens.append)
    msgs = ChatService(win.app.db).messages(win.conversation_id)
    reply = msgs[-1]
    assert reply.role == "assistant" and reply.status == "partial"
    assert reply.content and reply.content == "".join(tokens)
    assert len(tokens) < 300
    last = win.chat_view.bubbles()[-1]
    assert "partial" in last.header.text() and last.text == reply.content


def test_copy_and_regenerate_last_reply(win, qtbot):
    chat = ChatService(win.app.db)
    send(win, qtbot, "Name three colours.")
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    cid = win.conversation_id
    first = chat.messages(cid)
    samples = HistoryService(win.app.db).count()

    first_bubble, last = win.chat_view.bubbles()
    # isHidden: new bubbles are shown by the layout on the next event-loop turn
    assert not last.regenerate_button.isHidden()
    assert first_bubble.regenerate_button.isHidden()
    last.copy_button.click()
    assert QGuiApplication.clipboard().text() == first[-1].content

    win.sampling.update(seed=12)
    last.regenerate_button.click()
    assert win.model.busy
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    again = chat.messages(cid)
    assert [m.role for m in again] == ["user", "assistant"]  # replaced, not appended
    assert again[0].content == first[0].content
    # a new reply row (SQLite may reuse the freed id, so compare the creation time)
    assert again[1].created_at > first[1].created_at and again[1].status == "complete"
    assert HistoryService(win.app.db).count() == samples  # no second sample of the same words
    assert [b.text for b in win.chat_view.bubbles()] == [m.content for m in again]
    # The replaced reply is a version to step back to.
    reply = win.chat_view.bubbles()[-1]
    assert not reply.prev_button.isHidden() and reply.version_label.text() == "2/2"
    reply.prev_button.click()
    assert chat.messages(cid)[-1].content == first[-1].content
    assert win.chat_view.bubbles()[-1].version_label.text() == "1/2"
    assert win.chat_view.bubbles()[-1].text == first[-1].content


def test_edit_a_message_and_regenerate_an_earlier_reply_in_branches(win, qtbot):
    chat = ChatService(win.app.db)
    send(win, qtbot, "Name a fruit.")
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    send(win, qtbot, "Name a colour.")
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    cid = win.conversation_id
    original = [(m.role, m.content) for m in chat.messages(cid)]
    bubbles = win.chat_view.bubbles()
    # Both can be edited: a message in a branch, a reply as a new version of itself.
    assert not bubbles[0].edit_button.isHidden() and not bubbles[1].edit_button.isHidden()
    assert not bubbles[1].regenerate_button.isHidden()  # an earlier reply too

    dlg = win.ask_edit_message(bubbles[0].message_id, bubbles[0].text)
    assert dlg.textValue() == "Name a fruit."
    dlg.setTextValue("Name a vegetable.")
    dlg.accept()
    assert win.model.busy
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    branch = win.conversation_id
    assert branch != cid
    assert [m.content for m in chat.messages(branch)][0] == "Name a vegetable."
    assert [b.text for b in win.chat_view.bubbles()] == [m.content for m in
                                                         chat.messages(branch)]
    assert [(m.role, m.content) for m in chat.messages(cid)] == original

    win.conversations.select(cid)
    win.show_conversation(cid)
    earlier = win.chat_view.bubbles()[1]
    win.sampling.update(seed=5)
    earlier.regenerate_button.click()
    assert win.model.busy
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    second = win.conversation_id
    assert second not in (cid, branch)
    msgs = chat.messages(second)
    assert [m.role for m in msgs] == ["user", "assistant"] and msgs[1].n_versions == 2
    assert win.chat_view.bubbles()[-1].version_label.text() == "2/2"
    assert [(m.role, m.content) for m in chat.messages(cid)] == original


def test_draft_actions_stream_stop_and_save_as_writing(win, qtbot, artifacts_dir):
    from assistant.chat.drafting import clean_result

    pane = win.draft
    win.tabs.setCurrentWidget(pane)
    pane.new_draft()
    pane.set_text(
        "hey team, the launch moved to friday because the venue double booked us. "
        "sorry for the mess, drinks are on me next week."
    )
    tokens: list[str] = []
    win.model.token.connect(tokens.append)
    try:
        pane.action_buttons["formal"].click()
        assert win.model.busy and pane.stop_button.isEnabled()
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
        # Only the rewritten text: a preamble or quotes around it are dropped.
        assert tokens and pane.suggestion() == clean_result("".join(tokens))
        screenshot(win, artifacts_dir, "draft")
        pane.use_button.click()
        assert pane.text() == clean_result("".join(tokens))

        # "continue" appends; Stop keeps what was written so far.
        tokens.clear()
        win.sampling.update(max_tokens=300)
        before = pane.text()
        pane.action_buttons["continue"].click()
        qtbot.waitUntil(lambda: len(tokens) >= 3, timeout=GEN_TIMEOUT_MS)
        pane.stop_button.click()
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    finally:
        win.model.token.disconnect(tokens.append)
    assert 3 <= len(tokens) < 300
    assert pane.suggestion() and pane.use_button.text() == "Append to draft"
    pane.use_button.click()
    assert pane.text().startswith(before) and len(pane.text()) > len(before)

    # The final text is the user's writing: saved once, then updated in place.
    pane.save_button.click()
    sid = pane.sample_id
    sample = HistoryService(win.app.db).get(sid)
    assert sample.source == "draft" and sample.text == pane.text()
    pane.editor.appendPlainText("Thanks, Sam")
    assert "Changed since" in pane.state_label.text()
    pane.save_button.click()
    assert pane.sample_id == sid
    assert HistoryService(win.app.db).get(sid).text.endswith("Thanks, Sam")


def test_cloud_switch_and_preview(win, qtbot, artifacts_dir):
    history = HistoryService(win.app.db)
    secret = "my-private-diary-entry-about-tuesday"
    history.add(f"{secret}: what I really think about the weather", source="draft")
    send(win, qtbot, "What is the capital of Portugal?")
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    cid = win.conversation_id
    panel = win.cloud_panel
    win.tabs.setCurrentWidget(panel)
    assert not panel.switch.isChecked(), "cloud must be off by default"
    assert win.cloud_label.text() == "Cloud: off"

    panel.endpoint.setText("http://127.0.0.1:9/v1")
    panel.model.setText("remote-test-model")
    panel.save_button.click()
    # Saved, then checked: nothing listens there, so the check says so.
    qtbot.waitUntil(lambda: panel.test_button.isEnabled(), timeout=30_000)
    assert "The check failed" in panel.status_label.text()
    assert "not checked yet" in panel.mode_label.text()

    panel.switch.click()
    assert panel.switch.isChecked() and win.cloud_label.text() == "Cloud: on"
    assert next(c for c in win.chat.list_conversations() if c.id == cid).cloud_enabled
    win.chat_view.input.setPlainText("And its largest river?")
    qtbot.waitUntil(lambda: "largest river" in panel.preview.toPlainText(), timeout=30_000)
    preview = panel.preview.toPlainText()
    assert "remote-test-model" in preview
    assert secret not in preview, "the writing history must never be in what is sent"
    screenshot(win, artifacts_dir, "cloud")

    panel.switch.click()
    assert not next(c for c in win.chat.list_conversations() if c.id == cid).cloud_enabled
    assert "Nothing is sent" in panel.preview.toPlainText()
    assert win.cloud_label.text() == "Cloud: off"
    win.chat_view.clear_input()


def test_chat_uses_the_active_profile_and_says_when_it_cannot(win, qtbot):
    from store.models import Profile

    # A profile built for another model file: the reply comes, unpersonalized, and the
    # status bar says why (a message box per reply would be too much).
    store_profile(win.app, fingerprint="another-model")
    win.personalization.refresh()
    results: list[dict] = []
    win.model.finished.connect(results.append)
    try:
        send(win, qtbot, "Hello again.")
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
        assert results[-1]["personalization"] == "none" and results[-1]["status"] == "complete"
        assert "without personalization" in win.statusBar().currentMessage()

        # The profile of this model: chat is steered with it.
        with win.app.db.session() as s:
            s.query(Profile).delete()
        store_profile(win.app)
        win.personalization.refresh()
        assert win.personalization_label.text() == "Personalization: SteerX"
        send(win, qtbot, "Hello once more.")
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
        assert results[-1]["personalization"] == "steerx" and results[-1]["status"] == "complete"
    finally:
        win.model.finished.disconnect(results.append)
        with win.app.db.session() as s:
            s.query(Profile).delete()
        win.personalization.refresh()


def test_live_meters_show_speed_while_streaming_and_the_context_fill(win, qtbot):
    meters = win.meters
    rates: list[str] = []

    def seen(_piece: str) -> None:
        rates.append(meters.speed.text())

    win.model.token.connect(seen)
    try:
        win.sampling.update(max_tokens=60)
        send(win, qtbot, "Tell me about the sea in three sentences.")
        qtbot.waitUntil(lambda: meters.context.isVisible(), timeout=GEN_TIMEOUT_MS)
        assert meters.context.maximum() == win._model_facts["n_ctx"]
        assert 0 < meters.context.value() < meters.context.maximum()
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    finally:
        win.model.token.disconnect(seen)
    assert any(r.endswith("tok/s") for r in rates), rates[-5:]  # updated while it streamed
    assert meters.speed.text().endswith("tok/s") and not meters.warning

    # A reply room that leaves little of the context: the user is told before trimming.
    win.sampling.update(max_tokens=3600)
    send(win, qtbot, "Hi again.")
    qtbot.waitUntil(lambda: bool(meters.warning), timeout=GEN_TIMEOUT_MS)
    assert "nearly full" in meters.warning and "⚠" in meters.context.format()
    win.model.cancel()
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)


@pytest.fixture(scope="module")
def every_profile(model_window):
    """Every kind of profile the methods need, in the window's data folder.

    StyleVector, SteerX and DPS are stored directly (their builds have their own tests
    and take minutes); the Fints bank is built for real from two short texts, because
    its per-item vectors cannot be written by hand.
    """
    from assistant.settings import update_setting
    from store.models import Profile

    app = model_window.app
    with app.db.session() as s:
        s.query(Profile).delete()
    history = HistoryService(app.db)
    history.add("Coffee first. Then the inbox. Then, maybe, people.", prompt="Your morning?")
    history.add("Short lines. Dry jokes. No exclamation marks.", prompt="How do you write?")
    methods.build_profile(app, "fints")
    store_profile(app, method="steerx", active=False)
    store_profile(app, method="stylevector", active=False)
    store_profile(app, method="dps", active=False)
    with app.db.session() as s:
        dps = s.query(Profile).filter_by(method="dps").one()
        dps.meta = {"heads": [{"layer": 3, "head": 1, "score": 1.0},
                              {"layer": 7, "head": 4, "score": 0.5}], "gamma": 1.0}
    yield app
    with app.db.session() as s:
        s.query(Profile).delete()
    update_setting(app.db, "chat_method", None)
    app.reload_settings()


@pytest.mark.slow
@pytest.mark.parametrize("name", methods.NAMES)
def test_the_window_chats_with_every_method_the_cli_has(win, qtbot, every_profile, name):
    """Picked in the Personalization tab's menu, as the user does; the CLI reads the same
    saved choice."""
    from assistant.settings import load_settings

    panel = win.personalization
    win.tabs.setCurrentWidget(panel)
    panel.ensure_loaded()
    index = panel.method.findData(name)
    assert index >= 0, f"{name} is not in the window's menu"
    panel.method.setCurrentIndex(index)
    panel.method.activated.emit(index)
    assert load_settings(win.app.db).chat_method == name
    results: list[dict] = []
    win.model.finished.connect(results.append)
    try:
        send(win, qtbot, "Describe your morning.")
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    finally:
        win.model.finished.disconnect(results.append)
    assert results[-1]["status"] == "complete", results[-1]
    assert results[-1]["personalization"] == name
    assert results[-1]["text"].strip()


@pytest.fixture(scope="module")
def llama_server(model_path, tmp_path_factory):
    """llama-cpp-python's OpenAI-compatible server on loopback: a real remote endpoint."""
    from engine.runtime.llama_server import LlamaServer, ServerDidNotStart

    log = tmp_path_factory.mktemp("server") / "server.log"
    try:
        with LlamaServer(model_path, n_ctx=1024, log_path=log) as server:
            yield server.url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


def test_cloud_reply_through_a_real_endpoint(win, qtbot, llama_server):
    """With the switch on, the reply is written by the remote (CoSteer, steered locally),
    streams like a local one, is stored, and the connection status says it came through."""
    send(win, qtbot, "Hi!")
    qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
    panel = win.cloud_panel
    panel.endpoint.setText(llama_server)
    panel.model.setText("smollm2")
    panel.template.setCurrentIndex(panel.template.findData("chatml"))  # SmolLM2 reads ChatML
    panel.save_button.click()
    qtbot.waitUntil(lambda: panel.test_button.isEnabled(), timeout=60_000)
    assert "steered token by token through completions (the chatml template)" in \
        panel.mode_label.text()
    assert "log-probabilities with up to 20" in panel.findings.text()
    panel.switch.click()
    assert panel.cloud_on
    win.sampling.update(max_tokens=16)
    results: list[dict] = []
    win.model.finished.connect(results.append)
    try:
        send(win, qtbot, "Name a colour.")
        qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
        shown = win.statusBar().currentMessage()  # before the switch below says it is off
    finally:
        win.model.finished.disconnect(results.append)
        panel.switch.click()
        win.chat_view.clear_input()
    result = results[-1]
    assert result["cloud"] and result["status"] == "complete", result
    stored = ChatService(win.app.db).messages(win.conversation_id)[-1]
    assert stored.role == "assistant" and stored.content == result["text"] and stored.content
    assert "Connected" in panel.status_label.text()
    # The one line after a cloud reply, from the turn's own numbers; it stays shown.
    line = re.search(r"Written by smollm2, steered toward your voice on (\d+) of (\d+) tokens; "
                     r"nothing of your history was sent\.", shown)
    assert line, shown
    assert int(line[2]) == result["tokens"] and 0 <= int(line[1]) <= int(line[2])
    assert result["cloud_line"] == line[0]


def test_event_loop_stall_during_generation(win, qtbot, record_property):
    """A 10 ms timer on the GUI thread keeps ticking while a real reply streams."""
    win.sampling.update(max_tokens=90, seed=5)
    meter = StallMeter()
    tokens: list[str] = []

    def on_token(piece: str) -> None:
        if not tokens:
            meter.start()  # measure while tokens stream, not while the prompt is read
        tokens.append(piece)

    win.model.token.connect(on_token)
    try:
        for prompt in (
            "Write a long story about a fox who learns to sail.",
            "Continue the story with more detail.",
            "Describe the harbour at night in detail.",
        ):
            send(win, qtbot, prompt)
            qtbot.waitUntil(lambda: not win.model.busy, timeout=GEN_TIMEOUT_MS)
            if len(tokens) >= 60:
                break
    finally:
        meter.stop()
        win.model.token.disconnect(on_token)
    ms = meter.max_gap * 1000
    record_property("max_event_loop_stall_ms", round(ms, 1))
    print(f"\nmax event-loop stall during generation: {ms:.1f} ms over {len(tokens)} tokens "
          f"({meter.ticks} ticks)")
    assert len(tokens) >= 60
    assert meter.ticks > 20
    assert ms < 100, f"the GUI thread stalled for {ms:.0f} ms"
