"""The panels of issue 35 with real widgets (offscreen) on a real data folder: the draft
pane stores an edit pair, the Writing history takes a pasted sample, shows sources and
includes/excludes, and the Personalization tab keeps the method list under Advanced."""

from __future__ import annotations

from assistant.writing.edits import list_pairs
from assistant.writing.history import HistoryService

DRAFT = "we need to move the meeting to thursday, the room is taken"
MODEL = "Here's a rewritten version:\n\n\"Dear team, the meeting is moved to Thursday.\""


def _suggest(pane, action: str, text: str) -> None:
    """What the window does for an action: the request, then the streamed reply."""
    pane.request(action)
    pane.begin_stream(action)
    for piece in text.split(" "):
        pane.append_token(piece + " ")
    pane.end_stream("complete")


def test_a_suggestion_edited_before_use_stores_a_pair(gui_app, qtbot, app):
    from ui.widgets.draft_pane import DraftPane

    pane = DraftPane(HistoryService(app.db))
    qtbot.addWidget(pane)
    pane.set_text(DRAFT)
    _suggest(pane, "voice", MODEL)
    # Only the text: no preamble, no quotes (they would be pasted into the draft).
    assert pane.suggestion() == "Dear team, the meeting is moved to Thursday."
    assert not pane.result.isReadOnly()
    pane.result.setPlainText("team: meeting moves to thursday, room's taken. sorry!")
    pane.use_button.click()
    assert pane.text() == "team: meeting moves to thursday, room's taken. sorry!"
    (pair,) = list_pairs(app.db)
    assert pair.model_text == "Dear team, the meeting is moved to Thursday."
    assert pair.user_text == pane.text() and DRAFT in pair.request
    assert HistoryService(app.db).get(pair.sample_id).source == "edit"


def test_a_suggestion_edited_after_use_stores_a_pair_when_saved(gui_app, qtbot, app):
    from ui.widgets.draft_pane import DraftPane

    pane = DraftPane(HistoryService(app.db))
    qtbot.addWidget(pane)
    pane.set_text(DRAFT)
    _suggest(pane, "formal", "Dear team, the meeting is moved to Thursday.")
    pane.use_button.click()
    pane.save_button.click()  # kept as the model wrote it: no pair
    assert list_pairs(app.db) == []
    pane.set_text("team, meeting moves to thursday. same time.")
    pane.save_button.click()
    (pair,) = list_pairs(app.db)
    assert pair.sample_id == pane.sample_id  # the saved draft is the user's version
    assert pair.user_text == "team, meeting moves to thursday. same time."


def test_paste_a_sample_and_see_it_listed_then_exclude_it(gui_app, qtbot, app):
    from ui.widgets.history_panel import HistoryPanel

    history = HistoryService(app.db)
    panel = HistoryPanel(history)
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.add_pasted.isEnabled()
    qtbot.keyClicks(panel.paste, "Coffee first. Then the inbox. Then, maybe, people.")
    with qtbot.waitSignal(panel.changed):
        panel.add_pasted.click()
    assert panel.paste.toPlainText() == ""
    row = panel.list.topLevelItem(0)
    assert "Coffee first" in row.text(0)
    assert (row.text(1), row.text(2)) == ("typed or pasted", "yes")
    (sample,) = history.list()
    assert (sample.source, sample.include) == ("typed", True)
    assert panel.include_box.isChecked()
    panel.include_box.click()  # keep it, but do not learn from it
    assert history.writing() == [] and panel.list.topLevelItem(0).text(2) == "no"


def test_the_list_follows_the_store_and_shows_chat_as_not_learned_from(gui_app, qtbot, app):
    from assistant.chat.conversations import ChatService
    from ui.widgets.history_panel import HistoryPanel

    panel = HistoryPanel(HistoryService(app.db))
    qtbot.addWidget(panel)
    panel.show()
    assert panel.list.topLevelItemCount() == 0
    # Added elsewhere (the chat; the command line writes the same table): it appears.
    ChatService(app.db).begin_turn(None, "Show a Python hello world in a code block.",
                                   model_name="m")
    qtbot.waitUntil(lambda: panel.list.topLevelItemCount() == 1, timeout=5000)
    row = panel.list.topLevelItem(0)
    assert (row.text(1), row.text(2)) == ("chat message", "no")


def test_personalization_leads_with_the_switch_and_keeps_methods_under_advanced(
        gui_app, qtbot, app):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from gui_helpers import store_profile, with_texts_meta

    from assistant import method_registry as methods
    from assistant.settings import load_settings
    from ui.widgets.personalization_panel import PersonalizationPanel
    from ui.workers import ProcessTaskHost

    HistoryService(app.db).add("Honestly, coffee first. Then the inbox.", source="typed")
    meta = with_texts_meta(0.05, 4)
    store_profile(app, meta=meta)
    with app.db.session() as s:  # words as an older build stored them: punctuation too
        from store.models import Profile

        s.get(Profile, 1).preference_tokens = [{"token": t} for t in
                                               (" honestly", ",", "?", "don't", "1999", "print(")]
    tasks = ProcessTaskHost()
    panel = PersonalizationPanel(app, tasks)
    qtbot.addWidget(panel)
    panel.show()
    panel.ensure_loaded()
    # The method list, strength and layer are under Advanced, hidden until asked for.
    assert panel.advanced.isAncestorOf(panel.method)
    assert panel.advanced.isAncestorOf(panel.strength)
    assert panel.advanced.isAncestorOf(panel.layer_label)
    assert not panel.advanced.isVisible()
    panel.advanced_toggle.click()
    assert panel.advanced.isVisible()
    for i in range(panel.method.count()):  # each method with one line of what it does
        assert panel.method.itemData(i, 3) == methods.get(panel.method.itemData(i)).summary
    assert panel.method_summary.text()
    # Plain words: the effect from the build's numbers, words that are words, the samples.
    assert "On 4 of your texts it wrote 15 % closer to you" in panel.effect_label.text()
    assert panel.tokens_label.text() == "honestly, don't"
    assert "Honestly, coffee first" in panel.samples_label.text()
    # One switch: off answers plainly, on uses what the user's texts showed best.
    panel.write_like_me.click() if panel.write_like_me.isChecked() else None
    assert load_settings(app.db).chat_method == "none" and not panel.write_like_me.isChecked()
    panel.write_like_me.click()
    assert load_settings(app.db).chat_method == "rag+steerx" and panel.write_like_me.isChecked()
    assert "about 2 min" in panel.stage_text("Activations", 0.5, 120.0)
    assert "estimating" in panel.stage_text("Generic replies", 0.0, 3.0)
