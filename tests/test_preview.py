"""The Personalization tab's preview: the same prompt with the profile off and on, and
the profile's gain on each word, with the real model."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant import method_registry as methods
from assistant.profile.preview import MARK_GAIN, preview
from assistant.writing.history import HistoryService

TEXTS = [
    ("What did you do today?", "Walked out to the lighthouse at low tide; the gulls were loud "
     "and the keeper waved from the lamp room."),
    ("Weekend plans?", "The lighthouse again. Tide tables, a thermos, gulls over the rocks."),
    ("What do you love?", "Lighthouses, tides, gulls, salt on the windows, the keeper's logbook."),
]


def _steerx_profile(app) -> None:
    from assistant.local_models.choice import embedded_model_path
    from engine.runtime.gguf_info import read_gguf_info
    from store.models import Profile

    info = read_gguf_info(embedded_model_path())
    vectors = np.zeros((info.n_layer, info.n_embd), dtype="<f4")
    vectors[11] = np.random.default_rng(7).standard_normal(info.n_embd) * 4  # layer 12
    with app.db.session() as s:
        s.add(Profile(method="steerx", model_name=info.name, model_fingerprint=info.fingerprint,
                      n_layer=info.n_layer, n_embd=info.n_embd, layer=12, alpha=1.0,
                      description="", preference_tokens=[], n_samples=3, item_hashes=[],
                      vectors=vectors.tobytes(), active=True, meta={}))


def test_rag_preview_marks_the_words_the_texts_made_likely(app):
    for prompt, text in TEXTS:
        HistoryService(app.db).add(text, prompt=prompt)
    assert methods.use(app, "rag") is None
    p = preview(app, "Tell me about your favourite place.")
    assert p.method == "rag" and p.marked and p.off and p.on_text
    assert p.on_text != p.off
    assert all(math.isfinite(x.gain) for x in p.on)
    marked = [x.text.strip().lower() for x in p.on if x.gain >= MARK_GAIN]
    assert any("light" in w or "tide" in w or "gull" in w for w in marked), marked
    assert "of your texts" in p.notice


def test_strength_zero_is_the_plain_reply_and_gains_nothing(app):
    _steerx_profile(app)
    assert methods.use(app, "steerx") is None
    zero = preview(app, "Say something about rain.", strength=0.0, max_tokens=20)
    assert zero.on_text == zero.off
    assert max(abs(x.gain) for x in zero.on) < 1e-3
    full = preview(app, "Say something about rain.", strength=1.0, max_tokens=20)
    assert full.on_text != full.off


def test_a_preview_needs_a_method_that_can_run(app):
    with pytest.raises(methods.UserError, match="Personalization is off"):
        preview(app, "Hello")
    update = methods.use(app, "rag")
    assert update == "your writing history is empty"
