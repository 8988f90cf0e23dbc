"""DPS on the real default model (CPU): head scan, ranking, contrastive decoding.

That masking a head through the hook removes exactly that head's contribution
(W_o[:, h] @ z_h, computed by hand on one layer) is already proven by
tests/test_steering_hooks.py::test_head_mask_acts_only_through_that_head, and
the full/masked batch-of-two decoding by ::test_two_pass_decoding_as_one_batch.
Here: what DPS adds on top (different heads in different rows of one forward,
the contrast rule, the ranking), on a reduced scan (few items, short texts).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.methods import dps
from engine.runtime import hooks
from engine.runtime.generation import SamplingSettings

REPO = Path(__file__).resolve().parents[1]
USERS = json.loads((REPO / "tests" / "data" / "steerx_users.json").read_text())
PROMPT = "<|im_start|>user\nTell me about your weekend.<|im_end|>\n<|im_start|>assistant\n"
GREEDY = SamplingSettings(temperature=0, repeat_penalty=1.0)


def _items(rt, users, n_context=1):
    return dps.prepare_items(rt, [(u["prompt"], u["text"]) for u in users],
                             n_context=n_context, max_context=24, max_text=24)


@pytest.fixture(scope="module")
def train(torch_runtime):
    return _items(torch_runtime, USERS["marlowe"][:3])


@pytest.fixture(scope="module")
def scan(torch_runtime, train):
    return dps.scan_heads(torch_runtime, train, mode="attribution", refine=6, seed=0)


def test_rows_scan_equals_one_head_at_a_time(torch_runtime, train):
    """The scan ablates several heads of a layer in one forward, each in its own rows;
    every score must equal masking that head alone over all rows."""
    rt = torch_runtime
    heads = [(7, 4), (7, 0)]
    got, base = dps.exact_scores(rt, train, heads, rows_per_call=64)
    plain = dps._rows_nll(rt, train)
    assert base == pytest.approx(float(plain.mean()), abs=1e-9)
    for head in heads:
        with hooks.mask_heads(rt, [head]):
            alone = float(np.mean(dps._rows_nll(rt, train) - plain))
        assert got[head] == pytest.approx(alone, abs=1e-4)
    assert len({round(v, 6) for v in got.values()}) == 2  # the rows really differ


def test_ablation_passes_start_at_the_heads_block(torch_runtime, train):
    """The exact scan runs only the blocks from the ablated head's on, from the residual
    the intact pass recorded entering that block: the same NLLs as the full forward (so
    the scan above takes that path), the model's blocks put back after, and a wrong start
    is caught by the check rather than trusted."""
    import torch

    rt = torch_runtime
    n_blocks = len(rt.model.model.layers)
    entering = {7: None, 20: None}
    base = dps._rows_nll(rt, train, record=entering)
    assert entering[7].shape[:2] == entering[20].shape[:2]
    assert dps._tail_matches(rt, train, entering, base)
    tail = dps._rows_nll(rt, train, entering=(7, entering[7]))
    np.testing.assert_allclose(tail, base, atol=1e-4)
    assert len(rt.model.model.layers) == n_blocks
    with hooks.mask_heads(rt, [(7, 4)]):  # an ablation from the start equals the full one
        full = dps._rows_nll(rt, train)
        from_block = dps._rows_nll(rt, train, entering=(7, entering[7]))
    np.testing.assert_allclose(from_block, full, atol=1e-4)
    assert not np.allclose(full, base, atol=1e-4)
    wrong = {20: torch.zeros_like(entering[20])}
    assert not dps._tail_matches(rt, train, wrong, base)


def test_attribution_is_the_gates_gradient_with_the_weights_frozen(torch_runtime, train):
    """The runtime's weights take no gradient (nothing trains them; the scan is faster so),
    and the per-head gate still gets its own: -dNLL/dgate agrees with a finite difference
    of the head scaled by 1 - eps."""
    rt = torch_runtime
    assert not any(p.requires_grad for p in rt.model.parameters())
    attr = dps.attribution_scores(rt, train)
    head, eps = (7, 4), 0.02
    plain = dps._rows_nll(rt, train)
    with hooks.scale_heads(rt, {head: 1 - eps}):
        moved = float(np.mean(dps._rows_nll(rt, train) - plain))
    assert attr[head] != 0
    assert moved / eps == pytest.approx(attr[head], rel=0.1)


def test_gamma_zero_is_the_plain_model(torch_runtime):
    rt = torch_runtime
    heads = [(3, 0), (9, 5), (17, 2), (26, 8)]
    plain = rt.generate(PROMPT, GREEDY, max_new_tokens=12)
    zero = dps.generate(rt, PROMPT, heads, GREEDY, gamma=0.0, max_new_tokens=12)
    assert zero.tokens == plain.tokens
    pieces: list[str] = []
    ent = dps.generate(rt, PROMPT, heads, GREEDY, max_new_tokens=12, on_text=pieces.append)
    assert "".join(pieces) == ent.text and ent.tokens
    assert hooks.count_hooks(rt) == 0


def test_contrast_rule():
    z = np.log(np.array([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]]))
    lp = dps._log_softmax(z)
    out = dps.contrast(0.5)(z)
    np.testing.assert_allclose(out, 1.5 * lp[0] - 0.5 * lp[1], rtol=1e-6)
    g = -(np.exp(lp[0]) * lp[0]).sum() / np.log(3)  # entropy over log |V|: in [0, 1]
    np.testing.assert_allclose(dps.contrast(None)(z), (1 + g) * lp[0] - g * lp[1], rtol=1e-6)
    assert np.array_equal(dps.contrast(0.0)(z), z[0])
    # Adaptive plausibility: a token the full model gives < 0.1 x its top token's probability
    # is never chosen, however much the masked pass dislikes it.
    z2 = np.log(np.array([[0.90, 0.08, 0.02], [0.98, 0.01, 0.01]]))
    out = dps.contrast(5.0)(z2)
    assert out[1] == -np.inf and out[2] == -np.inf and np.isfinite(out[0])
    lp2 = dps._log_softmax(z2)
    unconstrained = 6 * lp2[0] - 5 * lp2[1]
    assert int(np.argmax(unconstrained)) == 1  # without the constraint the contrast picks it


def test_ranking_is_reproducible(torch_runtime, train, scan):
    again = dps.scan_heads(torch_runtime, train, mode="attribution", refine=6, seed=0)
    assert again.top(k=6) == scan.top(k=6)
    assert scan.exact.sum() == 6 and not np.isnan(scan.scores).any()
    assert np.array_equal(again.exact, scan.exact)
    np.testing.assert_allclose(again.scores, scan.scores, equal_nan=True)


def test_top_heads_matter_more_than_random_heads(torch_runtime, scan):
    """On held-out texts of the invented user, ablating the top heads costs more
    likelihood than ablating as many random heads."""
    rt = torch_runtime
    held = _items(rt, USERS["marlowe"][10:13])
    top = [(h["layer"], h["head"]) for h in scan.top(k=4)]
    assert all(h["score"] > 0 for h in scan.top(k=4))
    base = dps._rows_nll(rt, held).mean()
    with hooks.mask_heads(rt, top):
        hurt_top = dps._rows_nll(rt, held).mean() - base
    rng = np.random.default_rng(0)
    hurt_random = []
    for _ in range(3):
        idx = rng.choice(rt.n_layer * rt.n_head, size=4, replace=False)
        with hooks.mask_heads(rt, [(int(i // rt.n_head), int(i % rt.n_head)) for i in idx]):
            hurt_random.append(dps._rows_nll(rt, held).mean() - base)
    assert hurt_top > max(hurt_random)


PLANTED = (26, 5)


def _plant(rt, token: int, strength: float):
    """A head that writes the marker token's unembedding direction at every position: a
    forward pre-hook puts a constant into head PLANTED's slice of o_proj's input, chosen so
    that o_proj turns it into `strength` times that direction. Registered before any scan
    hook, so ablating the head (or gating it) removes it."""
    import torch

    layer, head = PLANTED
    o = rt.parts.o_proj[layer]
    hd = rt.head_dim
    w = o.weight.detach().float()[:, head * hd : (head + 1) * hd]  # (n_embd, hd)
    u = rt.model.get_output_embeddings().weight.detach().float()[token]
    target = (strength * u / u.norm())[:, None]
    c = torch.linalg.lstsq(w, target).solution[:, 0].to(o.weight.dtype)

    def pre(_m, args):
        x = args[0].clone()
        x[..., head * hd : (head + 1) * hd] += c
        return (x, *args[1:])

    return o.register_forward_pre_hook(pre)


def test_contrasted_pcs_ranks_a_planted_head_first(torch_runtime):
    """A head planted to write one word: the user's texts use that word, the reference
    texts (the same sentences, without it) do not. The contrast puts the planted head first
    and cancels what a head does for any text: the plain PCS's strongest other head scores
    far lower once contrasted."""
    rt = torch_runtime
    marker = " zebra"  # one token: a repeated multi-token word would engage copying heads too
    token = rt.tokenize(marker, special=False)[0]
    base = [u for u in USERS["formal"][:4]]
    texts = [" ".join(w + (marker if k % 3 == 2 else "") for k, w in
                      enumerate(u["text"].split())) for u in base]
    pairs = [(u["prompt"], t) for u, t in zip(base, texts, strict=True)]
    handle = _plant(rt, token, strength=500.0)
    try:
        user = dps.prepare_items(rt, pairs, n_context=1, max_context=24, max_text=32)
        ref = dps.reference_items(rt, pairs, [u["text"] for u in base], n_context=1,
                                  max_context=24, max_text=32)
        plain = dps.scan_heads(rt, user, mode="attribution", refine=6, seed=0)
        contrasted = dps.scan_heads(rt, user, mode="attribution", refine=6, seed=0,
                                    reference=ref)
    finally:
        handle.remove()
    top = contrasted.top(k=3)
    assert (top[0]["layer"], top[0]["head"]) == PLANTED, top
    assert contrasted.meta["reference_items"] == len(ref) == 4
    # The strongest other head of the plain PCS matters to the reference texts as much:
    # contrasted, it falls to less than half.
    h = next(h for h in plain.top(k=6) if (h["layer"], h["head"]) != PLANTED)
    assert abs(contrasted.scores[h["layer"], h["head"]]) < 0.5 * h["score"], h


def test_a_scan_over_its_time_budget_stops_after_its_first_batch(torch_runtime, train):
    """The estimate is the first batch's pace times every text times the measured ratio of
    a whole scan to its attribution passes; a budget it exceeds stops the scan there."""
    with pytest.raises(dps.ScanTooSlow) as e:
        dps.scan_heads(torch_runtime, train, mode="attribution", reference=train,
                       max_seconds=1e-3)
    assert e.value.measured == len(train)  # one batch of the user's texts, then stopped
    assert e.value.estimate_s > 0
    # a budget above the estimate lets the same scan finish
    done = dps.scan_heads(torch_runtime, train, mode="attribution", refine=2,
                          reference=train, max_seconds=1e6)
    assert done.exact.sum() == 2


def test_the_vocabulary_projected_row_by_row_gives_the_same_nll(torch_runtime, train):
    """A scan call projects each row's text positions on its own (a 64-row call never holds
    64 rows of logits); the NLLs are the model's own, and the check that allows it passes."""
    from engine.runtime import hooks

    batch = list(train) * 3
    by_row = dps._forward_nll(torch_runtime, batch, by_row=True)
    whole = dps._forward_nll(torch_runtime, batch, by_row=False)
    assert np.allclose(by_row, whole, atol=1e-5)
    assert dps._row_projection_ok(torch_runtime, train[0])
    # the model's own projection is back in place afterwards
    head = torch_runtime.model.get_output_embeddings()
    with hooks.deferred_projection(torch_runtime.model) as proj:
        torch_runtime.forward([train[0].prompt], logits_to_keep=1)
    assert torch_runtime.model.get_output_embeddings() is head
    assert len(proj.states) == 1 and proj.states[0].shape[-1] == torch_runtime.n_embd
