"""Steering on generated positions only (the prompt read as the plain model reads it).

llama.cpp's control vector is switched on after the prompt's last-but-one token,
both in the one-sequence runtime and in the batch context's variants; torch, with a
hook that adds the vector at the last prompt position only, is the independent
reference.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.runtime.generation import SamplingSettings
from engine.steering.vectors import Steering, SteeringVector

LAYER = 12
GREEDY = SamplingSettings(temperature=0.0, top_k=1, top_p=1.0, min_p=0.0, repeat_penalty=1.0,
                          max_tokens=24)


def _prompt(rt) -> str:
    return rt.format_chat([
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Here is a note I wrote before: 'Ahoy there, matey!'. "
                                    "Now write one sentence about the harbour."},
    ]).text


def _vector(rt, rel: float = 0.6, seed: int = 3) -> np.ndarray:
    """A random direction at LAYER, `rel` times a typical residual norm there."""
    v = np.random.default_rng(seed).standard_normal(rt.info.n_embd).astype(np.float32)
    return v * np.float32(rel * 9.0 / np.linalg.norm(v))


def _first_logits(rt, prompt: str) -> np.ndarray:
    got: list[np.ndarray] = []
    list(rt.stream_with_logits(prompt, GREEDY.__class__(**{**GREEDY.__dict__, "max_tokens": 1}),
                               on_token=lambda _t, z: got.append(z.copy())))
    return got[0]


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.astype(np.float64), b.astype(np.float64))[0, 1])


@pytest.mark.slow
def test_llama_steers_only_the_generating_position_like_a_torch_hook_there(
        llama_runtime, torch_runtime):
    """The first reply token's logits under generated-only steering match torch steering the
    last prompt position only, and clearly not torch steering every position."""
    from engine.runtime import hooks

    rt, trt = llama_runtime, torch_runtime
    prompt = _prompt(rt)
    ids = rt.tokenize(prompt)
    v = _vector(rt, rel=8.0)
    base_t = trt.next_token_logits(ids)
    last_only = np.zeros((1, len(ids), rt.info.n_embd), np.float32)
    last_only[0, -1] = v
    with hooks.steer_residual(trt, {LAYER: last_only}):
        d_last = trt.next_token_logits(ids) - base_t
    with hooks.steer_residual(trt, {LAYER: v}):
        d_all = trt.next_token_logits(ids) - base_t
    sv = SteeringVector.for_model(rt.info, {LAYER: v})
    base_l = _first_logits(rt, prompt)
    with rt.steered(Steering(sv, generated_only=True)):
        d_gen = _first_logits(rt, prompt) - base_l
    with rt.steered(Steering(sv)):
        d_every = _first_logits(rt, prompt) - base_l
    assert _corr(d_gen, d_last) > 0.95
    assert _corr(d_every, d_all) > 0.95
    # The two ways of steering are told apart: each matches its own torch reference better.
    assert _corr(d_gen, d_last) > _corr(d_gen, d_all) + 0.05
    assert _corr(d_every, d_all) > _corr(d_every, d_last) + 0.05


@pytest.mark.slow
def test_batch_variants_write_what_the_runtime_writes_under_the_same_steering(llama_runtime):
    """Each variant of one prompt pass writes the one-sequence runtime's reply under that
    buffer (generated positions only; the two contexts' sums differ in the last bits, so a
    greedy reply may part late), and its unsteered log-probs equal a fresh scoring."""
    from engine.runtime.batched import BatchedLlama

    rt = llama_runtime
    prompt = _prompt(rt)
    toks = rt.tokenize(prompt)
    strong = SteeringVector.for_model(rt.info, {LAYER: _vector(rt, rel=3.0)})
    steering = Steering(strong, generated_only=True)
    bufs = [None, steering.control_buffer(rt.info.n_layer)]
    with BatchedLlama(rt, n_ctx=2048, n_seq=8) as bl:
        plain_lp: list = []
        out = bl.generate_variants([toks], bufs, GREEDY, plain_logprobs=plain_lp)
        rescored = bl.score([(toks + out[1][0], len(toks))])[0]
        rescored_plain = bl.score([(toks + out[0][0], len(toks))])[0]
    assert out[0][0] != out[1][0]  # the steering changed the reply
    with rt.steered(steering):
        steered = rt.llm.tokenize("".join(rt.stream(prompt, GREEDY)).encode(), add_bos=False,
                                  special=False)
    same = next((k for k, (a, b) in enumerate(zip(steered, out[1][0], strict=False)) if a != b),
                min(len(steered), len(out[1][0])))
    assert same >= 8, (steered, out[1][0])
    assert steered != out[0][0]  # and it is not the unsteered reply
    assert plain_lp[1][0].shape == (len(out[1][0]),)
    assert np.abs(plain_lp[1][0] - rescored).mean() < 0.05
    # The unsteered variant's log-probs are taken while sampling, not by a second pass:
    # they are the same numbers a teacher-forced scoring of its reply gives.
    assert plain_lp[0][0].shape == (len(out[0][0]),)
    assert np.abs(plain_lp[0][0] - rescored_plain).mean() < 0.05
    # The steered reply is less likely to the plain model than its own reply.
    assert plain_lp[1][0].mean() < plain_lp[0][0].mean()
