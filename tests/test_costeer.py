"""CoSteer's optimizer against its closed form, and its local half on the real model."""

from __future__ import annotations

import numpy as np
import pytest

from engine.cloud.answers import Candidate, Completion, TokenStep
from engine.methods.costeer import (
    CoSteerConfig,
    CoSteerDecoder,
    CoSteerStats,
    LocalVocab,
    PairedContext,
    closed_form_coefficient,
    ftrl_update,
    log_softmax,
)


def test_defaults_are_the_papers():
    c = CoSteerConfig()
    assert (c.iterations, c.alpha, c.beta, c.lam, c.eta) == (20, 2.0, 1.0, 2.0, 10.0)
    assert closed_form_coefficient(c) == pytest.approx(1.7833, abs=1e-3)


@pytest.mark.parametrize(
    "cfg",
    [
        CoSteerConfig(),
        CoSteerConfig(iterations=5, alpha=1.0, beta=0.5, lam=1.0, eta=2.0),
        CoSteerConfig(iterations=40, alpha=0.5, beta=2.0, lam=3.0, eta=100.0),
    ],
)
def test_ftrl_equals_closed_form(cfg):
    rng = np.random.default_rng(0)
    for _ in range(5):
        ref = rng.normal(size=200) * 3
        delta = rng.normal(size=200) * 2
        got = ftrl_update(ref, delta, cfg)
        want = log_softmax(ref + closed_form_coefficient(cfg) * delta)
        np.testing.assert_allclose(got, want, atol=1e-9)
        assert np.exp(got).sum() == pytest.approx(1.0)


def test_beta_zero_returns_the_remote_policy():
    rng = np.random.default_rng(1)
    ref = rng.normal(size=50)
    delta = rng.normal(size=50) * 10
    got = ftrl_update(ref, delta, CoSteerConfig(beta=0.0))
    np.testing.assert_allclose(got, log_softmax(ref), atol=1e-12)
    assert int(np.argmax(got)) == int(np.argmax(ref))


def test_topk_support_is_a_renormalization():
    """On a subset of the vocabulary the update equals the full one renormalized there."""
    rng = np.random.default_rng(2)
    ref, delta = rng.normal(size=300), rng.normal(size=300)
    idx = np.argsort(-ref)[:20]
    full = ftrl_update(ref, delta)
    sub = ftrl_update(ref[idx], delta[idx])
    np.testing.assert_allclose(sub, log_softmax(full[idx]), atol=1e-9)


@pytest.fixture(scope="module")
def vocab(llama_runtime):
    return LocalVocab.for_runtime(llama_runtime)


def test_vocab_maps_shared_tokens_exactly(llama_runtime, vocab):
    ids = llama_runtime.llm.tokenize(b" Paris is lovely", add_bos=False, special=False)
    for i in ids:
        piece = llama_runtime.llm.detokenize([i])
        assert vocab.exact_id(Candidate(piece.decode(), -1.0)) == i
        assert vocab.exact_id(Candidate("", -1.0, raw=piece)) == i
    # a text that is not one local token is spelled by its local tokenization
    long = Candidate(" Parisianness", -1.0)
    assert vocab.exact_id(long) is None
    assert vocab.local_ids(long) == llama_runtime.llm.tokenize(
        b" Parisianness", add_bos=False, special=False
    )
    assert vocab.local_ids(Candidate("", -1.0)) == []


def test_paired_context_matches_plain_evaluation(llama_runtime):
    rt = llama_runtime
    a = rt.tokenize(rt.format_chat([{"role": "user", "content": "Say hi."}]).text)
    b = rt.tokenize(rt.format_chat([{"role": "user", "content": "Write about rain."}]).text)
    more = rt.llm.tokenize(b" The rain", add_bos=False, special=False)
    pc = PairedContext(rt, a, b, max_new_tokens=8)
    try:
        pc.append(more)
        w, wo = pc.logits()
    finally:
        pc.close()
    for toks, got in ((a + more, w), (b + more, wo)):
        rt.llm.reset()
        ref = rt.eval_prompt(toks)
        assert np.corrcoef(ref, got)[0, 1] > 0.999
        assert int(np.argmax(ref)) == int(np.argmax(got))


class ScriptedRemote:
    """A remote that always proposes the same steps; records what it was asked."""

    def __init__(self, steps: list[TokenStep]) -> None:
        self.steps = steps
        self.asked: list[tuple[str, int]] = []

    def continue_from(self, reply_so_far: str, n: int) -> Completion:
        self.asked.append((reply_so_far, n))
        return Completion(self.steps[:n], "length", "")


