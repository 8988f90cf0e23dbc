"""torch runtime on the real default GGUF: loading, device choice, scoring, generation."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from engine.errors import EngineError
from engine.runtime.generation import CancelToken, SamplingSettings

PROMPT = (
    "<|im_start|>user\nWrite a short note to a friend about the weekend.<|im_end|>\n"
    "<|im_start|>assistant\n"
)
SHORT = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
GREEDY = SamplingSettings(temperature=0, repeat_penalty=1.0)


def test_lazy_torch_imports():
    """Starting the app or a plain chat, or importing these modules, must not import torch."""
    code = (
        "import sys, assistant.cli.chat, engine.runtime.torch_runtime, engine.runtime.hooks, "
        "engine.runtime.torch_device, engine.runtime.torch_weights, "
        "engine.steering.vectors, engine.steering.parity, engine.runtime.llamacpp; "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "assert 'transformers' not in sys.modules, 'transformers imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_model_facts(torch_runtime, llama_runtime):
    import torch

    rt = torch_runtime
    assert (rt.n_layer, rt.n_embd, rt.n_head, rt.n_kv_head, rt.head_dim) == (30, 576, 9, 3, 64)
    assert rt.n_vocab == llama_runtime.n_vocab
    assert rt.info.fingerprint == llama_runtime.info.fingerprint
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert rt.device == expected
    assert rt.dtype == torch.float32
    assert rt.describe()["n_layer"] == 30


def test_device_and_dtype_choice():
    import torch

    from engine.runtime.torch_device import pick_device, pick_dtype

    if torch.cuda.is_available():
        assert pick_device("auto") == "cuda"
        assert pick_dtype("cuda") in (torch.bfloat16, torch.float16)
    else:
        assert pick_device("auto") in ("cpu", "mps")
        with pytest.raises(EngineError, match="CUDA"):
            pick_device("cuda")
    assert pick_device("cpu") == "cpu"
    assert pick_dtype("cpu") == torch.float32
    assert pick_dtype("cpu", "bf16") == torch.bfloat16
    with pytest.raises(EngineError):
        pick_device("tpu")
    with pytest.raises(EngineError):
        pick_dtype("cpu", "int3")


def test_loading_is_cached(torch_runtime, model_path):
    from engine.runtime.torch_runtime import load_torch_runtime

    assert load_torch_runtime(model_path, device="auto", dtype="float32") is torch_runtime


def test_tokens_and_logits_match_llama_cpp(torch_runtime, llama_runtime):
    ids = llama_runtime.tokenize(PROMPT)
    assert torch_runtime.tokenize(PROMPT) == ids
    a = torch_runtime.next_token_logits(ids)
    b = llama_runtime.next_token_logits(PROMPT)
    assert np.corrcoef(a, b)[0, 1] > 0.999
    assert int(a.argmax()) == int(b.argmax())


def test_loglik_batched_equals_single_and_manual(torch_runtime):
    import torch

    rt = torch_runtime
    texts = ["Hey! Hope you had a great weekend.", "Dear friend, the weekend was lovely.", "ok", ""]
    single = [rt.loglik([PROMPT], [t])[0] for t in texts]
    batch = rt.loglik([PROMPT, PROMPT, SHORT, PROMPT], texts, batch_size=3)
    for t, s, b in zip(texts[:2], single[:2], batch[:2], strict=True):
        assert s.tokens == rt.tokenize(t, special=False) == b.tokens
        np.testing.assert_allclose(s.logprobs, b.logprobs, atol=1e-4)
    assert batch[3].tokens == [] and batch[3].total == 0.0
    assert batch[2].total == pytest.approx(rt.loglik([SHORT], ["ok"])[0].total, abs=1e-4)
    # teacher forcing: token 2 of the text is scored after the prompt and tokens 0..1
    toks = single[0].tokens
    z = torch.tensor(rt.next_token_logits(rt.tokenize(PROMPT) + toks[:2]))
    manual = torch.log_softmax(z, -1)[toks[2]].item()
    assert single[0].logprobs[2] == pytest.approx(manual, abs=1e-4)
    assert single[0].nll == pytest.approx(-single[0].logprobs.mean())


def test_generate_kv_cache_equals_full_recompute(torch_runtime):
    rt = torch_runtime
    out = rt.generate(PROMPT, GREEDY, max_new_tokens=8)
    assert out.finish_reason == "length" and len(out.tokens) == 8
    ids, toks = rt.tokenize(PROMPT), []
    for _ in range(8):
        toks.append(int(rt.next_token_logits(ids + toks).argmax()))
    assert out.tokens == toks
    assert out.text == rt.detokenize(toks)


def test_generate_combined_left_padding_and_streaming(torch_runtime):
    rt = torch_runtime
    single = rt.generate(PROMPT, GREEDY, max_new_tokens=6)
    pieces: list[str] = []
    both = rt.generate_combined(
        [SHORT, PROMPT], lambda z: z[1], GREEDY, max_new_tokens=6, on_text=pieces.append
    )
    assert both.tokens == single.tokens  # the padded row decodes as if alone
    assert "".join(pieces) == both.text


def test_generate_cancel_and_stop(torch_runtime):
    rt = torch_runtime
    cancel = CancelToken()
    cancel.cancel()
    out = rt.generate(PROMPT, GREEDY, max_new_tokens=5, cancel=cancel)
    assert out.finish_reason == "cancelled" and out.tokens == []
    first = rt.generate(PROMPT, GREEDY, max_new_tokens=1).tokens[0]
    out = rt.generate(PROMPT, GREEDY, max_new_tokens=5, stop_ids=[first])
    assert out.finish_reason == "stop" and out.tokens == []


def test_sampled_generation_is_seeded(torch_runtime):
    s = SamplingSettings(temperature=0.7, repeat_penalty=1.1, seed=7)
    a = torch_runtime.generate(PROMPT, s, max_new_tokens=6)
    b = torch_runtime.generate(PROMPT, s, max_new_tokens=6)
    assert a.tokens == b.tokens and len(a.tokens) > 0


def test_not_a_model_is_a_clear_error(tmp_path):
    from engine.errors import ModelFileError
    from engine.runtime.torch_runtime import load_torch_runtime

    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(ModelFileError):
        load_torch_runtime(bad, cache=False)
    with pytest.raises(ModelFileError):
        load_torch_runtime(tmp_path, cache=False)  # a folder without config.json


def test_hugging_face_folder_loads_the_same_model(torch_runtime, tmp_path):
    """A Hugging Face folder (config.json, safetensors, tokenizer) is the other accepted input."""
    import json

    from safetensors.torch import save_model

    from engine.runtime.torch_runtime import load_torch_runtime

    folder = tmp_path / "smollm2-hf"
    folder.mkdir()
    save_model(torch_runtime.model, str(folder / "model.safetensors"))
    cfg = torch_runtime.model.config.to_dict()
    cfg.pop("quantization_config", None)  # the GGUF origin; the folder holds plain weights
    (folder / "config.json").write_text(json.dumps(cfg, default=str))
    torch_runtime.tokenizer.save_pretrained(str(folder))
    rt = load_torch_runtime(folder, dtype="float32", cache=False)
    assert (rt.n_layer, rt.n_embd, rt.info.architecture) == (30, 576, "llama")
    assert rt.info.fingerprint != torch_runtime.info.fingerprint
    ids = torch_runtime.tokenize(PROMPT)
    assert rt.tokenize(PROMPT) == ids
    np.testing.assert_allclose(rt.next_token_logits(ids), torch_runtime.next_token_logits(ids),
                               atol=1e-3)


@pytest.mark.slow
def test_dequantized_weights_are_kept_for_the_next_load(torch_runtime, model_path, tmp_path):
    """A GGUF's dequantized weights are kept in the weights cache: the next load reads them
    instead of the GGUF, with the same identity (profiles check it), tokens and logits; a
    damaged cache is noticed, removed and rebuilt from the GGUF."""
    from engine.runtime.torch_runtime import load_torch_runtime

    cache = tmp_path / "torch-weights"
    first = load_torch_runtime(model_path, dtype="float32", cache=False, weights_cache=cache)
    (folder,) = [d for d in cache.iterdir()]
    assert folder.name.startswith(first.info.fingerprint)
    assert not [d for d in cache.iterdir() if d.name.startswith(".partial-")]
    again = load_torch_runtime(model_path, dtype="float32", cache=False, weights_cache=cache)
    assert again.load_seconds < first.load_seconds
    assert again.info == first.info == torch_runtime.info
    ids = torch_runtime.tokenize(PROMPT)
    assert again.tokenize(PROMPT) == ids
    assert again.detokenize(ids) == torch_runtime.detokenize(ids)
    # The same weights, bit for bit; the sums differ in the last bits (memory-mapped
    # tensors take other kernel paths), as any two processes' may.
    for name, w in first.model.state_dict().items():
        assert again.model.state_dict()[name].equal(w), name
    np.testing.assert_allclose(again.next_token_logits(ids), first.next_token_logits(ids),
                               atol=1e-4)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # cut: the cache is damaged
    healed = load_torch_runtime(model_path, dtype="float32", cache=False, weights_cache=cache)
    np.testing.assert_allclose(healed.next_token_logits(ids), first.next_token_logits(ids),
                               atol=1e-4)
    assert weights.stat().st_size > 1000  # written again from the GGUF


def test_packed_linears_give_the_plain_logits(torch_runtime):
    """Batched decoding's oneDNN-packed weights change speed, not results."""
    rt = torch_runtime
    ids = [rt.tokenize(PROMPT)] * 2
    plain = rt.forward(ids, logits_to_keep=1).logits
    with rt._packed_linears():
        packed = rt.forward(ids, logits_to_keep=1).logits
    assert float((packed - plain).abs().max()) < 1e-3
    assert not any("forward" in vars(m) for m in rt.model.modules())  # patches are undone
