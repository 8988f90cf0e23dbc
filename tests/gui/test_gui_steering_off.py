"""The Personalization panel says when the build switched steering off, and why."""

from __future__ import annotations

from gui_helpers import store_profile, with_texts_meta
from sqlalchemy import update

from assistant.writing.history import HistoryService
from store.models import Profile


def test_panel_says_steering_is_off_and_what_would_change_it(window):
    HistoryService(window.app.db).add("Honestly, coffee first.", source="draft")
    alone = {**with_texts_meta(0.0, held_out=4)["with_texts"], "layer": 12}
    store_profile(window.app, meta={"alone": alone, **with_texts_meta(0.0, held_out=4)})
    with window.app.db.session() as s:  # what the build stores when it chose strength 0
        s.execute(update(Profile).values(alpha=0.0))
    panel = window.personalization
    window.tabs.setCurrentWidget(panel)
    panel.refresh()
    text = panel.recommendation.text()
    assert "Steering is off: on 4 of your 6 texts" in text
    assert "more texts, or longer ones" in text
    with window.app.db.session() as s:  # a profile that steers says nothing of the kind
        s.execute(update(Profile).values(alpha=1.5))
    panel.refresh()
    assert "Steering is off" not in panel.recommendation.text()