def _step(vocab, texts_lps: list[tuple[str, float]]) -> TokenStep:
    cands = [Candidate(t, lp) for t, lp in texts_lps]
    return TokenStep(cands[0], cands)


def test_decoder_accepts_agreeing_prefix_and_reasks_at_disagreement(llama_runtime, vocab):
    rt = llama_runtime
    prompt = rt.tokenize(rt.format_chat([{"role": "user", "content": "Name a city."}]).text)
    steps = [_step(vocab, [(" Paris", -0.1), (" London", -3.0)]) for _ in range(4)]
    remote = ScriptedRemote(steps)
    # beta = 0: the remote's own choice every time, 4 tokens per request
    pc = PairedContext(rt, prompt, prompt, max_new_tokens=8)
    st = CoSteerStats()
    dec = CoSteerDecoder(vocab, config=CoSteerConfig(beta=0.0), lookahead=4, max_lookahead=4)
    text = "".join(dec.generate(remote, pc, max_tokens=8, stats=st))
    pc.close()
    assert text == " Paris" * 8
    assert st.remote_requests == 2 and st.agreed_tokens == 8
    assert remote.asked[1] == (" Paris" * 4, 4)
    # a penalty that flips the choice: the first token agrees, the second is steered
    pc = PairedContext(rt, prompt, prompt, max_new_tokens=8)
    st = CoSteerStats()
    dec = CoSteerDecoder(vocab, lookahead=4, presence_penalty=5.0)
    remote = ScriptedRemote(steps)
    text = "".join(dec.generate(remote, pc, max_tokens=2, stats=st))
    pc.close()
    assert text == " Paris London"
    assert st.remote_requests == 1 and st.steered_tokens == 1


def test_accept_margin_keeps_a_near_tie_with_the_remote(llama_runtime, vocab):
    """The penalty puts London 0.6 nats ahead of the remote's Paris on the second token."""
    rt = llama_runtime
    prompt = rt.tokenize(rt.format_chat([{"role": "user", "content": "Name a city."}]).text)
    steps = [_step(vocab, [(" Paris", -0.1), (" London", -0.5)]) for _ in range(2)]
    got = {}
    for margin in (0.5, 0.7):
        pc = PairedContext(rt, prompt, prompt, max_new_tokens=4)
        dec = CoSteerDecoder(vocab, presence_penalty=1.0, accept_margin=margin)
        got[margin] = "".join(dec.generate(ScriptedRemote(steps), pc, max_tokens=2))
        pc.close()
    assert got == {0.5: " Paris London", 0.7: " Paris Paris"}


def test_no_repeat_ngram_breaks_a_loop(llama_runtime, vocab):
    rt = llama_runtime
    prompt = rt.tokenize(rt.format_chat([{"role": "user", "content": "Name a city."}]).text)
    steps = [_step(vocab, [(" Paris", -0.1), (" London", -3.0)]) for _ in range(6)]
    pc = PairedContext(rt, prompt, prompt, max_new_tokens=8)
    dec = CoSteerDecoder(vocab, no_repeat_ngram=2, lookahead=6)
    text = "".join(dec.generate(ScriptedRemote(steps), pc, max_tokens=3))
    pc.close()
    assert text == " Paris Paris London"  # the bigram (Paris, Paris) may not come twice


def test_sampling_is_truncated_as_the_other_methods_replies_are(vocab):
    """min-p (relative to the best), then the top-p nucleus; the best always stays."""
    p = np.array([0.6, 0.3, 0.06, 0.02, 0.02])
    q = CoSteerDecoder(vocab, temperature=0.7, min_p=0.05, top_p=0.95).truncate(p)
    assert np.allclose(q, np.array([0.6, 0.3, 0.06, 0, 0]) / 0.96)
    q = CoSteerDecoder(vocab, temperature=0.7, min_p=0.05, top_p=0.8).truncate(p)
    assert np.allclose(q, np.array([0.6, 0.3, 0, 0, 0]) / 0.9)
    assert np.allclose(CoSteerDecoder(vocab, top_p=0.01).truncate(p), [1, 0, 0, 0, 0])
    assert np.allclose(CoSteerDecoder(vocab).truncate(p), p)  # untruncated by default
