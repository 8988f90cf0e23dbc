"""The llama.cpp activation reader against torch's hooks, on the embedded model.

The build reads the residual stream from llama.cpp (engine.runtime.activations);
torch's forward hooks are the reference. Both must give the same states layer by
layer, the same token log-probabilities, and the same layer numbering as the
control-vector mapping (docs/ARCHITECTURE.md, Layer mapping: slot L-1 adds to the output
of block L).
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import EngineError
from engine.runtime.activations import LlamaActivations, Part, Row, TorchActivations

PROMPT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\nWrite a short note to a friend about the weekend.<|im_end|>\n"
    "<|im_start|>assistant\n"
)
TEXT = ("Ahoy there, matey! The weekend was splendid: we sailed to the old harbour, ate "
        "fish by the water and talked until the lamps came on. Fair winds, Marlowe")


@pytest.fixture(scope="module")
def reader(llama_runtime):
    r = LlamaActivations(llama_runtime, n_ctx=1024, n_seq=4, n_batch=64)
    yield r
    r.close()


@pytest.fixture(scope="module")
def rows(llama_runtime):
    prefix = llama_runtime.tokenize(PROMPT)
    text = llama_runtime.llm.tokenize(TEXT.encode(), add_bos=False, special=False)
    short = llama_runtime.llm.tokenize(b"Dear Sam, see you soon.", add_bos=False,
                                       special=False)
    # two rows of different lengths, the first longer than a batch of 64 tokens
    return [Row.text(prefix, text), Row.text(prefix, short)]


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_llama_cpp_states_match_torch_hooks_layer_by_layer(reader, torch_runtime, rows):
    got = reader.hidden(rows)
    ref = TorchActivations(torch_runtime).hidden(rows)
    n_layer = torch_runtime.n_layer
    for r, (a, b) in enumerate(zip(got, ref, strict=True)):
        assert a.shape == b.shape == (n_layer, rows[r].stop - rows[r].first, reader.n_embd)
        corrs = [_corr(a[L], b[L]) for L in range(n_layer)]
        assert min(corrs) >= 0.99, (r, np.round(corrs, 4))
        # each llama.cpp layer is closer to torch's same layer than to its neighbours
        for L in range(1, n_layer - 1):
            same = np.abs(a[L] - b[L]).mean()
            assert same < np.abs(a[L] - b[L - 1]).mean(), L
            assert same < np.abs(a[L] - b[L + 1]).mean(), L


def test_token_logprobs_match_torch(reader, torch_runtime, rows):
    seqs = [(list(r.tokens), r.first + 1) for r in rows]
    got = reader.logprobs(seqs)
    ref = TorchActivations(torch_runtime).logprobs(seqs)
    for a, b, (toks, start) in zip(got, ref, seqs, strict=True):
        assert len(a) == len(b) == len(toks) - start
        assert _corr(a, b) >= 0.99
        assert np.abs(a - b).mean() < 0.1


@pytest.mark.parametrize("layer", [5, 15, 25])
def test_control_vector_slot_l_minus_1_moves_exactly_layer_l(reader, rows, layer):
    """The numbering of the states is the control vector's: a vector in slot L-1 appears in
    the states of layer L, unchanged at every position, and nowhere before it."""
    v = np.random.default_rng(layer).standard_normal(reader.n_embd).astype(np.float32)
    buf = np.zeros((reader.n_layer, reader.n_embd), np.float32)
    buf[layer - 1] = v
    plain = reader.hidden(rows[:1])[0]
    reader.set_control_vector(buf)
    try:
        steered = reader.hidden(rows[:1])[0]
    finally:
        reader.set_control_vector(None)
    np.testing.assert_allclose(steered[layer] - plain[layer], np.broadcast_to(
        v, plain[layer].shape), atol=2e-3)
    np.testing.assert_array_equal(steered[: layer], plain[: layer])
    assert not np.allclose(steered[layer + 1], plain[layer + 1] + v, atol=1e-2)


def test_the_same_vector_in_torch_moves_the_same_layer(reader, torch_runtime, rows):
    """torch's hook at layer L and llama.cpp's slot L-1 change the read states alike."""
    layer = 12
    v = np.random.default_rng(7).standard_normal(reader.n_embd).astype(np.float32) * 4
    buf = np.zeros((reader.n_layer, reader.n_embd), np.float32)
    buf[layer - 1] = v
    deltas = []
    for r in (reader, TorchActivations(torch_runtime)):
        plain = r.hidden(rows[:1])[0]
        r.set_control_vector(buf)
        try:
            steered = r.hidden(rows[:1])[0]
        finally:
            r.set_control_vector(None)
        deltas.append(steered - plain)
    for L in range(layer, reader.n_layer):
        assert _corr(deltas[0][L], deltas[1][L]) >= 0.99, L


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    """The largest relative difference of two states over layers and positions."""
    return float((np.linalg.norm(a - b, axis=-1) / np.linalg.norm(b, axis=-1)).max())


def test_rows_longer_than_a_batch_and_a_wave_of_many(reader, llama_runtime, rows):
    """Reading rows one by one, all together (several waves), or in one big batch gives the
    same states: batches and waves may cut rows anywhere. (A row cut across two batches
    differs from one read whole only by llama.cpp's rounding, which depends on the batch
    size: 2-4 % of the state's norm on this model, as far as either is from torch; a
    row mixed up with another would be 100 %.)"""
    many = rows * 5  # more rows than the reader's 4 sequences: several waves
    together = reader.hidden(many)
    alone = [reader.hidden([r])[0] for r in rows]
    for i, h in enumerate(together):
        assert _rel(h, alone[i % 2]) < 0.06
    whole = LlamaActivations(llama_runtime, n_ctx=1024, n_seq=4, n_batch=512)
    try:
        one_batch = whole.hidden(rows)
    finally:
        whole.close()
    assert len(rows[0].tokens) > reader.n_batch  # the reader above cut it in two
    for h, ref in zip(alone, one_batch, strict=True):
        assert _rel(h, ref) < 0.06


@pytest.mark.slow
def test_a_build_reads_the_same_vectors_through_llama_cpp_and_torch(llama_runtime,
                                                                     torch_runtime):
    """The build's two readers (llama.cpp by default, torch for a GPU) give the same
    StyleVector, the same per-sample states at the preference-driven tokens and the same
    token effects (a fixed layer and strength: nothing is generated)."""
    import json
    from pathlib import Path

    from engine.methods.generic_replies import MemoryGenericCache, ProfileItem
    from engine.methods.profile_build import BuildOptions, build_profile
    from tests.memory_stores import MemoryItemStore

    users = json.loads((Path(__file__).parent / "data" / "steerx_users.json").read_text())
    items = [ProfileItem(text=x["text"], prompt=x["prompt"]) for x in users["marlowe"][:5]]
    cache = MemoryGenericCache()  # both builds contrast against the same generic replies
    reports, stores = {}, {}
    for reader in ("llama", "torch"):
        stores[reader] = MemoryItemStore()
        opts = BuildOptions(method="stylevector", layer=12, alpha=1.0, reader=reader)
        reports[reader] = build_profile(items, llama_runtime, lambda: torch_runtime, cache,
                                        stores[reader], opts)
    a, b = reports["llama"], reports["torch"]
    assert "torch_load" not in a.timings and "torch_load" in b.timings
    va, vb = a.vectors["stylevector"], b.vectors["stylevector"]
    assert min(_corr(va[L], vb[L]) for L in range(1, len(va))) >= 0.97
    keys = [it.key for it in items]
    tag = BuildOptions().config_tag()
    da, db = stores["llama"].get_many(keys, tag), stores["torch"].get_many(keys, tag)
    for k in keys:
        assert da[k].tokens == db[k].tokens
        assert _corr(da[k].deltas, db[k].deltas) >= 0.95
        assert _corr(da[k].acts.user_mean[1:], db[k].acts.user_mean[1:]) >= 0.99
        if da[k].acts.pref_count == db[k].acts.pref_count > 0:
            assert _corr(da[k].acts.pref_sum[1:], db[k].acts.pref_sum[1:]) >= 0.99


def test_attention_and_mlp_outputs_match_torch_hooks(reader, torch_runtime, rows):
    """Fints' parts: llama.cpp's MLP output (`ffn_out`) and attention output (`ffn_inp`
    minus the block's input) against torch's hooks on o_proj and the MLP, at an early,
    a middle and the last block (where llama.cpp keeps only the wanted rows)."""
    n_layer = torch_runtime.n_layer
    parts = [Part(kind, L) for L in (1, 20, n_layer - 1) for kind in ("attn", "mlp",
                                                                       "residual")]
    got = reader.hidden(rows, parts=parts)
    ref = TorchActivations(torch_runtime).hidden(rows, parts=parts)
    for a, b in zip(got, ref, strict=True):
        assert a.shape == b.shape
        corrs = {f"{p.kind}-{p.layer}": round(_corr(a[k], b[k]), 4)
                 for k, p in enumerate(parts)}
        assert min(corrs.values()) >= 0.99, corrs


def test_a_part_the_graph_does_not_name_is_a_clear_error(reader, rows):
    with pytest.raises(EngineError, match="ffn_out-999"):
        reader.hidden(rows[:1], parts=[Part("mlp", 999)])


@pytest.mark.slow
def test_fints_item_deltas_match_through_llama_cpp_and_torch(reader, torch_runtime,
                                                             llama_runtime):
    """The Fints build's per-item deltas, read through llama.cpp (what the app does) and
    through torch's hooks (the exact reference), point the same way."""
    import json
    from pathlib import Path

    from engine.methods import fints as F
    from engine.methods.generic_replies import chat_prefix
    from engine.methods.profile_build import text_tokens

    users = json.loads((Path(__file__).parent / "data" / "steerx_users.json").read_text())
    xs = users["marlowe"][:3]
    prefixes = [llama_runtime.tokenize(chat_prefix(llama_runtime, x["prompt"])) for x in xs]
    own = [text_tokens(llama_runtime, x["text"])[:64] for x in xs]
    generic = [text_tokens(llama_runtime, x["text"])[:64] for x in users["formal"][:3]]
    layers = F.default_layers(llama_runtime.info.n_layer)
    a = F.item_deltas(reader, prefixes, own, generic, layers)
    b = F.item_deltas(TorchActivations(torch_runtime), prefixes, own, generic, layers)
    for (aa, am, ar), (ba, bm, br) in zip(a, b, strict=True):
        assert _corr(aa, ba) >= 0.99 and _corr(am, bm) >= 0.99
        assert np.allclose(ar, br, rtol=0.02)


def test_text_rows_read_every_token_once():
    from engine.methods.stylevector import text_rows

    prefix, text = list(range(1000, 1030)), list(range(1300))
    rows = text_rows(prefix, text, chunk=512, context=64)
    assert [off for off, _ in rows] == [0, 512, 1024]
    read = []
    for off, r in rows:
        assert r.tokens[: len(prefix)] == prefix and len(r.tokens) <= len(prefix) + 64 + 512
        # the wanted positions predict exactly this chunk's tokens, in order
        assert r.tokens[r.first + 1] == text[off]
        read += [r.tokens[p + 1] for p in range(r.first, r.stop)]
    assert read == text


def test_a_build_reads_every_token_of_a_long_sample(llama_runtime):
    """Whole texts: a sample longer than a chunk is read to its last token, in chunks; no
    sample is cut (the build used to keep the first 64 tokens)."""
    import json
    from pathlib import Path

    from engine.methods.generic_replies import MemoryGenericCache, ProfileItem
    from engine.methods.profile_build import BuildOptions, build_profile, text_tokens
    from engine.methods.stylevector import CHUNK_TOKENS
    from tests.memory_stores import MemoryItemStore

    users = json.loads((Path(__file__).parent / "data" / "steerx_users.json").read_text())
    notes = [x["text"] for u in ("marlowe", "formal") for x in users[u]]
    long_text = "\n\n".join(notes * 2)
    n_long = len(text_tokens(llama_runtime, long_text))
    assert n_long > CHUNK_TOKENS
    items = [ProfileItem(text=long_text, prompt="Write all your notes.")]
    items += [ProfileItem(text=x["text"], prompt=x["prompt"]) for x in users["marlowe"][:3]]
    store = MemoryItemStore()
    opts = BuildOptions(method="stylevector", layer=12, alpha=1.0)
    report = build_profile(items, llama_runtime, lambda: None, MemoryGenericCache(), store,
                           opts)
    assert report.truncated == 0 and not report.notes
    got = store.get_many([items[0].key], opts.config_tag())[items[0].key]
    assert len(got.tokens) == len(got.deltas) == n_long
    assert np.all(np.isfinite(got.deltas)) and np.all(np.isfinite(got.acts.user_mean))
