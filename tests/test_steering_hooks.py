"""Hooks on the real model: exactness at scale 0, cleanup on errors, heads, components, capture."""

from __future__ import annotations

import numpy as np
import pytest

from engine.runtime import hooks

PROMPT = "<|im_start|>user\nTell me about your favourite book.<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def ids(torch_runtime):
    return torch_runtime.tokenize(PROMPT)


@pytest.fixture(scope="module")
def plain(torch_runtime, ids):
    return torch_runtime.next_token_logits(ids)


def _vec(rt, seed: int, norm: float = 50.0) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(rt.n_embd).astype(np.float32)
    return v * np.float32(norm / np.linalg.norm(v))


def test_scale_zero_is_exactly_the_plain_model(torch_runtime, ids, plain):
    rt = torch_runtime
    big = _vec(rt, 0, norm=1000.0)
    with hooks.steer_residual(rt, {L: big for L in range(rt.n_layer)}, scale=0.0):
        assert np.array_equal(rt.next_token_logits(ids), plain)
    with hooks.steer_components(rt, attn={3: big}, mlp={20: big}, scale=0.0):
        assert np.array_equal(rt.next_token_logits(ids), plain)
    with hooks.scale_heads(rt, {(4, 2): 1.0, (11, 8): 1.0}):
        assert np.array_equal(rt.next_token_logits(ids), plain)
    with hooks.steer_residual(rt, {15: big}, scale=1.0):
        assert not np.allclose(rt.next_token_logits(ids), plain, atol=1e-3)


def test_hooks_are_removed_after_an_exception(torch_runtime, ids, plain):
    rt = torch_runtime
    before = hooks.count_hooks(rt)
    v = _vec(rt, 1)
    with pytest.raises(RuntimeError, match="boom"):  # noqa: SIM117 - nesting is the point
        with hooks.steer_residual(rt, {5: v, 6: v}):
            with hooks.steer_components(rt, attn={7: v}, mlp={8: v}):
                with hooks.mask_heads(rt, [(9, 0)]), hooks.capture(rt, [1, 2], attn=True, mlp=True):
                    assert hooks.count_hooks(rt) == before + 2 + 2 + 1 + 6
                    rt.forward(ids)
                    raise RuntimeError("boom")
    assert hooks.count_hooks(rt) == before
    assert np.array_equal(rt.next_token_logits(ids), plain)


def test_bad_requests_are_clear_errors(torch_runtime):
    rt = torch_runtime
    before = hooks.count_hooks(rt)
    v = _vec(rt, 0)
    with pytest.raises(hooks.HookError, match="Layer 30"), hooks.steer_residual(rt, {30: v}):
        pass
    with pytest.raises(hooks.HookError, match="width"), hooks.steer_residual(rt, {3: np.ones(960)}):
        pass
    with pytest.raises(hooks.HookError, match="Head 9"), hooks.mask_heads(rt, [(3, 9)]):
        pass
    assert hooks.count_hooks(rt) == before


def _record_o_proj_input(rt, layer: int, store: list):
    def pre_hook(_module, args):
        store.append(args[0].detach().clone())

    return rt.parts.o_proj[layer].register_forward_pre_hook(pre_hook)


def test_head_mask_acts_only_through_that_head(torch_runtime, ids):
    """Masking head h of layer L removes exactly W_o[:, h] @ z_h from the attention output."""
    import torch

    rt = torch_runtime
    L, h, hd = 7, 4, rt.head_dim
    sl = slice(h * hd, (h + 1) * hd)
    z_plain: list = []
    handle = _record_o_proj_input(rt, L, z_plain)
    try:
        with hooks.capture(rt, [L - 1, L], attn=True) as plain:
            rt.forward(ids)
    finally:
        handle.remove()
    z_masked: list = []
    with hooks.mask_heads(rt, [(L, h)]):
        handle = _record_o_proj_input(rt, L, z_masked)  # registered after: sees the masked input
        try:
            with hooks.capture(rt, [L - 1, L], attn=True) as masked:
                rt.forward(ids)
        finally:
            handle.remove()
    z, zm = z_plain[0], z_masked[0]
    # o_proj input: head h zeroed, every other head untouched (bit for bit)
    assert torch.count_nonzero(zm[..., sl]) == 0
    keep = torch.ones(z.shape[-1], dtype=torch.bool)
    keep[sl] = False
    assert torch.equal(zm[..., keep], z[..., keep])
    # nothing before layer L changes
    assert torch.equal(masked.residual(L - 1), plain.residual(L - 1))
    # manual computation of the attention output on layer L
    w_o = rt.parts.o_proj[L].weight.detach().float().cpu()
    expected = plain.attn(L) - z[..., sl].float().cpu() @ w_o[:, sl].T
    torch.testing.assert_close(masked.attn(L), expected, atol=1e-4, rtol=1e-4)
    # a factor of 0.5 removes half of the same contribution
    with hooks.scale_heads(rt, {(L, h): 0.5}), hooks.capture(rt, [L], attn=True) as half:
        rt.forward(ids)
    expected_half = plain.attn(L) - 0.5 * (z[..., sl].float().cpu() @ w_o[:, sl].T)
    torch.testing.assert_close(half.attn(L), expected_half, atol=1e-4, rtol=1e-4)


