"""torch hooks and llama.cpp control vectors steer the same layer the same way."""

from __future__ import annotations

import numpy as np
import pytest

from engine.steering.parity import steering_parity
from engine.steering.vectors import Steering, SteeringVector

PROMPT = (
    "<|im_start|>user\nWrite a short note to a friend about the weekend.<|im_end|>\n"
    "<|im_start|>assistant\n"
)


@pytest.mark.parametrize("layer", [15, 25])
def test_torch_hook_matches_llama_cpp_control_vector(torch_runtime, llama_runtime, layer):
    res = steering_parity(torch_runtime, llama_runtime, PROMPT, layer, seed=layer)
    assert res.base_corr > 0.999  # the two runtimes agree before steering
    assert res.corr >= 0.99, res
    # one layer off in llama.cpp scores clearly lower: the check would catch an off-by-one
    assert set(res.wrong_layer_corr) == {layer - 1, layer + 1}
    assert res.worst_wrong < 0.97, res
    assert res.corr - res.worst_wrong > 0.03, res
    assert llama_runtime.steering is None


def _vector(info, layer: int, seed: int) -> SteeringVector:
    v = np.random.default_rng(seed).standard_normal(info.n_embd).astype(np.float32)
    return SteeringVector.for_model(info, {layer: v * np.float32(100 / np.linalg.norm(v))})


def test_switching_vectors_between_requests(llama_runtime):
    """A, then B inside A's block, then A again, then plain: each request sees exactly the
    vector of its block, no reload."""
    rt = llama_runtime
    model_ctx = rt.llm.ctx
    plain = rt.next_token_logits(PROMPT)
    a, b = _vector(rt.info, 12, 1), _vector(rt.info, 18, 2)
    with rt.steered(Steering(a)):
        with_a = rt.next_token_logits(PROMPT)
        with rt.steered(Steering(b, 0.8)):
            with_b = rt.next_token_logits(PROMPT)
        with_a_again = rt.next_token_logits(PROMPT)
    after = rt.next_token_logits(PROMPT)
    assert rt.llm.ctx is model_ctx  # same context: nothing was reloaded
    assert not np.allclose(with_a, plain, atol=1e-2)
    assert not np.allclose(with_a, with_b, atol=1e-2)
    np.testing.assert_allclose(with_a_again, with_a, atol=1e-5)
    np.testing.assert_allclose(after, plain, atol=1e-5)


def test_llama_cpp_scale_zero_and_layer_range(llama_runtime):
    rt = llama_runtime
    plain = rt.next_token_logits(PROMPT)
    both = SteeringVector.for_model(
        rt.info, {**_vector(rt.info, 8, 3).directions, **_vector(rt.info, 22, 4).directions}
    )
    with rt.steered(Steering(both, 0.0)):
        assert rt.steering is not None
        np.testing.assert_array_equal(rt.next_token_logits(PROMPT), plain)
    with rt.steered(Steering(both, layers=(22,))):
        only_22 = rt.next_token_logits(PROMPT)
    with rt.steered(Steering(SteeringVector.for_model(rt.info, {22: both.direction(22)}))):
        np.testing.assert_allclose(rt.next_token_logits(PROMPT), only_22, atol=1e-5)
        # text generation runs under a vector
        from engine.runtime.generation import SamplingSettings

        text = "".join(rt.stream(PROMPT, SamplingSettings(max_tokens=8, seed=1)))
        assert text
    np.testing.assert_allclose(rt.next_token_logits(PROMPT), plain, atol=1e-5)
