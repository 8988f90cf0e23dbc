"""Strength 0 is an answer: when the build's own calibration switches steering off,
`profile show` (text and JSON) says so in one sentence, with what would change it."""

from __future__ import annotations

import numpy as np
import pytest

from engine.runtime.gguf_info import read_gguf_info
from store.models import Profile


def _alone(fraction: float) -> dict:
    table = [{"fraction": f, "score": 0.2, "rougeL": 0.1, "meteor": 0.3, "nll": 1.0,
              "fluent": True} for f in (0.0, 0.025, 0.05, 0.1)]
    return {"fraction": fraction, "alpha": fraction * 10, "held_out": 6, "selection": table,
            "residual_norm": 40.0, "layer": 12}


def _store(app, model_path, fraction: float, with_texts: float | None) -> None:
    """A SteerX profile as the build saves one whose strength calibration chose `fraction`
    alone (and `with_texts` with the texts in the prompt)."""
    info = read_gguf_info(model_path)
    meta = {"auto_selected": True, "alone": _alone(fraction),
            "with_texts": None if with_texts is None else _alone(with_texts)}
    with app.db.session() as s:
        s.add(Profile(
            method="steerx", model_name=info.name, model_fingerprint=info.fingerprint,
            n_layer=info.n_layer, n_embd=info.n_embd, layer=12, alpha=fraction * 10,
            description="Short sentences.", preference_tokens=[], n_samples=9, item_hashes=[],
            vectors=np.ones((info.n_layer, info.n_embd), dtype="<f4").tobytes(), active=True,
            meta=meta))


@pytest.mark.parametrize("with_texts", [None, 0.05])
def test_profile_show_says_steering_is_off_and_what_would_change_it(app, cli, model_path,
                                                                     with_texts):
    _store(app, model_path, 0.0, with_texts)
    app.close()
    shown = cli("profile", "show")
    assert shown.rc == 0, shown.err
    line = next(ln for ln in shown.out.splitlines() if ln.startswith("steering:"))
    sentence = line.split(":", 1)[1].strip()
    assert sentence.startswith("Steering is off") and sentence.endswith(".")
    assert ". " not in sentence  # one sentence
    assert "more texts" in sentence and "longer" in sentence and "6 of your 9" in sentence
    assert ("5.0%" in sentence) == (with_texts is not None)
    data = cli("profile", "show", "--json").json()
    assert data["steering_off"] == sentence


def test_no_such_sentence_while_the_profile_steers(app, cli, model_path):
    _store(app, model_path, 0.05, 0.05)
    app.close()
    shown = cli("profile", "show")
    assert shown.rc == 0, shown.err
    assert "steering:" not in shown.out
    assert cli("profile", "show", "--json").json()["steering_off"] is None
