"""The llama.cpp runtime with the real embedded model."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import ContextOverflowError, ModelFileError
from engine.runtime.generation import CancelToken, GenerationStats, SamplingSettings
from engine.runtime.gguf_info import read_gguf_info


def test_gguf_info_of_default_model(model_path) -> None:
    info = read_gguf_info(model_path)
    assert info.architecture == "llama"
    assert (info.n_layer, info.n_embd, info.n_head) == (30, 576, 9)
    assert info.chat_template and "im_start" in info.chat_template


def test_chat_template_comes_from_metadata(llama_runtime) -> None:
    p = llama_runtime.format_chat([{"role": "user", "content": "Hello"}])
    assert "<|im_start|>user\nHello<|im_end|>" in p.text
    assert p.text.rstrip().endswith("<|im_start|>assistant")


def test_streaming_generation(llama_runtime) -> None:
    prompt = llama_runtime.fit_chat([{"role": "user", "content": "Name three colors."}], 40)
    stats = GenerationStats()
    pieces = list(
        llama_runtime.stream(prompt, SamplingSettings(max_tokens=40, seed=1), stats=stats)
    )
    text = "".join(pieces)
    assert len(pieces) > 1 and text.strip()
    assert 0 < stats.tokens <= 40
    assert stats.first_token_s is not None and stats.tokens_per_s > 0


def test_seeded_generation_is_reproducible(llama_runtime) -> None:
    prompt = llama_runtime.fit_chat([{"role": "user", "content": "Say something."}], 30)
    s = SamplingSettings(max_tokens=30, seed=42)
    a = "".join(llama_runtime.stream(prompt, s))
    b = "".join(llama_runtime.stream(prompt, s))
    assert a == b


def test_cancel_stops_generation(llama_runtime) -> None:
    prompt = llama_runtime.fit_chat([{"role": "user", "content": "Count from 1 to 500."}], 300)
    cancel = CancelToken()
    stats = GenerationStats()
    got = []
    for piece in llama_runtime.stream(
        prompt, SamplingSettings(max_tokens=300, seed=3), cancel=cancel, stats=stats
    ):
        got.append(piece)
        if len(got) == 5:
            cancel.cancel()
    assert stats.finish_reason == "cancelled"
    assert stats.tokens <= 7


def test_logits_per_step(llama_runtime) -> None:
    logits = llama_runtime.next_token_logits("The capital of France is")
    assert logits.shape == (llama_runtime.n_vocab,)
    top = int(np.argmax(logits))
    assert "Paris" in llama_runtime.detokenize([top])


def test_stream_with_logits_fn_can_steer(llama_runtime) -> None:
    """A logits function sees every step and its edits decide the tokens."""
    target = llama_runtime.tokenize(" banana", special=False)[-1]
    seen = []

    def force(history, logits):
        seen.append(logits.shape)
        out = logits.copy()
        out[target] = logits.max() + 100.0
        return out

    s = SamplingSettings(max_tokens=4, temperature=0.0, repeat_penalty=1.0)
    text = "".join(llama_runtime.stream_with_logits("Fruit:", s, logits_fn=force))
    assert len(seen) == 4
    assert text.count("banana") == 4


def test_trims_oldest_turns_to_fit(llama_runtime) -> None:
    long = "word " * 500
    msgs = [{"role": "system", "content": "Be brief."}]
    for i in range(6):
        msgs += [{"role": "user", "content": f"{i} {long}"}, {"role": "assistant", "content": "ok"}]
    msgs.append({"role": "user", "content": "last question"})
    p = llama_runtime.fit_chat(msgs, 200)
    assert p.trimmed_turns > 0
    assert p.n_tokens <= llama_runtime.n_ctx - 200
    assert "Be brief." in p.text and "last question" in p.text


def test_single_message_too_long(llama_runtime) -> None:
    with pytest.raises(ContextOverflowError, match="context holds"):
        llama_runtime.fit_chat([{"role": "user", "content": "word " * 5000}], 100)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"not a model at all", "not a GGUF"),
        (b"GGUF\x03\x00\x00\x00garbage", "truncated or damaged"),
    ],
)
def test_bad_model_files(tmp_path, content, match) -> None:
    f = tmp_path / "m.gguf"
    f.write_bytes(content)
    with pytest.raises(ModelFileError, match=match):
        read_gguf_info(f)


def test_truncated_model_file(tmp_path, model_path) -> None:
    data = model_path.read_bytes()
    f = tmp_path / "cut.gguf"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        read_gguf_info(f)


def test_a_model_file_changed_on_disk_is_checked_again(tmp_path, model_path) -> None:
    """The facts of a file are kept for the process (reading them costs seconds), but a file
    replaced or cut since is read again: the cut file is refused, not described as before."""
    data = model_path.read_bytes()
    f = tmp_path / "m.gguf"
    f.write_bytes(data)
    info = read_gguf_info(f)
    assert info.path == f and read_gguf_info(f) == info
    link = tmp_path / "link.gguf"
    link.symlink_to(f)
    assert read_gguf_info(link).path == link  # the caller's name, the same facts
    assert read_gguf_info(link).fingerprint == info.fingerprint
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        read_gguf_info(f)
