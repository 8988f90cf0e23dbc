"""The recommended method comes from the SteerX build's own test on the user's texts."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "gui"))

from gui_helpers import store_profile  # noqa: E402

from assistant.history import HistoryService  # noqa: E402
from assistant.recommendation import recommend  # noqa: E402


def _with_texts(fraction: float) -> dict:
    table = [{"fraction": f, "score": 0.20 + (0.03 if f == fraction and f else 0.0),
              "rougeL": 0.1, "meteor": 0.3, "nll": 1.0, "fluent": True}
             for f in (0.0, 0.025, 0.05, 0.1)]
    return {"with_texts": {"fraction": fraction, "alpha": fraction * 10, "held_out": 4,
                           "selection": table, "residual_norm": 40.0}}


def test_empty_history_then_texts_then_each_outcome_of_the_build(app):
    assert recommend(app).method == "none"
    HistoryService(app.db).add("Honestly, coffee first.", source="draft")
    assert recommend(app).method == "rag"  # no profile yet: the texts alone
    store_profile(app, meta=_with_texts(0.0))
    rec = recommend(app)
    assert rec.method == "rag" and "did not help" in rec.why and "0.200" in rec.why


def test_steering_that_helped_on_the_users_texts_is_recommended(app, cli):
    HistoryService(app.db).add("Honestly, coffee first.", source="draft")
    store_profile(app, meta=_with_texts(0.025))
    rec = recommend(app)
    assert rec.method == "rag+steerx"
    assert "2.5%" in rec.why and "0.230 against 0.200" in rec.why and "4 of your texts" in rec.why
    shown = cli("profile", "show", "--json").json()
    assert shown["recommended"] == rec.as_dict()
    assert shown["chat_method"] == "steerx"  # recommending is not choosing
