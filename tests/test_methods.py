"""The method registry through the real CLI: every surface reads one list, the saved
choice means the same in the CLI and the window, and rag puts the user's own texts in
the prompt within its budget."""

from __future__ import annotations

import pytest

from assistant import method_registry as methods
from assistant.writing.history import HistoryService
from engine.methods.rag import RAG_K

TEXTS = [
    ("Your morning?", "Coffee first. Then the inbox. Then, maybe, people."),
    ("How do you write?", "Short lines. Dry jokes. No exclamation marks."),
    ("Weekend plans?", "A long walk by the river, a book, and no phone at all."),
]


def test_every_method_has_a_label_a_summary_and_one_home():
    assert methods.NAMES[0] == "none" and len(set(methods.NAMES)) == len(methods.NAMES)
    for m in methods.METHODS.values():
        assert m.label and m.summary and isinstance(m.needs, tuple)
    with pytest.raises(methods.UserError, match="Unknown method 'nope'"):
        methods.get("nope")


def test_the_cli_offers_every_method(cli):
    r = cli("chat", "--help")
    assert r.rc == 0
    for name in methods.NAMES:
        assert name in r.out


@pytest.fixture
def with_texts(app):
    for prompt, text in TEXTS:
        HistoryService(app.db).add(text, prompt=prompt)
    return app


def test_rag_puts_the_most_relevant_texts_in_the_prompt(with_texts, cli):
    r = cli("chat", "--method", "rag", "--explain", "--json", "--max-tokens", "8", "--seed", "1",
            "What do you do on a Saturday?")
    assert r.rc == 0, r.err
    out = r.json()
    assert out["method"] == "rag" and out["text"].strip()
    assert len(out["rag_samples"]) == 3 and out["rag_tokens"] > 0
    assert "of your texts" in r.err and "writing samples in the prompt" in r.err


def test_rag_keeps_to_its_budget(app, cli):
    """A history far larger than the context: rag uses at most a quarter of what is free."""
    for i in range(12):
        HistoryService(app.db).add(f"Entry {i}. " + "A long sentence about the sea. " * 120)
    r = cli("chat", "--method", "rag", "--json", "--max-tokens", "8", "write about the sea")
    assert r.rc == 0, r.err
    out = r.json()
    assert 0 < out["rag_tokens"] <= (4096 - 8) // 4
    assert len(out["rag_samples"]) <= RAG_K


def test_rag_with_no_history_says_so(cli):
    r = cli("chat", "--method", "rag", "--max-tokens", "4", "hello")
    assert r.rc == 1 and "writing history is empty" in r.err
    assert "Traceback" not in r.err


def test_the_saved_choice_is_what_chat_uses(with_texts, cli):
    assert cli("settings", "set", "chat_method", "rag").rc == 0
    r = cli("chat", "--json", "--max-tokens", "4", "hello")
    assert r.rc == 0, r.err
    assert r.json()["method"] == "rag"
    bad = cli("settings", "set", "chat_method", "telepathy")
    assert bad.rc == 1 and "Unknown method 'telepathy'" in bad.err


def test_a_saved_method_without_its_profile_falls_back_and_says_why(cli):
    assert cli("settings", "set", "chat_method", "steerx").rc == 0
    r = cli("chat", "--json", "--max-tokens", "4", "hello")
    assert r.rc == 0, r.err
    assert r.json()["method"] == "none"
    assert "No steerx profile yet" in r.err and "without personalization" in r.err
    # Named for this turn, the same missing profile is an error.
    named = cli("chat", "--method", "steerx", "--max-tokens", "4", "hello")
    assert named.rc == 1 and "No steerx profile yet" in named.err


def test_the_evaluation_runs_every_chat_method():
    from assistant.evaluation.methods import parse_methods

    assert parse_methods(",".join(methods.NAMES)) == list(methods.NAMES)
    assert all(callable(m.evaluate) for m in methods.REGISTRY.values())


def test_each_method_names_the_profiles_it_steers_with():
    from engine.methods.kinds import ProfileKind

    kinds = {n: methods.profile_kinds(m) for n, m in methods.METHODS.items()}
    assert kinds["none"] == [] and kinds["rag"] == []
    assert kinds["steerx+fints"] == [ProfileKind.FINTS, ProfileKind.STEERX]
    assert kinds["rag+steerx"] == [ProfileKind.STEERX]
    assert kinds["rag+fints"] == [ProfileKind.FINTS]
    assert [n for n, m in methods.METHODS.items() if methods.uses_history(m)] == \
        ["rag", "rag+steerx", "rag+fints"]


def test_choosing_a_method_saves_it_only_when_it_can_run(app):
    from assistant.settings import load_settings

    assert methods.use(app, "rag") == "your writing history is empty"
    assert methods.use(app, "steerx") == "there is no steerx profile yet"
    assert load_settings(app.db).chat_method is None  # nothing saved by a refusal
    HistoryService(app.db).add(TEXTS[0][1], prompt=TEXTS[0][0])
    assert methods.use(app, "rag") is None
    assert load_settings(app.db).chat_method == "rag"
    assert methods.chosen(app, None) == (methods.METHODS["rag"], False)


def test_a_draft_turn_is_personalized_like_a_chat_turn(with_texts):
    from assistant.chat.drafting import clean_result
    from assistant.chat.turn import DraftTurn

    methods.use(with_texts, "rag")
    turn = DraftTurn(with_texts, "voice", "i think we should meet on monday",
                     {"max_tokens": 12, "temperature": 0.0})
    info = turn.start()
    assert info.method == "rag" and "of your texts" in info.notice
    text = "".join(turn.stream())
    out = turn.summary()
    assert out.text == clean_result(text) and out.tokens > 0 and out.details["rag_samples"]
    with pytest.raises(methods.UserError, match="Unknown drafting action"):
        DraftTurn(with_texts, "translate", "x")


def test_the_strength_slider_moves_rag_steerx_too(with_texts):
    """rag+steerx runs at the strength its build chose with texts in the prompt, times the
    user's change to SteerX's strength since; on another layer it falls back, all positions."""
    import sys
    from pathlib import Path

    import numpy as np

    from assistant.profile.service import ProfileService
    from engine.runtime.generation import CancelToken, SamplingSettings

    sys.path.insert(0, str(Path(__file__).parent / "gui"))
    from gui_helpers import store_profile, with_texts_meta

    chosen = {**with_texts_meta(0.05)["with_texts"], "layer": 12, "steerx_alpha": 1.5}
    store_profile(with_texts, direction=1.0, meta={"with_texts": chosen})
    rt = with_texts.runtime()

    def prepared():
        req = methods.Request(with_texts, rt, [{"role": "user", "content": "Hi"}], "Hi",
                              SamplingSettings(max_tokens=4), CancelToken())
        out = methods.get("rag+steerx").prepare(req)
        assert rt.steering is None  # a method chooses the steering; the turn applies it
        return out.steering

    def applied() -> float:
        return float(np.linalg.norm(prepared().control_buffer(rt.info.n_layer)[11]))

    at_build = applied()
    assert prepared().generated_only and at_build > 0
    ProfileService(with_texts).set_strength("steerx", alpha=3.0)  # twice the built 1.5
    assert applied() == pytest.approx(2 * at_build, rel=1e-5)
    ProfileService(with_texts).set_strength("steerx", layer=10, alpha=1.5)
    steering = prepared()
    assert not steering.generated_only
    assert not steering.control_buffer(rt.info.n_layer).any()  # nothing stored there
