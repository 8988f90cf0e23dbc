"""Edits as pairs (issue 35): the model's text and the user's version are stored, carried
by export and import, and a profile build takes the model's text as the generic reply of
that sample instead of generating one. Real SQLite, real llama.cpp and torch."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.writing.edits import list_pairs, model_texts_by_sample, record_edit_pair
from assistant.writing.history import HistoryService

REQUEST = "Rewrite the text below in my voice.\n\nwe need to move the meeting"
MODEL = "Dear colleagues, I am writing to inform you that the meeting must be moved."
MINE = "heads up: meeting's moving. same room, new day. more soon."


def test_an_edit_is_stored_as_a_pair_and_a_sample(app):
    assert record_edit_pair(app.db, request=REQUEST, model_text=MODEL, user_text=MODEL + " ") \
        is None  # kept as it was: no edit, nothing stored
    pid = record_edit_pair(app.db, request=REQUEST, model_text=MODEL, user_text=MINE)
    (pair,) = list_pairs(app.db)
    assert pair.id == pid and (pair.model_text, pair.user_text, pair.origin) == (MODEL, MINE,
                                                                                  "draft")
    sample = HistoryService(app.db).get(pair.sample_id)
    assert (sample.source, sample.text, sample.prompt, sample.include) == (
        "edit", MINE, REQUEST.strip(), True)
    assert model_texts_by_sample(app.db) == {sample.id: MODEL}
    HistoryService(app.db).remove(sample.id)  # the user's text goes, and its pair with it
    assert list_pairs(app.db) == []


def test_pairs_travel_in_an_export_and_come_back_linked(app, tmp_path):
    from assistant.app import AppContext
    from assistant.data import DataService

    record_edit_pair(app.db, request=REQUEST, model_text=MODEL, user_text=MINE)
    out = tmp_path / "backup.zip"
    DataService(app.db, app.home).export(out)
    other = AppContext(tmp_path / "other")
    try:
        data = DataService(other.db, other.home)
        res = data.import_file(out)
        assert res.added.get("edit_pairs") == 1
        (pair,) = list_pairs(other.db)
        sample = HistoryService(other.db).get(pair.sample_id)
        assert sample.text == MINE and model_texts_by_sample(other.db) == {sample.id: MODEL}
        assert data.import_file(out).added.get("edit_pairs", 0) == 0  # merging twice adds none
        data.reset("all")
        assert list_pairs(other.db) == []
    finally:
        other.close()


@pytest.mark.slow
def test_a_build_uses_the_pair_instead_of_generating_a_reply(llama_runtime, torch_runtime):
    from engine.methods.generic_replies import (
        MemoryGenericCache,
        ProfileItem,
        prompt_hash,
    )
    from engine.methods.profile_build import BuildOptions, build_profile
    from tests.memory_stores import MemoryItemStore

    texts = [("Plans for Saturday?", "A long walk by the river, a book, and no phone."),
             ("Your morning?", "Coffee first. Then the inbox. Then, maybe, people."),
             ("How do you write?", "Short lines. Dry jokes. No exclamation marks."),
             (REQUEST, MINE)]
    items = [ProfileItem(text=t, prompt=p) for p, t in texts[:3]]
    items.append(ProfileItem(text=MINE, prompt=REQUEST, generic=MODEL))
    cache = MemoryGenericCache()
    opts = BuildOptions(method="stylevector", layer=12, alpha=1.0)
    report = build_profile(items, llama_runtime, lambda: torch_runtime, cache, MemoryItemStore(),
                           opts)
    # Three replies generated; the edited sample's prompt was never sent to the model.
    assert report.n_generic_generated == 3
    assert prompt_hash(items[3].instruction, opts.system) not in cache.data
    assert {prompt_hash(it.instruction, opts.system) for it in items[:3]} == set(cache.data)
    plain = build_profile([ProfileItem(text=t, prompt=p) for p, t in texts], llama_runtime,
                          lambda: torch_runtime, MemoryGenericCache(), MemoryItemStore(), opts)
    assert plain.n_generic_generated == 4
    # The pair's model text is the generic side: the vector differs from the generated one's.
    assert not np.allclose(report.vector, plain.vector)


def test_the_profile_service_hands_the_build_its_pairs(app):
    from assistant.writing.edits import profile_items

    history = HistoryService(app.db)
    history.add("A plain sample of mine.", source="typed")
    record_edit_pair(app.db, request=REQUEST, model_text=MODEL, user_text=MINE)
    items = profile_items(app.db, history.writing())
    assert [(it.text, it.generic) for it in items] == [("A plain sample of mine.", None),
                                                         (MINE, MODEL)]
