"""Chat formats (issue 19): a GGUF without a chat template is not given ChatML, and no
template token reaches a reply, a description or the store."""

from __future__ import annotations

import re
import sqlite3

import pytest

from engine.runtime.chat_format import StopScanner, chat_format_for

MARKER = re.compile(r"<\|im_(start|end)\|>|<(start|end)_of_turn>|<eos>|<bos>")
MSGS = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Write two sentences about the sea."},
]


@pytest.fixture(scope="module")
def base_runtime(base_model_path):
    from engine.runtime.llamacpp import LlamaRuntime

    rt = LlamaRuntime(base_model_path, n_ctx=1024)
    yield rt
    rt.close()


def test_the_file_template_wins(llama_runtime):
    fmt = llama_runtime.chat_format
    assert fmt.source == "file" and not fmt.is_base_model and fmt.note("m") is None
    assert {"<|im_start|>", "<|im_end|>"} <= set(fmt.stops)


def test_a_base_gemma_gets_its_family_format_not_chatml(base_runtime):
    assert base_runtime.info.chat_template is None
    fmt = base_runtime.chat_format
    assert fmt.source == "builtin:gemma" and fmt.is_base_model
    prompt = base_runtime.format_chat(MSGS)
    assert "<start_of_turn>user" in prompt.text and "<|im_start|>" not in prompt.text
    assert prompt.text.endswith("<start_of_turn>model\n")
    assert "<end_of_turn>" in prompt.stop
    assert "base model" in fmt.note("gemma.gguf")


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_no_reply_of_a_base_model_carries_template_tokens(base_runtime, seed):
    from engine.runtime.generation import SamplingSettings

    prompt = base_runtime.format_chat(MSGS)
    s = SamplingSettings(max_tokens=80, seed=seed)
    fast = "".join(base_runtime.stream(prompt, s))
    slow = "".join(base_runtime.stream_with_logits(prompt, s))
    for text in (fast, slow):
        assert not MARKER.search(text), text


def test_plain_transcript_for_a_family_without_a_format():
    fmt = chat_format_for("llama", None, bos="<s>", eos="</s>", end_texts=["</s>"])
    assert fmt.source == "plain" and fmt.is_base_model
    out = fmt.render(MSGS)
    assert out.text == (
        "System: You are a helpful assistant.\n\nUser: Write two sentences about the sea."
        "\n\nAssistant:"
    )
    assert "\nUser:" in out.stop
    assert fmt.clean("The sea is wide.\nUser: more") == "The sea is wide."
    assert "plain User/Assistant transcript" in fmt.note("x.gguf")


def test_stop_scanner_holds_back_only_a_possible_stop():
    sc = StopScanner(["<end_of_turn>", "\nUser:"])
    assert sc.feed("Hello <end") == "Hello "  # could still become the stop
    assert sc.feed("less story") == "<endless story"
    assert sc.feed(" and\nUs") == " and"
    assert sc.feed("er: next") == "" and sc.stopped
    assert sc.feed("more") == "" and sc.flush() == ""
    sc2 = StopScanner(["<end_of_turn>"])
    assert sc2.feed("tail <en") == "tail " and sc2.flush() == "<en"


def test_chat_with_a_base_model_stores_no_template_token(cli, home, base_model_path):
    r = cli("chat", "--model", str(base_model_path), "--max-tokens", "60", "--seed", "3",
            "--json", "Write two sentences about the sea.", timeout=240)
    assert r.rc == 0, r.err
    assert "base model" in r.err
    summary = r.json()
    assert summary["chat_format"] == "builtin:gemma"
    assert not MARKER.search(summary["text"])
    db = sqlite3.connect(home / "assistant.db")
    try:
        texts = [t for (t,) in db.execute("SELECT content FROM messages")]
    finally:
        db.close()
    assert texts and not any(MARKER.search(t) for t in texts)


def test_a_profile_description_on_a_base_model_has_no_template_token(base_runtime):
    from engine.methods.description import write_description

    for seed in (0, 1):
        text = write_description(
            base_runtime, ["honestly", "folks", "tbh"],
            ["Honestly folks, the sea was cold today, tbh.", "Folks, I walked the pier."],
            seed=seed, max_tokens=60,
        )
        assert text and not MARKER.search(text), text
