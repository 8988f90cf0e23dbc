"""The recommended method comes from the SteerX build's own test on the user's texts."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "gui"))

from gui_helpers import store_profile, with_texts_meta  # noqa: E402

from assistant.profile.recommendation import recommend  # noqa: E402
from assistant.writing.history import HistoryService  # noqa: E402


def test_empty_history_then_texts_then_each_outcome_of_the_build(app):
    assert recommend(app).method == "none"
    HistoryService(app.db).add("Honestly, coffee first.", source="draft")
    assert recommend(app).method == "rag"  # no profile yet: the texts alone
    store_profile(app, meta=with_texts_meta(0.0, 4))
    rec = recommend(app)
    assert rec.method == "rag" and "did not help" in rec.why
    assert "On 4 of your texts it did not write closer to you" in rec.why


def test_steering_that_helped_on_the_users_texts_is_recommended(app, cli):
    HistoryService(app.db).add("Honestly, coffee first.", source="draft")
    store_profile(app, meta=with_texts_meta(0.025, 4))
    rec = recommend(app)
    assert rec.method == "rag+steerx"
    # Plain words from the build's own numbers: 0.230 against 0.200 is 15 % closer.
    assert "On 4 of your texts it wrote 15 % closer to you than without it." in rec.why
    assert "0.2" not in rec.why and "activation" not in rec.why
    shown = cli("profile", "show", "--json").json()
    assert shown["recommended"] == rec.as_dict()
    assert shown["chat_method"] == "steerx"  # recommending is not choosing


def test_an_excluded_history_is_not_called_empty(app):
    HistoryService(app.db).add("Show me a hello world", source="chat")  # excluded by default
    rec = recommend(app)
    assert rec.method == "none" and "empty" not in rec.why and "included" in rec.why
