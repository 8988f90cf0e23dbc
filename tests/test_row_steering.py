"""Each sequence of one batch steered by its own control vector (`RowSteering`).

The reference is llama.cpp's own control vector, which steers a whole context: with
the same batch, the same tokens and the same vector on every row, the logits must be
bit for bit the same (the same float32 addition at the same node). With different
vectors on different rows, each row must get exactly what it gets when every row
carries its vector: nothing leaks between rows.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.runtime.generation import SamplingSettings
from engine.steering.vectors import SteeringVector

LAYER = 12


def _buffer(rt, seed: int, rel: float) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(rt.info.n_embd).astype(np.float32)
    v *= np.float32(rel * 9.0 / np.linalg.norm(v))
    return SteeringVector.for_model(rt.info, {LAYER: v}).control_buffer(rt.info.n_layer)


def _prompts(rt) -> list[list[int]]:
    return [rt.tokenize(rt.format_chat([{"role": "user", "content": f"Write about {w}."}]).text)
            for w in ("the harbour", "a long winter", "my first bicycle")]


def _last_logits(bl, prompts, buffers, *, context_vector=None) -> np.ndarray:
    """Each prompt's cells unsteered, then one work sequence per (prompt, buffer) decoding
    the prompt's last token: row-steered by `buffers`, or (with `context_vector`) by the
    context's own control vector on every row."""
    mem = bl._L.llama_get_memory(bl.ctx)
    bl._clear()
    bl.set_control_vector(None)
    bl._decode([(int(t), pos, s, False) for s, p in enumerate(prompts)
                for pos, t in enumerate(p[:-1])])
    last, seq_buffer, bufs = [], {}, []
    work = len(prompts)
    for buf in buffers:
        for s, p in enumerate(prompts):
            bl._L.llama_memory_seq_cp(mem, s, work, -1, -1)
            if buf is not None:
                seq_buffer[work] = len(bufs)
                bufs.append(buf)
            last.append((int(p[-1]), len(p) - 1, work, True))
            work += 1
    if context_vector is not None:
        bl.set_control_vector(context_vector)
    else:
        bl._rows.begin(bufs, seq_buffer)
    try:
        bl._decode(last)
        return bl._logits(len(last)).copy()
    finally:
        bl._rows.end()
        bl.set_control_vector(None)


@pytest.mark.slow
def test_each_row_gets_exactly_its_own_vector(llama_runtime):
    from engine.runtime.batched import BatchedLlama

    rt = llama_runtime
    prompts = _prompts(rt)
    a, b = _buffer(rt, 1, 2.0), _buffer(rt, 2, 4.0)
    n = len(prompts)
    with BatchedLlama(rt, n_ctx=2048) as bl:
        mixed = _last_logits(bl, prompts, [None, a, b])
        only_a = _last_logits(bl, prompts, [a, a, a])
        context_a = _last_logits(bl, prompts, [None, None, None], context_vector=a)
        only_b = _last_logits(bl, prompts, [b, b, b])
        plain = _last_logits(bl, prompts, [None, None, None])
    # The same vector on every row: exactly what llama.cpp's own control vector gives.
    assert np.array_equal(only_a, context_a)
    # Mixed rows: each row exactly as when every row carries its vector.
    assert np.array_equal(mixed[:n], plain[:n])
    assert np.array_equal(mixed[n : 2 * n], only_a[n : 2 * n])
    assert np.array_equal(mixed[2 * n :], only_b[2 * n :])
    # And the vectors did something.
    assert np.abs(only_a[:n] - plain[:n]).max() > 1.0


@pytest.mark.slow
def test_generate_each_steers_each_job_and_scores_it_unsteered(llama_runtime):
    """Replies written together, each under its own vector, are the replies written one
    vector at a time in the same batch shape; their plain log-probs are a fresh scoring's."""
    from engine.runtime.batched import BatchedLlama, SteeredJob

    rt = llama_runtime
    prompts = _prompts(rt)
    greedy = SamplingSettings(temperature=0.0, top_k=1, top_p=1.0, min_p=0.0,
                              repeat_penalty=1.1, max_tokens=16)
    strong = _buffer(rt, 5, 6.0)
    jobs = [SteeredJob(i, buf, i) for buf in (None, strong) for i in range(len(prompts))]
    with BatchedLlama(rt, n_ctx=2048) as bl:
        done = bl.generate_each(prompts, jobs, greedy, plain_logprobs=True)
        rescored = bl.score([(prompts[j.prompt] + done[k][0], len(prompts[j.prompt]))
                             for k, j in enumerate(jobs)])
    n = len(prompts)
    assert all(done[k][0] for k in range(len(jobs)))
    assert any(done[k][0] != done[n + k][0] for k in range(n))  # the vector changed replies
    for k in range(len(jobs)):
        assert done[k][1].shape == (len(done[k][0]),)
        # another batch shape sums in another order (0.06 measured, in nats a token)
        assert np.abs(done[k][1] - rescored[k]).mean() < 0.1
    # the steered replies are less likely to the plain model than its own replies
    assert np.mean([done[n + k][1].mean() for k in range(n)]) < \
        np.mean([done[k][1].mean() for k in range(n)])


def test_waves_keep_a_prompts_jobs_together_and_fit_the_context(llama_runtime):
    from engine.runtime.batched import BatchedLlama, SteeredJob

    with BatchedLlama(llama_runtime, n_ctx=1024) as bl:
        prompts = [[1] * 300, [1] * 200, [1] * 100]
        jobs = [SteeredJob(p, None, 0) for p in (0, 1, 2) for _ in range(4)]
        waves = bl._job_waves(prompts, jobs, 64)
        for wave_prompts, wave_jobs in waves:
            cells = sum(len(prompts[p]) for p in wave_prompts) + 65 * len(wave_jobs)
            assert cells <= 1024
            assert {jobs[j].prompt for j in wave_jobs} == set(wave_prompts)
        assert sorted(j for _p, js in waves for j in js) == list(range(len(jobs)))
        # one prompt whose jobs alone overflow the context is split over waves
        many = [SteeredJob(0, None, 0) for _ in range(20)]
        waves = bl._job_waves(prompts, many, 64)
        assert len(waves) > 1
        assert all(len(prompts[0]) + 65 * len(js) <= 1024 for _p, js in waves)