def test_rows_limit_edits_to_part_of_a_batch(torch_runtime, ids, plain):
    """DPS runs the full and the head-masked pass as one batch of two."""
    rt = torch_runtime
    batch = [ids, ids]
    with hooks.mask_heads(rt, [(5, 1), (12, 3), (20, 7)], rows=[1]):
        both = rt.forward(batch, logits_to_keep=1).logits[:, -1].float().cpu().numpy()
    with hooks.mask_heads(rt, [(5, 1), (12, 3), (20, 7)]):
        alone = rt.next_token_logits(ids)
    np.testing.assert_allclose(both[0], plain, atol=1e-4)
    np.testing.assert_allclose(both[1], alone, atol=1e-4)
    assert not np.allclose(both[0], both[1], atol=1e-3)
    v = _vec(rt, 3)
    with hooks.steer_residual(rt, {10: v}, rows=[0]):
        both = rt.forward(batch, logits_to_keep=1).logits[:, -1].float().cpu().numpy()
    np.testing.assert_allclose(both[1], plain, atol=1e-4)
    assert not np.allclose(both[0], plain, atol=1e-3)


def test_component_vectors(torch_runtime, ids):
    """MLP output + v equals residual + v after the block; attention + v lands after o_proj."""
    import torch

    rt = torch_runtime
    v = _vec(rt, 4)
    with hooks.steer_components(rt, mlp={12: v}):
        via_mlp = rt.next_token_logits(ids)
    with hooks.steer_residual(rt, {12: v}):
        via_resid = rt.next_token_logits(ids)
    np.testing.assert_allclose(via_mlp, via_resid, atol=1e-3)
    with hooks.capture(rt, [12], attn=True) as plain:
        rt.forward(ids)
    with hooks.steer_components(rt, attn={12: v}), hooks.capture(rt, [12], attn=True) as steered:
        rt.forward(ids)
    torch.testing.assert_close(steered.attn(12), plain.attn(12) + torch.as_tensor(v), atol=1e-4,
                               rtol=1e-5)
    # the attention edit passes through the MLP, so it is not the same as a residual edit
    assert not torch.allclose(steered.residual(12), plain.residual(12) + torch.as_tensor(v),
                              atol=1e-2)


def test_capture_positions_and_generation_steps(torch_runtime, ids):
    import torch

    from engine.runtime.generation import SamplingSettings

    rt = torch_runtime
    with hooks.capture(rt, [0, 29], attn=True, mlp=True) as full:
        rt.forward(ids)
    with (
        hooks.capture(rt, [29], positions=-1) as last,
        hooks.capture(rt, [29], positions=[0, 2]) as two,
    ):
        rt.forward(ids)
    assert full.residual(0).shape == (1, len(ids), rt.n_embd)
    assert full.mlp(29).shape == full.attn(29).shape == full.residual(29).shape
    torch.testing.assert_close(last.residual(29), full.residual(29)[:, -1:])
    torch.testing.assert_close(two.residual(29), full.residual(29)[:, [0, 2]])
    with pytest.raises(KeyError):
        last.mlp(29)
    with hooks.capture(rt, [15]) as gen:
        out = rt.generate(ids, SamplingSettings(temperature=0), max_new_tokens=4)
    # prompt pass + one call per generated token after the first
    assert gen.residual(15).shape[1] == len(ids) + len(out.tokens) - (out.finish_reason == "length")
    assert len(gen.calls[("residual", 15)]) == 1 + len(out.tokens) - (out.finish_reason == "length")


def test_two_pass_decoding_as_one_batch(torch_runtime, ids):
    """DPS-style: row 0 full, row 1 head-masked, one shared token per step through the KV cache."""
    from engine.runtime.generation import SamplingSettings

    rt = torch_runtime
    greedy = SamplingSettings(temperature=0, repeat_penalty=1.0)
    heads = [(3, 0), (9, 5), (17, 2), (26, 8)]
    with hooks.mask_heads(rt, heads):
        masked_alone = rt.generate(ids, greedy, max_new_tokens=6)
    seen: list = []

    def pick_masked(z):
        seen.append(z.shape)
        return z[1]

    with hooks.mask_heads(rt, heads, rows=[1]):
        both = rt.generate_combined([ids, ids], pick_masked, greedy, max_new_tokens=6)
    assert both.tokens == masked_alone.tokens
    assert seen[0] == (2, rt.n_vocab)
    plain = rt.generate_combined([ids, ids], lambda z: z[0], greedy, max_new_tokens=6)
    assert plain.tokens == rt.generate(ids, greedy, max_new_tokens=6).tokens
