"""The panels of issue 35 with real widgets (offscreen) on a real data folder: the draft
pane stores an edit pair, the Writing history takes a pasted sample, shows sources and
includes/excludes, and the Personalization tab keeps the method list under Advanced."""

from __future__ import annotations

from assistant.edits import list_pairs
from assistant.history import HistoryService

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
