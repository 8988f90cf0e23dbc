"""Steering is a scope: `with runtime.steered(steering):` applies it and always takes it
off again, restoring what was there (so blocks nest), and a turn steers only while it
writes. The texts steered this way are the ones the code wrote before the scope existed
(tests/data/steering_reference.json, written by the earlier set/clear calls)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.runtime.generation import SamplingSettings
from engine.steering.vectors import Steering, SteeringVector

PROMPT = "<|im_start|>user\nHow was your day?<|im_end|>\n<|im_start|>assistant\n"
_RECORDED = json.loads((Path(__file__).parent / "data" / "steering_reference.json")
                       .read_text(encoding="utf-8"))
REFERENCE = _RECORDED["texts"]
GREEDY = SamplingSettings(temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0,
                          max_tokens=24)


def _harbour(rt) -> str:
    return rt.format_chat([{"role": "system", "content": "You are a helpful assistant."},
                           {"role": "user", "content": "Write one sentence about the harbour."}])


def _needs_the_recorded_arithmetic(rt) -> None:
    """The reference texts are exact, and llama.cpp's sums differ between CPUs (AVX2, AVX-512,
    AMX kernels): where this machine's plain greedy text is not the one recorded with them,
    its steered texts cannot be compared byte for byte, and the test says so."""
    plain = "".join(rt.stream(_harbour(rt), GREEDY))
    if plain != _RECORDED["plain"]:
        pytest.skip("this CPU computes the plain model differently from the machine the "
                    "reference texts were recorded on")


def _vector(rt, layers: dict[int, tuple[int, float]]) -> SteeringVector:
    """Random directions, {layer: (seed, size relative to a typical residual norm)}."""
    out = {}
    for layer, (seed, rel) in layers.items():
        v = np.random.default_rng(seed).standard_normal(rt.info.n_embd).astype(np.float32)
        out[layer] = v * np.float32(rel * 9.0 / np.linalg.norm(v))
    return SteeringVector.for_model(rt.info, out)


def test_an_exception_inside_the_block_leaves_the_runtime_unsteered(llama_runtime):
    rt = llama_runtime
    plain = rt.next_token_logits(PROMPT)
    steering = Steering(_vector(rt, {12: (3, 3.0)}), generated_only=True)
    with pytest.raises(RuntimeError, match="boom"), rt.steered(steering):
        assert rt.steering is steering
        assert not np.allclose(rt.next_token_logits(PROMPT), plain, atol=1e-2)
        raise RuntimeError("boom")
    assert rt.steering is None
    np.testing.assert_allclose(rt.next_token_logits(PROMPT), plain, atol=1e-6)


def test_nested_blocks_restore_the_outer_steering(llama_runtime):
    """Inside A: B, then plain (None), then a failing block; each ends back on A, and the
    outer block ends plain."""
    rt = llama_runtime
    plain = rt.next_token_logits(PROMPT)
    a = Steering(_vector(rt, {12: (1, 3.0)}))
    b = Steering(_vector(rt, {18: (2, 3.0)}), 0.8)
    with rt.steered(a):
        with_a = rt.next_token_logits(PROMPT)
        with rt.steered(b):
            assert rt.steering is b
            with_b = rt.next_token_logits(PROMPT)
        assert rt.steering is a
        with rt.steered(None):
            assert rt.steering is None
            np.testing.assert_allclose(rt.next_token_logits(PROMPT), plain, atol=1e-6)
        with pytest.raises(KeyError), rt.steered(b):
            raise KeyError("inner")
        assert rt.steering is a
        np.testing.assert_allclose(rt.next_token_logits(PROMPT), with_a, atol=1e-6)
    assert rt.steering is None
    assert not np.allclose(with_a, with_b, atol=1e-2)
    np.testing.assert_allclose(rt.next_token_logits(PROMPT), plain, atol=1e-6)


def test_a_refused_steering_changes_nothing(llama_runtime):
    """A vector for another model fails before anything is applied, inside an outer block
    too: the outer steering stays."""
    rt = llama_runtime
    outer = Steering(_vector(rt, {12: (1, 3.0)}))
    other = Steering(SteeringVector({5: np.ones(960, np.float32)}, "llama", 960, 32))
    from engine.steering.vectors import IncompatibleVectorError

    with rt.steered(outer):
        with pytest.raises(IncompatibleVectorError), rt.steered(other):
            pass
        assert rt.steering is outer
    assert rt.steering is None


def test_the_scope_writes_the_texts_the_old_calls_wrote(llama_runtime):
    """The same vectors, scales, layers and positions as set_control_vector applied them
    before the scope: the same text, stream and token loop alike."""
    rt = llama_runtime
    _needs_the_recorded_arithmetic(rt)
    greedy = GREEDY
    sampled = SamplingSettings(max_tokens=24, seed=5)
    prompt = _harbour(rt)
    sv = _vector(rt, {12: (3, 3.0), 20: (4, 2.0)})
    cases = {
        "layer12_all/greedy/stream": (Steering(sv, 1.0, (12,)), greedy, rt.stream),
        "layer12_gen/greedy/stream": (Steering(sv, 1.0, (12,), True), greedy, rt.stream),
        "layer12_gen/sampled/logits": (Steering(sv, 1.0, (12,), True), sampled,
                                       rt.stream_with_logits),
        "two_layers_scaled_gen/greedy/stream": (Steering(sv, 0.7, None, True), greedy,
                                                rt.stream),
        "two_layers_all/sampled/stream": (Steering(sv, 1.3), sampled, rt.stream),
    }
    got = {}
    for key, (steering, sampling, run) in cases.items():
        with rt.steered(steering):
            got[key] = "".join(run(prompt, sampling))
        assert rt.steering is None
    assert got == {k: REFERENCE[k] for k in cases}


@pytest.fixture
def steered_app(app):
    """A history and SteerX/StyleVector profiles that steer (gui_helpers.store_profile)."""
    sys.path.insert(0, str(Path(__file__).parent / "gui"))
    from gui_helpers import store_profile, with_texts_meta

    from assistant.writing.history import HistoryService

    for p, t in [("Your morning?", "Coffee first. Then the inbox. Then, maybe, people."),
                 ("How do you write?", "Short lines. Dry jokes. No exclamation marks."),
                 ("Weekend plans?", "A long walk by the river, a book, and no phone at all.")]:
        HistoryService(app.db).add(t, prompt=p)
    chosen = {**with_texts_meta(0.05)["with_texts"], "layer": 12, "steerx_alpha": 1.5}
    store_profile(app, direction=1.0, meta={"with_texts": chosen, "alone": {"fraction": 0.1}})
    store_profile(app, method="stylevector", direction=0.5, active=False)
    return app


@pytest.mark.slow
def test_turns_write_the_old_texts_and_leave_the_runtime_plain(steered_app):
    """Chat, serve (token loop and completions), drafting and the preview steer only while
    they write, and write what they wrote when the method steered the runtime itself."""
    from assistant import method_registry as methods
    from assistant.chat.turn import ApiRequest, ApiTurn, ChatRequest, ChatTurn, DraftTurn
    from assistant.profile.preview import preview

    app = steered_app
    rt = app.runtime()
    _needs_the_recorded_arithmetic(rt)
    greedy = {"max_tokens": 20, "temperature": 0.0}
    got = {}

    def chat(key: str, method: str, text: str, sampling: dict) -> None:
        turn = ChatTurn(app, ChatRequest(text, method=method, sampling=sampling))
        turn.start()
        assert rt.steering is None  # prepared, not applied
        got[key] = "".join(turn.stream())
        assert rt.steering is None

    chat("chat/steerx", "steerx", "What do you do on a Saturday?", greedy)
    chat("chat/rag+steerx", "rag+steerx", "What do you do on a Saturday?", greedy)
    chat("chat_sampled/stylevector", "stylevector", "Describe a rainy morning.",
         {"max_tokens": 20, "seed": 3})
    api = ApiTurn(app, ApiRequest(messages=[{"role": "user", "content": "Say hi."}],
                                  method="steerx", sampling=greedy, logprobs=2))
    api.start()
    got["api_logprobs/steerx"] = "".join(api.stream())
    api = ApiTurn(app, ApiRequest(prompt="Once upon a time", method="rag+steerx",
                                  sampling=greedy, strength=0.5))
    api.start()
    got["api_completion/rag+steerx"] = "".join(api.stream())
    methods.use(app, "steerx")
    draft = DraftTurn(app, "voice", "i think we should meet on monday",
                      {"max_tokens": 16, "temperature": 0.0})
    draft.start()
    got["draft/steerx"] = "".join(draft.stream())
    got["preview/on"] = preview(app, "Tell me about your weekend.", max_tokens=16).on_text
    assert rt.steering is None
    assert got == {k: REFERENCE[k] for k in got}


def test_a_turn_stopped_early_or_refused_leaves_the_runtime_plain(steered_app):
    """A reply whose reader stops after one piece, and a request refused after its method
    prepared (the prompt does not fit): nothing stays steered."""
    from assistant.chat.turn import ApiRequest, ApiTurn, ChatRequest, ChatTurn
    from assistant.errors import UserError

    app = steered_app
    rt = app.runtime()
    turn = ChatTurn(app, ChatRequest("Hello there", method="steerx",
                                     sampling={"max_tokens": 16, "temperature": 0.0}))
    turn.start()
    pieces = turn.stream()
    next(pieces)
    assert rt.steering is not None and rt.steering.generated_only  # writing: steered
    pieces.close()
    assert rt.steering is None
    long = "word " * (rt.n_ctx + 10)
    api = ApiTurn(app, ApiRequest(prompt=long, method="steerx", sampling={"max_tokens": 8}))
    with pytest.raises(UserError):
        api.start()
    assert rt.steering is None
