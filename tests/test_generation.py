"""The shared sampler (engine.runtime.generation): the repetition penalty acts on logits,
before a method combines rows, never on the combined log-probabilities."""

from __future__ import annotations

import numpy as np

from engine.runtime.generation import SamplingSettings, apply_repeat_penalty, sample_token


def test_penalty_divides_positive_and_multiplies_negative_logits():
    z = np.array([[3.0, -2.0, 1.0, 0.5], [1.0, 1.0, -1.0, 2.0]])
    out = apply_repeat_penalty(z, [0, 1, 1], 2.0)
    assert np.allclose(out, [[1.5, -4.0, 1.0, 0.5], [0.5, 0.5, -1.0, 2.0]])
    assert np.allclose(z[0], [3.0, -2.0, 1.0, 0.5])  # the input is left alone
    assert np.array_equal(apply_repeat_penalty(z, [], 2.0), z)
    assert np.array_equal(apply_repeat_penalty(z, [0], 1.0), z)


def test_penalty_on_log_probs_would_barely_act():
    """Why the order matters: on log-probs (all negative) a repeated favourite stays on top."""
    logits = np.array([3.0, 2.6, 0.0, -1.0])
    s = SamplingSettings(temperature=0.0, repeat_penalty=1.3)
    lp = logits - np.log(np.exp(logits).sum())
    assert sample_token(lp, [0], s, np.random.default_rng(0)) == 0  # the old DPS path
    assert sample_token(logits, [0], s, np.random.default_rng(0)) == 1  # llama.cpp's chain
    pre = apply_repeat_penalty(logits, [0], 1.3)
    assert sample_token(pre, [0], s, np.random.default_rng(0), penalize=False) == 1


def test_torch_decoding_penalizes_each_row_before_the_combination(torch_runtime):
    """generate_combined hands `combine` penalized rows (the DPS contrast sees them)."""
    rt = torch_runtime
    prompt = "The cat sat on the"
    seen: dict[float, list[np.ndarray]] = {}

    def run(penalty: float):
        rows: list[np.ndarray] = []

        def combine(z: np.ndarray) -> np.ndarray:
            rows.append(z.copy())
            return z[0]

        s = SamplingSettings(temperature=0.0, repeat_penalty=penalty)
        out = rt.generate_combined([prompt, prompt], combine, s, max_new_tokens=2)
        seen[penalty] = rows
        return out.tokens

    plain, penalized = run(1.0), run(3.0)
    assert plain[0] == penalized[0]  # nothing to penalize at the first step
    raw, got = seen[1.0][1], seen[3.0][1]  # step 2: same prefix in both runs
    expect = apply_repeat_penalty(raw, [plain[0]], 3.0)
    assert np.allclose(got, expect, atol=1e-4)
    assert not np.allclose(got[:, plain[0]], raw[:, plain[0]])
